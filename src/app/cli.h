#pragma once
// The command line (design §2), parsed with CLI11.

#include <functional>
#include <iosfwd>

#include "app/classify_cmd.h"
#include "app/demo.h"
#include "app/mock_cmd.h"
#include "app/route_cmd.h"
#include "config/config.h"

namespace gi::app {

// Parses the command line (CLI11) and runs the chosen command. Returns the exit code.
int run_cli(int argc, char** argv);

// The commands run_cli dispatches to, injectable so tests can parse command lines without
// starting servers. run_cli(argc, argv) uses run_serve, run_mock_upstream and run_demo.
struct cli_commands {
  std::function<int(config::snapshot_ptr)> serve;
  std::function<int(const mock_cmd_options&)> mock_upstream;
  std::function<int(const demo_options&)> demo;
  // Whether an environment variable is set and non-empty (for `config check`).
  std::function<bool(std::string_view)> env_is_set;
  // Task classifier commands (issue 9); default to the real ones (they start no servers).
  std::function<int(const classify_options&, std::ostream&, std::ostream&)> classify = run_classify_cmd;
  std::function<int(const train_options&, std::ostream&, std::ostream&)> train_classifier = run_train_cmd;
  std::function<int(const fetch_options&, std::ostream&, std::ostream&)> model_fetch = run_model_fetch_cmd;
  // `route --explain` (issue 8); starts no servers.
  std::function<int(const route_options&, std::ostream&, std::ostream&)> route = run_route_cmd;
};
int run_cli(int argc, char** argv, const cli_commands& commands, std::ostream& out, std::ostream& err);

// Exit codes.
inline constexpr int exit_ok = 0;
inline constexpr int exit_invalid_config = 1;  // `config check` on an invalid file
inline constexpr int exit_usage = 2;           // bad command line, or serve's config failed to load

}  // namespace gi::app
