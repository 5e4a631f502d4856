// Key format and hashing, the store-backed key directory (revocation, expiry, visibility
// across threads), the rate limiter and BYOK sealing.

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "auth/api_key.h"
#include "auth/authenticator.h"
#include "auth/byok_crypto.h"
#include "auth/rate_limiter.h"

namespace gi::auth {
namespace {

using namespace std::chrono_literals;

TEST(api_key, format_prefix_and_hash) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto k = generate_api_key();
    ASSERT_TRUE(k);
    EXPECT_TRUE(well_formed_api_key(k->secret)) << k->secret;
    EXPECT_EQ(k->secret.size(), 14u + 43u);
    EXPECT_EQ(k->prefix, k->secret.substr(0, 18));
    EXPECT_EQ(k->sha256, sha256_raw(k->secret));
    EXPECT_EQ(k->sha256.size(), 32u);
    EXPECT_TRUE(seen.insert(k->secret).second);
  }
}

TEST(api_key, base62_known_values) {
  EXPECT_EQ(base62(std::string("\x00", 1), 3), "000");
  EXPECT_EQ(base62("\x3d", 1), "z");             // 61
  EXPECT_EQ(base62("\x3e", 2), "10");            // 62
  EXPECT_EQ(base62(std::string(32, '\xff'), 43).size(), 43u);  // 2^256-1 fits 43 digits
  EXPECT_EQ(base62(std::string("\x01\x00", 2), 1), "48");  // 256 = 4*62 + 8
}

TEST(api_key, well_formed_rejects_near_misses) {
  std::string good = "sk-gammainfra-" + std::string(43, 'a');
  EXPECT_TRUE(well_formed_api_key(good));
  EXPECT_FALSE(well_formed_api_key(good + "a"));
  EXPECT_FALSE(well_formed_api_key(good.substr(0, good.size() - 1)));
  EXPECT_FALSE(well_formed_api_key("sk-gammainfra-" + std::string(42, 'a') + "-"));
  EXPECT_FALSE(well_formed_api_key("sk-gammainfrb-" + std::string(43, 'a')));
}

TEST(api_key, random_ids_have_type_prefix) {
  auto a = random_id("acct_");
  auto b = random_id("acct_");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->rfind("acct_", 0), 0u);
  EXPECT_NE(*a, *b);
}

struct directory_fixture : ::testing::Test {
  core::manual_clock clock;
  std::shared_ptr<key_directory> dir = std::make_shared<key_directory>();
  new_key k = *generate_api_key();
  storage::key_row row() {
    storage::key_row r;
    r.id = "key_1";
    r.account_id = "acct_1";
    r.sha256 = k.sha256;
    r.prefix = k.prefix;
    return r;
  }
  std::string bearer() const { return "Bearer " + k.secret; }
};

TEST_F(directory_fixture, store_key_authenticates_with_account) {
  dir->load({row()});
  authenticator a({}, dir, clock);
  auto p = a.authenticate(bearer());
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->key_id, "key_1");
  EXPECT_EQ(p->account_id, "acct_1");
  ASSERT_TRUE(p->key);
  auto unknown = a.authenticate("Bearer " + generate_api_key()->secret);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, core::error_kind::unauthenticated);
  EXPECT_EQ(unknown.error().code, "invalid_api_key");
}

TEST_F(directory_fixture, revoked_and_expired_keys_are_refused_without_leaking_the_secret) {
  auto r = row();
  r.revoked_at_ms = 1;
  dir->load({r});
  authenticator a({}, dir, clock);
  auto p = a.authenticate(bearer());
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("revoked"), std::string::npos);
  EXPECT_EQ(p.error().message.find(k.secret.substr(18)), std::string::npos);

  auto e = row();
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    clock.system_now().time_since_epoch()).count();
  e.expires_at_ms = now_ms + 1000;
  dir->upsert(e);
  EXPECT_TRUE(a.authenticate(bearer()));
  clock.advance(1s);
  auto x = a.authenticate(bearer());
  ASSERT_FALSE(x);
  EXPECT_EQ(x.error().code, "expired_api_key");
}

TEST_F(directory_fixture, revocation_is_visible_to_other_threads_at_once) {
  dir->load({row()});
  authenticator a({}, dir, clock);
  std::atomic<bool> revoked{false};
  std::atomic<int> accepted_after{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        bool was_revoked = revoked.load();
        auto p = a.authenticate(bearer());
        if (was_revoked && p) accepted_after++;
      }
    });
  auto r = row();
  r.revoked_at_ms = 5;
  dir->upsert(r);
  revoked = true;
  for (auto& t : ts) t.join();
  EXPECT_EQ(accepted_after.load(), 0);
}

TEST(rate_limiter, requests_per_minute_bucket_refills) {
  core::manual_clock clock;
  rate_limiter rl(clock);
  rate_limits lim{3, 0};
  for (int i = 0; i < 3; ++i) {
    auto d = rl.admit("k", lim, 0);
    ASSERT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 2 - i);
  }
  auto d = rl.admit("k", lim, 0);
  ASSERT_FALSE(d.allowed);
  EXPECT_EQ(d.limited_by, "requests");
  EXPECT_EQ(d.retry_after, 20s);  // one request per 20 s
  EXPECT_TRUE(rl.admit("other", lim, 0).allowed);  // keys are independent
  clock.advance(19s);
  EXPECT_FALSE(rl.admit("k", lim, 0).allowed);
  clock.advance(1s);
  EXPECT_TRUE(rl.admit("k", lim, 0).allowed);
}

TEST(rate_limiter, tokens_per_minute_with_debt) {
  core::manual_clock clock;
  rate_limiter rl(clock);
  rate_limits lim{0, 1000};
  EXPECT_TRUE(rl.admit("k", lim, 600).allowed);
  auto d = rl.admit("k", lim, 600);
  ASSERT_FALSE(d.allowed);
  EXPECT_EQ(d.limited_by, "tokens");
  EXPECT_EQ(d.remaining, 400);
  rl.adjust_tokens("k", lim, 900);  // the first request used 1,500 tokens: debt of 500
  auto d2 = rl.admit("k", lim, 1);
  ASSERT_FALSE(d2.allowed);
  EXPECT_EQ(d2.retry_after, 30060ms);  // 501 tokens at 1000/min
  clock.advance(60s);  // refills 1,000 but 500 of it pays the debt
  EXPECT_FALSE(rl.admit("k", lim, 5000).allowed);
  clock.advance(30s);
  EXPECT_TRUE(rl.admit("k", lim, 5000).allowed);  // larger than a minute: admitted when full
}

TEST(rate_limiter, unlimited_by_default) {
  core::manual_clock clock;
  rate_limiter rl(clock);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(rl.admit("k", {}, 1'000'000).allowed);
}

TEST(byok_cipher, seal_open_rotation_and_tamper) {
  std::string k1(64, 'a'), k2(64, 'b');
  auto c1 = byok_cipher::from_hex(k1);
  ASSERT_TRUE(c1);
  auto s = c1->seal("sk-provider-secret", "acct_1/openai");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ciphertext.find("sk-provider-secret"), std::string::npos);
  auto o = c1->open(*s, "acct_1/openai");
  ASSERT_TRUE(o);
  EXPECT_EQ(*o, "sk-provider-secret");
  EXPECT_FALSE(c1->open(*s, "acct_2/openai"));  // bound to account and provider
  auto t = *s;
  t.ciphertext[0] ^= 1;
  EXPECT_FALSE(c1->open(t, "acct_1/openai"));
  // Rotation: the new key with the old as previous still opens old secrets.
  auto c2 = byok_cipher::from_hex(k2, k1);
  ASSERT_TRUE(c2);
  auto o2 = c2->open(*s, "acct_1/openai");
  ASSERT_TRUE(o2);
  EXPECT_EQ(*o2, "sk-provider-secret");
  EXPECT_NE(c2->current_version(), s->key_version);
  auto c3 = byok_cipher::from_hex(k2);
  EXPECT_FALSE(c3->open(*s, "acct_1/openai"));
  EXPECT_FALSE(byok_cipher::from_hex("zz"));
}

}  // namespace
}  // namespace gi::auth
