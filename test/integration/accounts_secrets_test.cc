// No secret in any output (issue 10 "Reliability and security bar"): a real `gammainfra
// serve` child with the access log on runs requests that use every kind of secret — the
// gateway's provider key (env), the caller's gateway API key, a BYOK header key, a stored
// BYOK key, a BYOK key the provider rejects, a bogus gateway key, the admin token and a
// wrong one — through success, stream and error paths. Then the child's stdout and stderr,
// the SQLite files (database, WAL), /metrics and every HTTP answer are searched for each
// secret: none may appear.

#include <mutex>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "accounts_subprocess.h"
#include "mock/mock_server.h"
#include "support/http_client.h"
#include "support/test_support.h"

namespace gi::test {
namespace {

namespace json = boost::json;

constexpr const char* provider_secret = "sk-provider-env-SECRET-a1b2c3d4e5";
constexpr const char* admin_secret = "admin-SECRET-token-f6g7h8";
constexpr const char* wrong_admin_secret = "wrong-admin-SECRET-i9j0";
constexpr const char* byok_header_secret = "sk-byok-header-SECRET-k1l2m3";
constexpr const char* byok_stored_secret = "gsk-byok-stored-SECRET-n4o5p6";
constexpr const char* byok_rejected_secret = "gsk-byok-rejected-SECRET-q7r8";
constexpr const char* bogus_gateway_key = "sk-gammainfra-BOGUSSECRETxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
constexpr const char* master_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

TEST(accounts_secrets, no_secret_reaches_logs_store_metrics_or_answers) {
  std::mutex mu;
  std::vector<std::string> upstream_auth;  // what the mock received (proves the keys were used)
  mock::server_options mo;
  mo.on_request = [&](const mock::mock_request& r) {
    std::lock_guard lock(mu);
    upstream_auth.emplace_back(r.authorization);
  };
  mock::mock_server mock;
  ASSERT_TRUE(mock.start(mo));
  temp_dir dir;
  const std::string m = mock.base_url();
  write_file(dir.path() / "g.yaml",
             "catalog: false\nserver:\n  host: 127.0.0.1\n  port: 0\n  threads: 2\n"
             "logging:\n  level: debug\n  access_log: true\n"
             "accounts:\n  enabled: true\n  store: \"" + (dir.path() / "g.db").string() + "\"\n"
             "  flush_interval: 20ms\n"
             "endpoints:\n"
             "  - id: test/cheap\n    provider: openai\n    model: gpt-4o-mini\n"
             "    base_url: " + m + "/v1\n    api_key_env: TEST_KEY\n"
             "    prices: {input: \"1\", output: \"2\"}\n"
             "  - id: test/broken\n    provider: openai\n    model: gpt-4o-mini@500\n"
             "    base_url: " + m + "/v1\n    api_key_env: TEST_KEY\n"
             "    prices: {input: \"1\", output: \"2\"}\n"
             "  - id: test/groq\n    provider: groq\n    model: llama-3.1-8b-instant\n"
             "    base_url: " + m + "/groq/openai/v1\n    auth: byok\n"
             "    prices: {input: \"1\", output: \"2\"}\n"
             "  - id: test/groq-rejects\n    provider: groq\n    model: llama-3.1-8b-instant@401\n"
             "    base_url: " + m + "/groq/openai/v1\n    auth: byok\n"
             "    prices: {input: \"1\", output: \"2\"}\n"
             "routing:\n  default_task: chat\n  chains:\n    chat: [test/cheap]\n");
  std::map<std::string, std::string> env{{"TEST_KEY", provider_secret},
                                         {"GAMMAINFRA_ADMIN_TOKEN", admin_secret},
                                         {"GAMMAINFRA_BYOK_KEY", master_key},
                                         {"PATH", "/usr/bin:/bin"}};
  gateway_process gw(dir.path() / "g.yaml", env, dir.path(), "gw");
  ASSERT_TRUE(gw.start()) << gw.error();
  const auto port = gw.port();

  std::vector<http_response> answers;
  auto keep = [&](std::optional<http_response> r, int want) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, want) << r->body;
    answers.push_back(std::move(*r));
  };
  auto admin = [&](const std::string& method, const std::string& target, const std::string& body,
                   const std::string& token = admin_secret) {
    return simple_request(port, method, target, body,
                          "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n");
  };
  auto acct = admin("POST", "/admin/accounts", R"({"name":"secrets","store_prompts":true})");
  ASSERT_TRUE(acct && acct->status == 201);
  std::string account(json::parse(acct->body).at("id").as_string());
  auto key_r = admin("POST", "/admin/accounts/" + account + "/keys", "{}");
  ASSERT_TRUE(key_r && key_r->status == 201);
  const std::string gateway_key(json::parse(key_r->body).at("api_key").as_string());
  keep(admin("PUT", "/admin/accounts/" + account + "/byok/groq", std::string(R"({"key":")") + byok_stored_secret + "\"}"),
       201);
  keep(admin("GET", "/admin/accounts", "", wrong_admin_secret), 401);

  auto chat = [&](const std::string& key, const std::string& model, const std::string& extra = "",
                  bool stream = false) {
    std::string body = R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}])" +
                       (stream ? R"(,"stream":true)" : "") + "}";
    return simple_request(port, "POST", "/v1/chat/completions", body,
                          "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n" + extra);
  };
  keep(chat(gateway_key, "test/cheap"), 200);
  keep(chat(gateway_key, "test/cheap", "", true), 200);
  keep(chat(gateway_key, "test/cheap", std::string("X-GammaInfra-Provider-Key-OpenAI: ") + byok_header_secret + "\r\n"),
       200);
  keep(chat(gateway_key, "test/groq"), 200);  // the stored BYOK key
  keep(chat(gateway_key, "test/groq-rejects",
            std::string("X-GammaInfra-Provider-Key-Groq: ") + byok_rejected_secret + "\r\nX-GammaInfra-Fallback: off\r\n"),
       401);
  keep(chat(gateway_key, "test/broken", "X-GammaInfra-Fallback: off\r\n"), 502);
  keep(chat(bogus_gateway_key, "test/cheap"), 401);
  keep(chat(gateway_key, "auto", "X-GammaInfra-Provider-Key-Nope: whatever\r\n"), 400);
  keep(simple_request(port, "GET", "/v1/usage", "", "Authorization: Bearer " + gateway_key + "\r\n"), 200);
  keep(simple_request(port, "GET", "/v1/account", "", "Authorization: Bearer " + gateway_key + "\r\n"), 200);
  keep(admin("GET", "/admin/usage?format=csv", ""), 200);
  keep(admin("GET", "/admin/audit", ""), 200);
  keep(simple_request(port, "GET", "/readyz?deep=1"), 200);
  auto metrics = simple_request(port, "GET", "/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  ASSERT_TRUE(gw.terminate());  // graceful: flushes the request log and charges

  {
    // The secrets were really used upstream (else the search below proves nothing).
    std::lock_guard lock(mu);
    auto saw = [&](const std::string& s) {
      return std::find(upstream_auth.begin(), upstream_auth.end(), "Bearer " + s) != upstream_auth.end();
    };
    EXPECT_TRUE(saw(provider_secret));
    EXPECT_TRUE(saw(byok_header_secret));
    EXPECT_TRUE(saw(byok_stored_secret));
    EXPECT_TRUE(saw(byok_rejected_secret));
  }

  std::vector<std::pair<std::string, std::string>> outputs;  // (name, content)
  outputs.emplace_back("stdout", read_file(gw.stdout_path()));
  outputs.emplace_back("stderr", read_file(gw.stderr_path()));
  for (const auto& f : std::filesystem::directory_iterator(dir.path()))
    if (f.path().filename().string().starts_with("g.db")) outputs.emplace_back(f.path().filename().string(), read_file(f.path()));
  outputs.emplace_back("metrics", metrics->body);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    std::string all = answers[i].body;
    for (const auto& [k, v] : answers[i].headers) all += k + ": " + v + "\n";
    for (const auto& [k, v] : answers[i].trailers) all += k + ": " + v + "\n";
    outputs.emplace_back("answer " + std::to_string(i), std::move(all));
  }
  // Sanity: the access log did record the requests (so stdout was a real log to search).
  EXPECT_NE(outputs[0].second.find("/v1/chat/completions"), std::string::npos) << outputs[0].second;

  const std::vector<std::string> secrets{provider_secret,      admin_secret,        wrong_admin_secret,
                                         byok_header_secret,   byok_stored_secret,  byok_rejected_secret,
                                         bogus_gateway_key,    gateway_key,         master_key,
                                         gateway_key.substr(18)};  // past the display prefix
  for (const auto& [name, content] : outputs)
    for (const auto& s : secrets) EXPECT_EQ(content.find(s), std::string::npos) << "secret found in " << name;
  mock.stop();
}

}  // namespace
}  // namespace gi::test
