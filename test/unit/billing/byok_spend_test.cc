// Stored BYOK keys (sealing per account/provider, header precedence, master-key rotation
// and rekey), per-key spend limits (precheck, holds under concurrency), the request-log
// retention purge (injected clock), the prompt opt-in cache and per-key spend totals.

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "billing/account_service.h"
#include "billing/byok_vault.h"
#include "billing/key_spend.h"
#include "storage/sqlite_store.h"
#include "support/test_support.h"

namespace gi::billing {
namespace {

using namespace std::chrono_literals;
using core::money;
using core::provider_kind;

money usd(std::string_view s) { return *money::parse(s); }

constexpr const char* key_a = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* key_b = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f";

std::shared_ptr<const auth::byok_cipher> cipher(const char* cur, const char* prev = "") {
  auto c = auth::byok_cipher::from_hex(cur, prev);
  EXPECT_TRUE(c);
  return std::make_shared<const auth::byok_cipher>(std::move(*c));
}

account_options quiet(std::shared_ptr<const auth::byok_cipher> c = nullptr) {
  account_options o;
  o.flush_interval = 1h;  // tests flush by hand
  o.poll_interval = 1h;
  o.purge_interval = 1h;
  o.byok_cipher = std::move(c);
  return o;
}

class byok_fixture : public ::testing::Test {
 protected:
  test::temp_dir dir;
  std::string path = (dir.path() / "s.db").string();
  core::manual_clock clock;
  std::shared_ptr<storage::store> open() {
    auto s = storage::sqlite_store::open({path});
    EXPECT_TRUE(s);
    EXPECT_TRUE((*s)->migrate({}));
    return std::shared_ptr<storage::store>(std::move(*s));
  }
  std::string new_account(account_service& svc, bool prompts = false) {
    create_account_request r;
    r.name = "t";
    r.store_prompts = prompts;
    auto a = svc.create_account(r, "test");
    EXPECT_TRUE(a);
    return a ? a->id : std::string();
  }
};

TEST_F(byok_fixture, stored_key_is_sealed_and_opens_only_for_its_account) {
  auto st = open();
  account_service svc(st, clock, quiet(cipher(key_a)));
  ASSERT_TRUE(svc.start());
  auto a = new_account(svc);
  auto b = new_account(svc);
  ASSERT_TRUE(svc.set_byok(a, provider_kind::openai, "sk-caller-openai-secret", "test"));
  // At rest: ciphertext only.
  auto rows = st->list_byok(a);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].provider, "openai");
  EXPECT_EQ((*rows)[0].ciphertext.find("sk-caller-openai-secret"), std::string::npos);
  // The audit row names the provider, never the secret.
  auto audit = st->list_audit(10);
  ASSERT_TRUE(audit);
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ((*audit)[0].action, "byok.set");
  EXPECT_EQ((*audit)[0].detail.find("sk-caller"), std::string::npos);

  std::vector<core::byok_secret> out;
  svc.byok().add_secrets(a, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].provider, provider_kind::openai);
  EXPECT_EQ(out[0].secret, "sk-caller-openai-secret");
  out.clear();
  svc.byok().add_secrets(b, out);
  EXPECT_TRUE(out.empty());

  // A row copied to another account does not open there (AAD = account/provider).
  auto moved = (*rows)[0];
  moved.account_id = b;
  ASSERT_TRUE(st->put_byok(moved));
  svc.reload_byok(b);
  svc.byok().add_secrets(b, out);
  EXPECT_TRUE(out.empty());
}

TEST_F(byok_fixture, request_header_key_wins_over_stored_key) {
  account_service svc(open(), clock, quiet(cipher(key_a)));
  ASSERT_TRUE(svc.start());
  auto a = new_account(svc);
  ASSERT_TRUE(svc.set_byok(a, provider_kind::openai, "stored-openai", "test"));
  ASSERT_TRUE(svc.set_byok(a, provider_kind::anthropic, "stored-anthropic", "test"));
  std::vector<core::byok_secret> out{{provider_kind::openai, "header-openai"}};
  svc.byok().add_secrets(a, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].secret, "header-openai");
  EXPECT_EQ(out[1].provider, provider_kind::anthropic);
  EXPECT_EQ(out[1].secret, "stored-anthropic");
  // Delete: gone from the cache at once.
  auto d = svc.delete_byok(a, provider_kind::anthropic, "test");
  ASSERT_TRUE(d);
  EXPECT_TRUE(*d);
  out = {};
  svc.byok().add_secrets(a, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].secret, "stored-openai");
}

TEST_F(byok_fixture, bad_input_is_rejected) {
  account_service svc(open(), clock, quiet(cipher(key_a)));
  ASSERT_TRUE(svc.start());
  auto a = new_account(svc);
  auto empty = svc.set_byok(a, provider_kind::openai, "", "test");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, "invalid_provider_key");
  auto bedrock = svc.set_byok(a, provider_kind::bedrock, "no-colon", "test");
  ASSERT_FALSE(bedrock);
  EXPECT_EQ(bedrock.error().param, "key");
  auto unknown = svc.set_byok("acct_nope", provider_kind::openai, "k", "test");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, core::error_kind::not_found);
  // Without a master key stored keys cannot be set (and are ignored).
  account_service plain(open(), clock, quiet());
  ASSERT_TRUE(plain.start());
  auto r = plain.set_byok(a, provider_kind::openai, "k", "test");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "byok_not_configured");
}

TEST_F(byok_fixture, rotation_previous_key_opens_and_rekey_reseals) {
  std::string acct;
  {
    account_service svc(open(), clock, quiet(cipher(key_a)));
    ASSERT_TRUE(svc.start());
    acct = new_account(svc);
    ASSERT_TRUE(svc.set_byok(acct, provider_kind::groq, "gsk-rotate-me", "test"));
    svc.stop();
  }
  // New master key, old one as previous: still opens.
  auto rotated = cipher(key_b, key_a);
  account_service svc(open(), clock, quiet(rotated));
  ASSERT_TRUE(svc.start());
  std::vector<core::byok_secret> out;
  svc.byok().add_secrets(acct, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].secret, "gsk-rotate-me");
  auto n = rekey_byok(svc.store(), clock, *rotated, "test");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  auto again = rekey_byok(svc.store(), clock, *rotated, "test");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);  // idempotent
  // After rekey only the new key is needed.
  account_service only_new(open(), clock, quiet(cipher(key_b)));
  ASSERT_TRUE(only_new.start());
  out.clear();
  only_new.byok().add_secrets(acct, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].secret, "gsk-rotate-me");
  // Only the old key: the row is skipped, never returned garbled.
  account_service only_old(open(), clock, quiet(cipher(key_a)));
  ASSERT_TRUE(only_old.start());
  out.clear();
  only_old.byok().add_secrets(acct, out);
  EXPECT_TRUE(out.empty());
}

TEST(key_spend, precheck_and_holds_respect_the_limit) {
  key_spend ks;
  ks.load({{"key_a", usd("0.5").nanos()}});
  EXPECT_TRUE(ks.precheck("key_a", usd("1"), "sk-gammainfra-AbCd"));
  auto h1 = ks.hold("key_a", usd("1"), usd("0.4"), "sk-gammainfra-AbCd");
  ASSERT_TRUE(h1);
  auto h2 = ks.hold("key_a", usd("1"), usd("0.2"), "sk-gammainfra-AbCd");
  ASSERT_FALSE(h2);  // 0.5 spent + 0.4 held + 0.2 > 1
  EXPECT_EQ(h2.error().http_status(), 402);
  EXPECT_EQ(h2.error().code, "key_spend_limit_exceeded");
  EXPECT_NE(h2.error().message.find("$1"), std::string::npos);  // names the limit
  h1->settle(usd("0.3"));
  EXPECT_EQ(ks.spent("key_a"), usd("0.8"));
  { auto h3 = ks.hold("key_a", usd("1"), usd("0.2"), "p"); ASSERT_TRUE(h3); }  // released
  auto h4 = ks.hold("key_a", usd("1"), usd("0.2"), "p");
  ASSERT_TRUE(h4);
  h4->settle(usd("0.25"));  // actual beyond the estimate: over by that excess only
  EXPECT_EQ(ks.spent("key_a"), usd("1.05"));
  auto pre = ks.precheck("key_a", usd("1"), "sk-gammainfra-AbCd");
  ASSERT_FALSE(pre);
  EXPECT_EQ(pre.error().code, "key_spend_limit_exceeded");
  EXPECT_NE(pre.error().message.find("sk-gammainfra-AbCd"), std::string::npos);
}

TEST(key_spend, concurrent_holds_never_exceed_the_limit) {
  key_spend ks;
  std::atomic<int> granted{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto h = ks.hold("k", usd("1"), usd("0.01"), "p");
        if (!h) continue;
        granted++;
        h->settle(usd("0.01"));
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(granted.load(), 100);
  EXPECT_EQ(ks.spent("k"), usd("1"));
}

TEST_F(byok_fixture, key_spend_totals_come_from_the_ledger) {
  auto st = open();
  account_service svc(st, clock, quiet());
  ASSERT_TRUE(svc.start());
  auto a = new_account(svc);
  for (int i = 0; i < 3; ++i) {
    storage::ledger_entry e;
    e.account_id = a;
    e.kind = std::string(storage::ledger_charge);
    e.ref = "req-" + std::to_string(i);
    e.amount_nanos = -usd("0.1").nanos();
    e.key_id = i < 2 ? "key_1" : "key_2";
    svc.enqueue_charge(e);
  }
  svc.flush();
  auto t = st->key_spend_totals();
  ASSERT_TRUE(t);
  std::map<std::string, std::int64_t> m(t->begin(), t->end());
  EXPECT_EQ(m["key_1"], usd("0.2").nanos());
  EXPECT_EQ(m["key_2"], usd("0.1").nanos());
  svc.stop();
  // A restarted service starts from those totals.
  account_service again(open(), clock, quiet());
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.spend().spent("key_1"), usd("0.2"));
}

TEST_F(byok_fixture, retention_purge_deletes_rows_past_the_window) {
  auto st = open();
  auto o = quiet();
  o.retention_days = 30;
  account_service svc(st, clock, o);
  ASSERT_TRUE(svc.start());
  auto now_ms = unix_ms(clock.system_now());
  for (int age_days : {40, 31, 29, 1}) {
    storage::request_record r;
    r.request_id = "req-" + std::to_string(age_days);
    r.account_id = "acct";
    r.created_at_ms = now_ms - std::int64_t{age_days} * 86'400'000;
    r.prompt = "secret prompt";
    svc.enqueue_record(r);
  }
  svc.flush();
  auto n = svc.purge_expired();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  storage::usage_query q;
  auto left = st->usage(q);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 2u);
  for (const auto& r : *left) EXPECT_TRUE(r.request_id == "req-29" || r.request_id == "req-1");
  clock.advance(std::chrono::hours(24) * 2);  // 29 → 31 days old
  n = svc.purge_expired();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  // Retention 0 = keep forever.
  auto keep = quiet();
  keep.retention_days = 0;
  account_service forever(st, clock, keep);
  clock.advance(std::chrono::hours(24) * 365);
  n = forever.purge_expired();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
}

TEST_F(byok_fixture, prompt_opt_in_is_cached_per_account) {
  account_service svc(open(), clock, quiet());
  ASSERT_TRUE(svc.start());
  auto yes = new_account(svc, true);
  auto no = new_account(svc, false);
  EXPECT_TRUE(svc.stores_prompts(yes));
  EXPECT_FALSE(svc.stores_prompts(no));
  svc.stop();
  account_service again(open(), clock, quiet());  // loaded from the store at start
  ASSERT_TRUE(again.start());
  EXPECT_TRUE(again.stores_prompts(yes));
  EXPECT_FALSE(again.stores_prompts(no));
}

}  // namespace
}  // namespace gi::billing
