#include "app/cli.h"

#include <iostream>

#include <CLI/CLI.hpp>

#ifndef GI_VERSION
#define GI_VERSION "0.1.0"
#endif

namespace gi::app {

int run_cli(int argc, char** argv) {
  CLI::App app{"gammainfra — OpenAI-compatible LLM gateway"};
  app.set_version_flag("--version", std::string("gammainfra ") + GI_VERSION);
  app.require_subcommand(1);
  auto* serve = app.add_subcommand("serve", "Run the gateway");
  (void)serve;
  CLI11_PARSE(app, argc, argv);
  std::cerr << "not implemented yet\n";
  return 1;
}

}  // namespace gi::app
