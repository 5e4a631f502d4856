// run_cli(argc, argv): the real commands. Kept apart from cli.cc so the CLI's parsing can be
// unit-tested with fake commands without linking the servers.
#include <cstdlib>
#include <iostream>

#include "app/cli.h"
#include "app/serve.h"

namespace gi::app {

int run_cli(int argc, char** argv) {
  cli_commands c;
  c.serve = [](config::snapshot_ptr cfg) { return run_serve(std::move(cfg)); };
  c.mock_upstream = [](const mock_cmd_options& o) { return run_mock_upstream(o); };
  c.demo = [](const demo_options& o) { return run_demo(o); };
  c.env_is_set = [](std::string_view name) {
    const char* v = std::getenv(std::string(name).c_str());
    return v != nullptr && *v != '\0';
  };
  return run_cli(argc, argv, c, std::cout, std::cerr);
}

}  // namespace gi::app
