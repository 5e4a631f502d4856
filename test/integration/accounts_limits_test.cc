// Accounts limits end to end (issue 10 §2, §3, §7, §9, §1): per-key spend limit (402 naming
// the limit; parallel requests cannot overrun it), the prompt opt-in (prompt text in the
// request log only for accounts that opted in), per-address signup limiting and
// `/readyz?deep=1` with the store's integrity check. Real gateway + in-process mock + SQLite.

#include <atomic>
#include <sstream>
#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "app/accounts_runtime.h"
#include "app/gateway_handler.h"
#include "auth/api_key.h"
#include "mock/mock_server.h"
#include "server/gateway_server.h"
#include "support/accounts_gateway.h"
#include "support/http_client.h"
#include "support/test_support.h"
#include "upstream/options_from_config.h"

namespace gi::test {
namespace {

namespace json = boost::json;
using core::money;

class accounts_limits : public accounts_fixture {
 protected:
  void start(const std::string& accounts_extra = "") {
    start_one_endpoint(R"({input: "1000", output: "2000"})", accounts_extra);
    ASSERT_FALSE(HasFatalFailure());
  }

  std::pair<std::string, std::string> account_with_key(bool prompts, std::optional<money> limit = {},
                                                       money trial = usd("3")) {
    billing::create_account_request ar;
    ar.name = "t";
    ar.store_prompts = prompts;
    ar.trial = trial;
    auto a = rt_->service->create_account(ar, "test");
    EXPECT_TRUE(a);
    billing::create_key_request kr;
    kr.account_id = a->id;
    kr.spend_limit = limit;
    auto k = rt_->service->create_key(kr, "test");
    EXPECT_TRUE(k);
    return {a->id, k->secret};
  }

  std::optional<http_response> chat(const std::string& key, const std::string& text = "hello there",
                                    int max_tokens = 20) {
    std::string body = R"({"model":"auto","max_tokens":)" + std::to_string(max_tokens) +
                       R"(,"messages":[{"role":"user","content":")" + text + R"("}]})";
    return simple_request(port_, "POST", "/v1/chat/completions", body,
                          "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n");
  }
};

TEST_F(accounts_limits, spend_limit_refuses_with_402_naming_the_limit) {
  start();
  // One request reserves ~ (prompt + 20 output tokens) at $1000/$2000 per million ≈ $0.05.
  auto [account, key] = account_with_key(false, usd("0.1"));
  int ok = 0;
  std::optional<http_response> refused;
  for (int i = 0; i < 10 && !refused; ++i) {
    auto r = chat(key);
    ASSERT_TRUE(r);
    if (r->status == 200) ++ok;
    else refused = r;
  }
  ASSERT_TRUE(refused) << "the limit never applied";
  EXPECT_GE(ok, 1);
  EXPECT_EQ(refused->status, 402) << refused->body;
  auto e = json::parse(refused->body);
  EXPECT_EQ(e.at("error").at("code").as_string(), "key_spend_limit_exceeded");
  EXPECT_NE(std::string(e.at("error").at("message").as_string()).find("$0.1"), std::string::npos)
      << refused->body;
  // The key's spend never exceeds the limit by more than one request's excess over its
  // estimate (here actual ≤ estimate, so never at all).
  EXPECT_LE(rt_->service->spend().spent(rt_->service->keys()->by_digest(auth::sha256_raw(key))->id), usd("0.1"));
  // Another key of the same account is not limited by it.
  billing::create_key_request kr;
  kr.account_id = account;
  auto other = rt_->service->create_key(kr, "test");
  ASSERT_TRUE(other);
  auto r = chat(other->secret);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(accounts_limits, parallel_requests_cannot_overrun_a_spend_limit) {
  start();
  auto [account, key] = account_with_key(false, usd("0.2"));
  std::atomic<int> ok{0}, limited{0}, other{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        auto r = chat(key);
        if (r && r->status == 200) ok++;
        else if (r && r->status == 402) limited++;
        else other++;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(limited.load(), 0);
  auto key_id = rt_->service->keys()->by_digest(auth::sha256_raw(key))->id;
  EXPECT_LE(rt_->service->spend().spent(key_id), usd("0.2"));
  // The store agrees with memory after the flush.
  rt_->service->flush();
  auto totals = rt_->store->key_spend_totals();
  ASSERT_TRUE(totals);
  for (const auto& [k, v] : *totals) {
    if (k == key_id) {
      EXPECT_EQ(v, rt_->service->spend().spent(key_id).nanos());
    }
  }
}

TEST_F(accounts_limits, prompt_text_is_logged_only_for_accounts_that_opted_in) {
  start();
  auto [in_acct, in_key] = account_with_key(true);
  auto [out_acct, out_key] = account_with_key(false);
  auto a = chat(in_key, "opted in prompt text");
  ASSERT_TRUE(a && a->status == 200) << (a ? a->body : "");
  auto b = chat(out_key, "private prompt text");
  ASSERT_TRUE(b && b->status == 200) << (b ? b->body : "");
  auto in_rows = log(in_acct);
  ASSERT_EQ(in_rows.size(), 1u);
  EXPECT_NE(in_rows[0].prompt.find("user: opted in prompt text"), std::string::npos) << in_rows[0].prompt;
  auto out_rows = log(out_acct);
  ASSERT_EQ(out_rows.size(), 1u);
  EXPECT_TRUE(out_rows[0].prompt.empty());
  // Nowhere in the whole request log.
  storage::usage_query all;
  auto rows = rt_->store->usage(all);
  ASSERT_TRUE(rows);
  for (const auto& r : *rows) EXPECT_EQ(r.prompt.find("private prompt text"), std::string::npos);
}

TEST_F(accounts_limits, signup_is_limited_per_client_address) {
  start("  signup: {enabled: true, per_ip_per_hour: 2}\n");
  auto signup = [&](const std::string& email) {
    return simple_request(port_, "POST", "/v1/signup", R"({"email":")" + email + R"("})",
                          "Content-Type: application/json\r\n");
  };
  auto a = signup("a@example.com");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 201) << a->body;
  auto v = json::parse(a->body);
  EXPECT_EQ(v.at("balance_usd").as_string(), "3");  // the trial credit
  auto b = signup("b@example.com");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 201) << b->body;
  auto c = signup("c@example.com");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, 429) << c->body;
  EXPECT_NE(c->body.find("limit 2 per hour"), std::string::npos) << c->body;
  // One account per email (store-enforced).
  auto dup_accounts = rt_->store->find_account_by_email("a@example.com");
  ASSERT_TRUE(dup_accounts && dup_accounts->has_value());
}

TEST_F(accounts_limits, deep_readyz_runs_the_store_integrity_check) {
  start();
  auto shallow = simple_request(port_, "GET", "/readyz");
  ASSERT_TRUE(shallow);
  EXPECT_EQ(shallow->status, 200);
  EXPECT_EQ(shallow->body.find("store_integrity"), std::string::npos) << shallow->body;
  auto deep = simple_request(port_, "GET", "/readyz?deep=1");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 200) << deep->body;
  auto v = json::parse(deep->body);
  EXPECT_EQ(v.at("components").at("store_integrity").as_string(), "ok");
  EXPECT_EQ(v.at("components").at("store").as_string(), "ok");
}

}  // namespace
}  // namespace gi::test
