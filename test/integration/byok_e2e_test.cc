// BYOK end to end (issue 10 §5, design §3.2, §3.3, §4.6): the real gateway with accounts,
// the in-process mock upstream recording the credential of every upstream request.
//   - a X-GammaInfra-Provider-Key-<Provider> header is the upstream credential for that
//     provider's endpoints; the attempt shows `;byok`; the caller pays the BYOK fee, not the
//     token price; the request log has byok=true;
//   - an `auth: byok` endpoint (BYOK-only) is skipped as no-key without the caller's key;
//   - a stored BYOK key (admin API, sealed with the master key) is used the same way, a
//     header beats it, deleting it takes effect at once;
//   - a provider rejecting the caller's key is a 401 naming the header, not a 502;
//   - no response, error or request-log row contains a BYOK secret.

#include <mutex>
#include <sstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "app/accounts_runtime.h"
#include "app/gateway_handler.h"
#include "mock/mock_server.h"
#include "route/credentials.h"
#include "server/gateway_server.h"
#include "support/accounts_gateway.h"
#include "support/http_client.h"
#include "support/test_support.h"
#include "upstream/options_from_config.h"

namespace gi::test {
namespace {

namespace json = boost::json;
using core::money;

constexpr const char* gateway_openai_key = "sk-gateway-own-openai-key";
constexpr const char* master_key = "8f1e2d3c4b5a69788796a5b4c3d2e1f000112233445566778899aabbccddeeff";

// What the mock saw: (path, Authorization) of every request.
struct seen_requests {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> all;
  void add(const mock::mock_request& r) {
    std::lock_guard lock(mu);
    all.emplace_back(std::string(r.target), std::string(r.authorization));
  }
  std::vector<std::pair<std::string, std::string>> take() {
    std::lock_guard lock(mu);
    return std::exchange(all, {});
  }
};

class byok_e2e : public accounts_fixture {
 protected:
  static void SetUpTestSuite() {
    seen_ = new seen_requests();
    mock::server_options o;
    o.on_request = [](const mock::mock_request& r) { seen_->add(r); };
    start_mock(o);
  }
  static void TearDownTestSuite() {
    accounts_fixture::TearDownTestSuite();
    delete seen_;
  }
  void SetUp() override { start(); }

  void start() {
    std::string m = mock_->base_url();
    std::string yaml =
        yaml_head("  byok_fee_usd: \"0.0001\"\n") +
        "endpoints:\n"
        "  - id: test/openai\n    provider: openai\n    model: gpt-4o-mini\n"
        "    base_url: " + m + "/v1\n    api_key_env: TEST_OPENAI_KEY\n"
        "    prices: {input: \"1\", output: \"2\"}\n"
        "  - id: test/groq\n    provider: groq\n    model: llama-3.1-8b-instant\n"
        "    base_url: " + m + "/groq/openai/v1\n    auth: byok\n"
        "    prices: {input: \"0.1\", output: \"0.2\"}\n"
        "  - id: test/groq-rejects\n    provider: groq\n    model: llama-3.1-8b-instant@401\n"
        "    base_url: " + m + "/groq/openai/v1\n    auth: byok\n"
        "    prices: {input: \"0.1\", output: \"0.2\"}\n"
        "routing:\n  default_task: chat\n  chains:\n    chat: [test/groq, test/openai]\n";
    start_gateway(yaml, [](const std::string& n) -> std::optional<std::string> {
      if (n == "TEST_OPENAI_KEY") return gateway_openai_key;
      if (n == "GAMMAINFRA_BYOK_KEY") return master_key;
      return std::nullopt;
    });
    ASSERT_FALSE(HasFatalFailure());
    billing::create_account_request ar;
    ar.name = "byok";
    auto a = rt_->service->create_account(ar, "test");
    ASSERT_TRUE(a);
    account_ = a->id;
    billing::create_key_request kr;
    kr.account_id = account_;
    auto k = rt_->service->create_key(kr, "test");
    ASSERT_TRUE(k);
    key_ = k->secret;
    seen_->take();
  }

  std::optional<http_response> chat(const std::string& model, const std::string& extra_headers = "",
                                    bool stream = false) {
    std::string body = R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hello there"}])" +
                       (stream ? R"(,"stream":true)" : "") + "}";
    return simple_request(port_, "POST", "/v1/chat/completions", body,
                          "Authorization: Bearer " + key_ + "\r\nContent-Type: application/json\r\n" +
                              extra_headers);
  }
  money balance() { return rt_->service->ledger().view(account_)->balance; }
  std::vector<storage::request_record> log() { return accounts_fixture::log(account_); }
  std::optional<storage::ledger_entry> charge_of(const std::string& request_id) {
    rt_->service->flush();
    auto e = rt_->store->find_ledger(account_, std::string(storage::ledger_charge), request_id);
    EXPECT_TRUE(e);
    return e ? *e : std::nullopt;
  }

  static seen_requests* seen_;
  std::string account_, key_;
};
seen_requests* byok_e2e::seen_ = nullptr;

TEST_F(byok_e2e, without_a_caller_key_the_byok_only_endpoint_is_skipped_and_tokens_are_billed) {
  auto r = chat("auto");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "test/openai");
  auto chain = r->header("x-gammainfra-fallback-chain");
  EXPECT_EQ(chain.rfind("test/groq;skipped=no-key, test/openai;ok", 0), 0u) << chain;
  EXPECT_EQ(chain.find(";byok"), std::string::npos);
  auto seen = seen_->take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, "/v1/chat/completions");
  EXPECT_EQ(seen[0].second, std::string("Bearer ") + gateway_openai_key);
  // Billed at the token price (input 1, output 2 per million), not the BYOK fee.
  auto cost = *money::parse(r->header("x-gammainfra-cost-usd"));
  EXPECT_TRUE(cost.is_positive());
  EXPECT_NE(cost, usd("0.0001"));
  EXPECT_EQ(balance(), usd("3") - cost);
  auto rows = log();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].byok);
}

TEST_F(byok_e2e, header_key_reaches_the_provider_is_marked_and_billed_the_byok_fee) {
  const std::string caller_key = "gsk-caller-own-groq-key-123";
  auto r = chat("auto", "X-GammaInfra-Provider-Key-Groq: " + caller_key + "\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "test/groq");
  auto chain = r->header("x-gammainfra-fallback-chain");
  EXPECT_EQ(chain.rfind("test/groq;ok;ms=", 0), 0u) << chain;
  EXPECT_TRUE(chain.ends_with(";byok")) << chain;
  auto seen = seen_->take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, "/groq/openai/v1/chat/completions");
  EXPECT_EQ(seen[0].second, "Bearer " + caller_key);
  // The BYOK fee instead of the provider price; the ledger row says the same.
  EXPECT_EQ(r->header("x-gammainfra-cost-usd"), "0.0001");
  EXPECT_EQ(r->header("x-gammainfra-credit-remaining-usd"), (usd("3") - usd("0.0001")).to_string());
  auto id = r->header("x-gammainfra-request-id");
  auto charge = charge_of(id);
  ASSERT_TRUE(charge);
  EXPECT_EQ(charge->amount_nanos, -usd("0.0001").nanos());
  auto rows = log();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].byok);
  EXPECT_EQ(rows[0].cost_nanos, usd("0.0001").nanos());
  EXPECT_TRUE(rows[0].chain.ends_with(";byok"));
  // The secret is nowhere in the answer or the log row.
  EXPECT_EQ(r->body.find(caller_key), std::string::npos);
  for (const auto& [k, v] : r->headers) EXPECT_EQ(v.find(caller_key), std::string::npos) << k;
  EXPECT_EQ(app::usage_record_json(rows[0]).find(caller_key), std::string::npos);
}

TEST_F(byok_e2e, header_key_replaces_the_gateway_key_for_that_provider_only) {
  const std::string caller_openai = "sk-caller-openai-abc";
  auto r = chat("test/openai", "X-GammaInfra-Provider-Key-OpenAI: " + caller_openai + "\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto seen = seen_->take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, "Bearer " + caller_openai);
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").ends_with(";byok"));
  EXPECT_EQ(r->header("x-gammainfra-cost-usd"), "0.0001");
  // A key for another provider leaves OpenAI on the gateway's key (and billed by tokens).
  auto other = chat("test/openai", "X-GammaInfra-Provider-Key-Anthropic: sk-ant-caller\r\n");
  ASSERT_TRUE(other);
  ASSERT_EQ(other->status, 200) << other->body;
  seen = seen_->take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, std::string("Bearer ") + gateway_openai_key);
  EXPECT_EQ(other->header("x-gammainfra-fallback-chain").find(";byok"), std::string::npos);
  EXPECT_NE(other->header("x-gammainfra-cost-usd"), "0.0001");
}

TEST_F(byok_e2e, stream_marks_byok_in_headers_final_chunk_and_trailers) {
  const std::string caller_key = "gsk-stream-key-777";
  auto r = chat("auto", "X-GammaInfra-Provider-Key-Groq: " + caller_key + "\r\n", true);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").ends_with(";byok"));
  EXPECT_TRUE(r->trailers.at("x-gammainfra-fallback-chain").ends_with(";byok"));
  EXPECT_EQ(r->trailers.at("x-gammainfra-cost-usd"), "0.0001");
  EXPECT_NE(r->body.find(";byok\""), std::string::npos) << r->body;  // x_gammainfra.fallback_chain
  EXPECT_EQ(r->body.find(caller_key), std::string::npos);
  auto seen = seen_->take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, "Bearer " + caller_key);
}

TEST_F(byok_e2e, stored_key_is_used_header_wins_and_delete_takes_effect) {
  const std::string stored = "gsk-stored-by-admin-456";
  auto put = admin("PUT", "/admin/accounts/" + account_ + "/byok/groq", R"({"key":")" + stored + R"("})");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 201) << put->body;
  EXPECT_EQ(put->body.find(stored), std::string::npos);
  auto list = admin("GET", "/admin/accounts/" + account_ + "/byok");
  ASSERT_TRUE(list && list->status == 200);
  EXPECT_EQ(json::parse(list->body).at("providers").at(0).as_string(), "groq");
  EXPECT_EQ(list->body.find(stored), std::string::npos);

  auto r = chat("auto");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "test/groq");
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").ends_with(";byok"));
  auto seen = seen_->take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, "Bearer " + stored);

  auto h = chat("auto", "X-GammaInfra-Provider-Key-Groq: gsk-header-wins\r\n");
  ASSERT_TRUE(h && h->status == 200);
  seen = seen_->take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, "Bearer gsk-header-wins");

  auto del = admin("DELETE", "/admin/accounts/" + account_ + "/byok/groq");
  ASSERT_TRUE(del && del->status == 200) << (del ? del->body : "");
  auto after = chat("auto");
  ASSERT_TRUE(after && after->status == 200);
  EXPECT_EQ(after->header("x-gammainfra-endpoint"), "test/openai");
  // At rest the store holds ciphertext only (checked while it existed: the audit names it).
  auto audit = admin("GET", "/admin/audit");
  ASSERT_TRUE(audit && audit->status == 200);
  EXPECT_NE(audit->body.find("byok.set"), std::string::npos);
  EXPECT_EQ(audit->body.find(stored), std::string::npos);
}

TEST_F(byok_e2e, bad_admin_input_is_rejected) {
  auto unknown = admin("PUT", "/admin/accounts/" + account_ + "/byok/nope", R"({"key":"x"})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  auto missing = admin("PUT", "/admin/accounts/" + account_ + "/byok/openai", R"({})");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  auto bedrock = admin("PUT", "/admin/accounts/" + account_ + "/byok/bedrock", R"({"key":"no-colon"})");
  ASSERT_TRUE(bedrock);
  EXPECT_EQ(bedrock->status, 400);
  auto no_account = admin("PUT", "/admin/accounts/acct_missing/byok/openai", R"({"key":"k"})");
  ASSERT_TRUE(no_account);
  EXPECT_EQ(no_account->status, 404);
}

TEST_F(byok_e2e, a_rejected_caller_key_is_401_not_502) {
  auto r = chat("test/groq-rejects",
                "X-GammaInfra-Provider-Key-Groq: gsk-wrong-key\r\nX-GammaInfra-Fallback: off\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << r->body;
  auto e = json::parse(r->body);
  EXPECT_EQ(e.at("error").at("code").as_string(), "invalid_provider_key");
  EXPECT_NE(std::string(e.at("error").at("message").as_string()).find("groq"), std::string::npos);
  EXPECT_EQ(r->body.find("gsk-wrong-key"), std::string::npos);
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").ends_with(";byok"));
}

TEST_F(byok_e2e, malformed_byok_headers_are_400_naming_the_header) {
  auto unknown = chat("auto", "X-GammaInfra-Provider-Key-Nope: k\r\n");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("X-GammaInfra-Provider-Key-Nope"), std::string::npos) << unknown->body;
  auto bedrock = chat("auto", "X-GammaInfra-Provider-Key-Bedrock: only-an-id\r\n");
  ASSERT_TRUE(bedrock);
  EXPECT_EQ(bedrock->status, 400);
  EXPECT_EQ(bedrock->body.find("only-an-id"), std::string::npos);
}

TEST(byok_credentials, bedrock_secret_shape_and_auth_none_never_uses_byok) {
  config::endpoint_config br;
  br.id = "bedrock/x";
  br.provider = core::provider_kind::bedrock;
  br.aws_region = "us-east-1";
  auto c = route::byok_credentials(br, "AKIDCALLER:secretpart:tokenpart");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDCALLER");
  EXPECT_EQ(c->secret_access_key, "secretpart");
  EXPECT_EQ(c->session_token, "tokenpart");
  EXPECT_EQ(c->region, "us-east-1");
  auto two = route::byok_credentials(br, "AKID:sec");
  ASSERT_TRUE(two);
  EXPECT_TRUE(two->session_token.empty());
  EXPECT_FALSE(route::byok_credentials(br, "AKID:"));
  EXPECT_FALSE(route::byok_credentials(br, ":sec"));
  config::endpoint_config local;
  local.id = "openai/local";
  local.provider = core::provider_kind::openai;
  local.auth_none = true;
  std::vector<core::byok_secret> byok{{core::provider_kind::openai, "sk-x"}};
  EXPECT_FALSE(route::credential_source::uses_byok(local, byok));
  local.auth_none = false;
  EXPECT_TRUE(route::credential_source::uses_byok(local, byok));
}

}  // namespace
}  // namespace gi::test
