#include "app/cli.h"

#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>

#include "config/describe.h"

#ifndef GI_VERSION
#define GI_VERSION "0.1.0"
#endif

namespace gi::app {

namespace {

void print_config_error(std::ostream& err, const config::config_error& e) {
  err << "error: " << (e.origin.empty() ? std::string() : e.origin + ": ") << e.to_string() << '\n';
}

}  // namespace

int run_cli(int argc, char** argv, const cli_commands& commands, std::ostream& out, std::ostream& err) {
  CLI::App app{"gammainfra — OpenAI-compatible LLM gateway in front of eight providers", "gammainfra"};
  app.set_version_flag("--version", std::string("gammainfra ") + GI_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  std::string serve_config;
  auto* serve = app.add_subcommand("serve", "Run the gateway in the foreground until SIGTERM/SIGINT");
  serve->add_option("--config,-c", serve_config,
                    "Config file (default: ./gammainfra.yaml if present, else built-in defaults)");

  auto* config_cmd = app.add_subcommand("config", "Configuration tools");
  config_cmd->require_subcommand(1);
  std::string check_file;
  auto* check = config_cmd->add_subcommand("check", "Validate a config file and print the resolved snapshot");
  check->add_option("FILE", check_file, "Config file to validate")->required();

  mock_cmd_options mock_opts;
  auto* mock = app.add_subcommand("mock-upstream", "Run the mock provider server alone (all wire formats)");
  mock->add_option("--host", mock_opts.host, "Address to bind")->capture_default_str();
  mock->add_option("--port,-p", mock_opts.port, "Port to bind (0 = pick a free port, printed on start)")
      ->capture_default_str();

  demo_options demo_opts;
  auto* demo = app.add_subcommand("demo", "Gateway + in-process mock providers, no network or keys needed");
  demo->add_option("--port,-p", demo_opts.port, "Gateway port")->capture_default_str();
  demo->add_option("--data-dir", demo_opts.data_dir, "Directory for the demo's data")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e, out, err);
    // --help and --version are successes; everything else is a usage error.
    return rc == 0 ? exit_ok : exit_usage;
  }

  if (serve->parsed()) {
    config::snapshot_ptr cfg;
    if (serve_config.empty() && std::filesystem::exists("gammainfra.yaml")) serve_config = "gammainfra.yaml";
    if (serve_config.empty()) {
      cfg = config::defaults();
    } else {
      auto r = config::load_file(serve_config);
      if (!r) {
        print_config_error(err, r.error());
        return exit_usage;
      }
      cfg = std::move(r).value();
    }
    return commands.serve(std::move(cfg));
  }
  if (check->parsed()) {
    auto r = config::load_file(check_file);
    if (!r) {
      print_config_error(err, r.error());
      return exit_invalid_config;
    }
    out << config::describe(**r, commands.env_is_set);
    out << "# OK: " << check_file << " is valid\n";
    return exit_ok;
  }
  if (mock->parsed()) return commands.mock_upstream(mock_opts);
  if (demo->parsed()) return commands.demo(demo_opts);
  err << "error: no command given (try --help)\n";
  return exit_usage;
}

}  // namespace gi::app
