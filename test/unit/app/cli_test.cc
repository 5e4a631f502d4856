#include "app/cli.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace gi::app {
namespace {

struct harness {
  int serve_calls = 0, mock_calls = 0, demo_calls = 0;
  config::snapshot_ptr served;
  mock_cmd_options mock;
  demo_options demo;
  std::ostringstream out, err;

  int run(std::vector<std::string> args) {
    args.insert(args.begin(), "gammainfra");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    cli_commands c;
    c.serve = [this](config::snapshot_ptr s) { ++serve_calls; served = std::move(s); return 0; };
    c.mock_upstream = [this](const mock_cmd_options& o) { ++mock_calls; mock = o; return 0; };
    c.demo = [this](const demo_options& o) { ++demo_calls; demo = o; return 0; };
    c.env_is_set = [](std::string_view name) { return name == "OPENAI_API_KEY"; };
    return run_cli(static_cast<int>(argv.size()), argv.data(), c, out, err);
  }
};

TEST(cli, version) {
  harness h;
  EXPECT_EQ(h.run({"--version"}), 0);
  EXPECT_EQ(h.out.str().rfind("gammainfra ", 0), 0u) << h.out.str();
}

TEST(cli, help_on_every_command) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--help"}, {"serve", "--help"}, {"config", "--help"}, {"config", "check", "--help"},
        {"mock-upstream", "--help"}, {"demo", "--help"}}) {
    harness h;
    EXPECT_EQ(h.run(args), 0) << args.back();
    EXPECT_NE(h.out.str().find("Usage"), std::string::npos) << h.out.str();
    EXPECT_EQ(h.serve_calls + h.mock_calls + h.demo_calls, 0);
  }
}

TEST(cli, no_command_or_unknown_command_is_usage_error) {
  harness a;
  EXPECT_EQ(a.run({}), exit_usage);
  EXPECT_FALSE(a.err.str().empty());
  harness b;
  EXPECT_EQ(b.run({"frobnicate"}), exit_usage);
  EXPECT_FALSE(b.err.str().empty());
  harness c;
  EXPECT_EQ(c.run({"serve", "--bogus"}), exit_usage);
}

TEST(cli, config_check_valid_file) {
  test::temp_dir d;
  auto f = d.path() / "ok.yaml";
  test::write_file(f, "server:\n  port: 9090\n");
  harness h;
  EXPECT_EQ(h.run({"config", "check", f.string()}), 0) << h.err.str();
  std::string o = h.out.str();
  EXPECT_NE(o.find("port: 9090"), std::string::npos);
  EXPECT_NE(o.find("api_key_env: OPENAI_API_KEY  # set"), std::string::npos);
  EXPECT_NE(o.find("api_key_env: ANTHROPIC_API_KEY  # NOT SET"), std::string::npos);
  EXPECT_NE(o.find("is valid"), std::string::npos);
}

TEST(cli, config_check_invalid_file_names_path_and_line) {
  test::temp_dir d;
  auto f = d.path() / "bad.yaml";
  test::write_file(f, "server:\n  port: 9090\n  prot: 1\n");
  harness h;
  EXPECT_EQ(h.run({"config", "check", f.string()}), exit_invalid_config);
  EXPECT_NE(h.err.str().find("server.prot (line 3): unknown key"), std::string::npos) << h.err.str();
  EXPECT_NE(h.err.str().find(f.string()), std::string::npos);
  EXPECT_TRUE(h.out.str().empty());
}

TEST(cli, config_check_missing_file) {
  harness h;
  EXPECT_EQ(h.run({"config", "check", "/nonexistent/gi.yaml"}), exit_invalid_config);
  EXPECT_NE(h.err.str().find("cannot read"), std::string::npos);
  harness g;
  EXPECT_EQ(g.run({"config", "check"}), exit_usage);  // FILE is required
}

TEST(cli, serve_with_config_passes_snapshot) {
  test::temp_dir d;
  auto f = d.path() / "gi.yaml";
  test::write_file(f, "server:\n  port: 9191\n");
  harness h;
  EXPECT_EQ(h.run({"serve", "--config", f.string()}), 0);
  ASSERT_EQ(h.serve_calls, 1);
  EXPECT_EQ(h.served->server.port, 9191);
  EXPECT_EQ(h.served->source, f.string());
}

TEST(cli, serve_bad_config_exits_2_without_serving) {
  test::temp_dir d;
  auto f = d.path() / "gi.yaml";
  test::write_file(f, "server:\n  port: 99999\n");
  harness h;
  EXPECT_EQ(h.run({"serve", "--config", f.string()}), 2);
  EXPECT_EQ(h.serve_calls, 0);
  EXPECT_NE(h.err.str().find("server.port (line 2): must be 0..65535"), std::string::npos) << h.err.str();
}

TEST(cli, serve_without_file_uses_defaults) {
  // The test runs from the repository root (ctest WORKING_DIRECTORY), which has no
  // gammainfra.yaml; run from a temp dir to be sure.
  test::temp_dir d;
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(d.path());
  harness h;
  int rc = h.run({"serve"});
  std::filesystem::current_path(old);
  EXPECT_EQ(rc, 0);
  ASSERT_EQ(h.serve_calls, 1);
  EXPECT_EQ(h.served->server.port, 8080);
  EXPECT_EQ(h.served->source, "<defaults>");
}

TEST(cli, serve_picks_up_gammainfra_yaml_in_cwd) {
  test::temp_dir d;
  test::write_file(d.path() / "gammainfra.yaml", "server:\n  port: 7070\n");
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(d.path());
  harness h;
  int rc = h.run({"serve"});
  std::filesystem::current_path(old);
  EXPECT_EQ(rc, 0);
  ASSERT_EQ(h.serve_calls, 1);
  EXPECT_EQ(h.served->server.port, 7070);
}

TEST(cli, mock_upstream_options) {
  harness h;
  EXPECT_EQ(h.run({"mock-upstream", "--host", "0.0.0.0", "--port", "1234"}), 0);
  ASSERT_EQ(h.mock_calls, 1);
  EXPECT_EQ(h.mock.host, "0.0.0.0");
  EXPECT_EQ(h.mock.port, 1234);
  harness bad;
  EXPECT_EQ(bad.run({"mock-upstream", "--port", "70000"}), exit_usage);
  EXPECT_EQ(bad.mock_calls, 0);
}

TEST(cli, demo_options) {
  harness h;
  EXPECT_EQ(h.run({"demo"}), 0);
  EXPECT_EQ(h.demo.port, 8080);
  EXPECT_EQ(h.demo.data_dir, "./demo-data");
  harness g;
  EXPECT_EQ(g.run({"demo", "--port", "9000", "--data-dir", "/tmp/x"}), 0);
  EXPECT_EQ(g.demo.port, 9000);
  EXPECT_EQ(g.demo.data_dir, "/tmp/x");
}

TEST(cli, example_config_is_accepted) {
  harness h;
  auto f = test::source_dir() / "gammainfra.example.yaml";
  EXPECT_EQ(h.run({"config", "check", f.string()}), 0) << h.err.str();
}

// `gammainfra byok …` against a real store file: the secret comes from stdin and is stored
// sealed (never in the file, never printed); list shows providers only; rekey re-seals with a
// new master key; delete removes it. The master key comes from the environment (this test
// runs in its own process under ctest).
TEST(cli, byok_commands_seal_list_rekey_and_delete) {
  test::temp_dir d;
  const std::string db = (d.path() / "g.db").string();
  harness a;
  ASSERT_EQ(a.run({"accounts", "create", "--name", "B", "--db", db}), 0) << a.err.str();
  const std::string id = a.out.str().substr(0, a.out.str().find('\t'));
  ASSERT_FALSE(id.empty());

  const std::string key1(64, '1'), key2(64, '2');
  const std::string secret = "sk-provider-secret-0123456789";
  auto set_with_stdin = [&](const std::string& input, harness& h, std::vector<std::string> args) {
    std::istringstream in(input);
    auto* old = std::cin.rdbuf(in.rdbuf());
    int rc = h.run(std::move(args));
    std::cin.rdbuf(old);
    return rc;
  };

  ::unsetenv("GAMMAINFRA_BYOK_KEY");
  ::unsetenv("GAMMAINFRA_BYOK_PREVIOUS_KEY");
  harness no_key;
  EXPECT_EQ(set_with_stdin(secret + "\n", no_key, {"byok", "set", "--account", id, "--provider", "openai", "--db", db}), 1);
  EXPECT_NE(no_key.err.str().find("GAMMAINFRA_BYOK_KEY"), std::string::npos) << no_key.err.str();

  ::setenv("GAMMAINFRA_BYOK_KEY", key1.c_str(), 1);
  harness bad_provider;
  EXPECT_EQ(set_with_stdin(secret + "\n", bad_provider, {"byok", "set", "--account", id, "--provider", "cohere", "--db", db}), 2);
  EXPECT_NE(bad_provider.err.str().find("unknown provider 'cohere'"), std::string::npos) << bad_provider.err.str();

  harness set;
  ASSERT_EQ(set_with_stdin(secret + "\r\n", set, {"byok", "set", "--account", id, "--provider", "openai", "--db", db}), 0)
      << set.err.str();
  EXPECT_NE(set.out.str().find("stored (sealed) the openai key of " + id), std::string::npos) << set.out.str();
  EXPECT_EQ(set.out.str().find(secret), std::string::npos);

  harness list;
  ASSERT_EQ(list.run({"byok", "list", "--account", id, "--db", db}), 0) << list.err.str();
  EXPECT_NE(list.out.str().find(id + "\topenai\t"), std::string::npos) << list.out.str();
  EXPECT_EQ(list.out.str().find(secret), std::string::npos);
  for (const auto& f : {db, db + "-wal"}) {
    if (std::filesystem::exists(f)) {
      EXPECT_EQ(test::read_file(f).find(secret), std::string::npos) << "the secret reached " << f << " in clear";
    }
  }

  // Rotation: the old master key opens, the new one seals.
  ::setenv("GAMMAINFRA_BYOK_PREVIOUS_KEY", key1.c_str(), 1);
  ::setenv("GAMMAINFRA_BYOK_KEY", key2.c_str(), 1);
  harness rekey;
  ASSERT_EQ(rekey.run({"byok", "rekey", "--db", db}), 0) << rekey.err.str();
  EXPECT_NE(rekey.out.str().find("1 stored keys re-sealed"), std::string::npos) << rekey.out.str();

  harness del, again;
  ASSERT_EQ(del.run({"byok", "delete", "--account", id, "--provider", "openai", "--db", db}), 0) << del.err.str();
  EXPECT_EQ(del.out.str(), "deleted\n");
  ASSERT_EQ(again.run({"byok", "delete", "--account", id, "--provider", "openai", "--db", db}), 0);
  EXPECT_EQ(again.out.str(), "no stored key\n");
  ::unsetenv("GAMMAINFRA_BYOK_KEY");
  ::unsetenv("GAMMAINFRA_BYOK_PREVIOUS_KEY");
}

}  // namespace
}  // namespace gi::app
