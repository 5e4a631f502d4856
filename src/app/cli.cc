#include "app/cli.h"

#include <filesystem>
#include <ostream>

#include <CLI/CLI.hpp>

#include "app/accounts_cmd.h"
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

  classify_options classify_opts;
  auto* classify = app.add_subcommand("classify", "Print the task label, source and the 8 class probabilities");
  classify->add_option("TEXT", classify_opts.texts, "Text(s) to classify");
  classify->add_option("--file,-f", classify_opts.file,
                       "JSONL with \"text\" per line; with \"label\" on every line prints accuracy, macro-F1, "
                       "per-class F1 and the confusion matrix");
  classify->add_option("--encoder", classify_opts.encoder,
                       "auto (MiniLM when installed and trained, else lexical) | lexical | minilm")
      ->capture_default_str();
  classify->add_option("--model", classify_opts.model, "Lexical model file (default: the built-in shipped model)");
  classify->add_option("--data-dir", classify_opts.data_dir,
                       "Where `model fetch` installed MiniLM (default: $GAMMAINFRA_DATA_DIR or ./gammainfra-data)");

  train_options train_opts;
  auto* train = app.add_subcommand("train-classifier", "Fit the task classifier on a labelled JSONL set");
  train->add_option("--train", train_opts.train, "Training JSONL")->capture_default_str();
  train->add_option("--dev", train_opts.dev, "Dev JSONL, only for the report (\"\" = none)")->capture_default_str();
  train->add_option("--encoder", train_opts.encoder, "lexical | minilm")->capture_default_str();
  train->add_option("--out", train_opts.out,
                    "Output file (default: models/task-lexical-v1.bin, or <data-dir>/models/task-minilm-head.bin)");
  train->add_option("--seed", train_opts.seed, "Shuffle seed (fixed seed = bit-identical model)")->capture_default_str();
  train->add_option("--epochs", train_opts.epochs, "Epochs (0 = default: lexical 8, minilm head 30)")
      ->capture_default_str();
  train->add_option("--cv", train_opts.cv_folds, "Also report k-fold cross-validation on train (lexical)");
  train->add_option("--data-dir", train_opts.data_dir, "MiniLM data dir (see classify --data-dir)");

  auto* model_cmd = app.add_subcommand("model", "Manage the MiniLM encoder files");
  model_cmd->require_subcommand(1);
  fetch_options fetch_opts;
  auto* fetch = model_cmd->add_subcommand(
      "fetch", "Download all-MiniLM-L6-v2 at the pinned revision, self-check it and record sha256s");
  fetch->add_option("--from", fetch_opts.from, "Install from a local directory (config.json, vocab.txt, model.safetensors)");
  fetch->add_option("--data-dir", fetch_opts.data_dir, "Install under DIR/models (default: $GAMMAINFRA_DATA_DIR or ./gammainfra-data)");
  fetch->add_option("--base-url", fetch_opts.base_url, "Model hub (https)")->capture_default_str();
  fetch->add_option("--ca-file", fetch_opts.ca_file, "Extra trusted CA certificate (PEM)");

  route_options route_opts;
  auto* route_cmd = app.add_subcommand("route", "Routing tools: --explain prints the ranked candidates of a task");
  route_cmd->add_flag("--explain", route_opts.explain, "Print every candidate with its score terms");
  route_cmd->add_option("--task", route_opts.task, "Task whose chain to rank")->capture_default_str();
  route_cmd->add_option("-H,--header", route_opts.headers, "Request header 'Name: value' (repeatable)");
  route_cmd->add_option("--config,-c", route_opts.config, "Config file (default: ./gammainfra.yaml or built-in)");
  route_cmd->add_option("--gateway", route_opts.gateway, "A running gateway's URL (use its live stats)");
  route_cmd->add_option("--api-key", route_opts.api_key, "API key for --gateway (default: $GAMMAINFRA_API_KEY)");
  route_cmd->add_flag("--json", route_opts.json, "Print JSON instead of a table");
  route_cmd->add_option("--image-url", route_opts.image_url,
                        "Explain a request carrying an image by this URL (Bedrock takes none)");

  accounts_commands accounts_cli(app);  // accounts, keys, topup, usage (issue 10)

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
  if (auto rc = accounts_cli.run(out, err)) return *rc;
  if (route_cmd->parsed()) return commands.route(route_opts, out, err);
  if (mock->parsed()) return commands.mock_upstream(mock_opts);
  if (demo->parsed()) return commands.demo(demo_opts);
  if (classify->parsed()) return commands.classify(classify_opts, out, err);
  if (train->parsed()) return commands.train_classifier(train_opts, out, err);
  if (fetch->parsed()) return commands.model_fetch(fetch_opts, out, err);
  err << "error: no command given (try --help)\n";
  return exit_usage;
}

}  // namespace gi::app
