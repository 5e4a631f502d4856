#include "auth/authenticator.h"

#include <gtest/gtest.h>

namespace gi::auth {
namespace {

constexpr std::string_view good_key = "sk-gammainfra-test-0123456789abcdef";
constexpr std::string_view other_key = "sk-gammainfra-other-fedcba9876543210";

config::auth_config two_keys() {
  config::auth_config c;
  c.keys.push_back({"alice", sha256_hex(good_key)});
  c.keys.push_back({"bob", sha256_hex(other_key)});
  return c;
}

TEST(sha256_hex, known_vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(authenticator, accepts_each_configured_key) {
  authenticator a(two_keys());
  auto r1 = a.authenticate("Bearer " + std::string(good_key));
  ASSERT_TRUE(r1) << r1.error().message;
  EXPECT_EQ(r1->key_id, "alice");
  auto r2 = a.authenticate("Bearer " + std::string(other_key));
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->key_id, "bob");
}

// The per-thread digest memo must never answer for a different key: interleave the two
// valid keys with many near-miss keys (same length, one character changed; prefixes; more
// keys than the memo has slots) and check every answer.
TEST(authenticator, digest_memo_never_confuses_keys) {
  authenticator a(two_keys());
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 40; ++i) {
      std::string near(good_key);
      near[near.size() - 1 - static_cast<std::size_t>(i % 16)] ^= 1;
      EXPECT_FALSE(a.authenticate("Bearer " + near)) << near;
      EXPECT_FALSE(a.authenticate("Bearer " + std::string(good_key.substr(0, 20 + i % 10))));
      auto ok = a.authenticate("Bearer " + std::string(i % 2 ? good_key : other_key));
      ASSERT_TRUE(ok);
      EXPECT_EQ(ok->key_id, i % 2 ? "alice" : "bob");
    }
  }
}

TEST(authenticator, scheme_is_case_insensitive_and_whitespace_tolerated) {
  authenticator a(two_keys());
  EXPECT_TRUE(a.authenticate("bearer " + std::string(good_key)));
  EXPECT_TRUE(a.authenticate("BEARER   " + std::string(good_key) + " "));
}

TEST(authenticator, upper_case_digest_in_config_matches) {
  config::auth_config c;
  std::string d = sha256_hex(good_key);
  for (auto& ch : d) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  c.keys.push_back({"up", d});
  EXPECT_TRUE(authenticator(c).authenticate("Bearer " + std::string(good_key)));
}

void expect_401(const core::result<principal>& r, std::string_view message_part) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::error_kind::unauthenticated);
  EXPECT_EQ(r.error().http_status(), 401);
  EXPECT_NE(r.error().message.find(message_part), std::string::npos) << r.error().message;
}

TEST(authenticator, missing_header) {
  authenticator a(two_keys());
  expect_401(a.authenticate(""), "Missing bearer authentication in header");
  expect_401(a.authenticate("   "), "Missing bearer authentication in header");
  expect_401(a.authenticate("Bearer "), "Missing bearer authentication");
}

TEST(authenticator, wrong_scheme) {
  authenticator a(two_keys());
  expect_401(a.authenticate("Basic " + std::string(good_key)), "Invalid authorization scheme");
  expect_401(a.authenticate(std::string(good_key)), "Invalid authorization scheme");
}

TEST(authenticator, wrong_prefix_is_masked) {
  authenticator a(two_keys());
  auto r = a.authenticate("Bearer sk-proj-abcdefghijklmnopqrstuvwxyz1234");
  expect_401(r, "Incorrect API key provided: sk-proj…1234");
  EXPECT_EQ(r.error().message.find("abcdefghijklmnop"), std::string::npos);
}

TEST(authenticator, unknown_key_never_echoed_in_full) {
  authenticator a(two_keys());
  std::string key = "sk-gammainfra-unknown-secret-material-abcd";
  auto r = a.authenticate("Bearer " + key);
  expect_401(r, "Incorrect API key provided: sk-gamm…abcd");
  EXPECT_EQ(r.error().message.find("secret-material"), std::string::npos);
  EXPECT_EQ(r.error().code, "invalid_api_key");
}

TEST(authenticator, near_miss_keys_rejected) {
  // Same prefix, one character different at the start, middle and end: the constant-time
  // comparison must still compare whole digests.
  authenticator a(two_keys());
  std::string k(good_key);
  for (std::size_t pos : {k.size() - 1, k.size() / 2, std::size_t{14}}) {
    std::string bad = k;
    bad[pos] = bad[pos] == 'x' ? 'y' : 'x';
    expect_401(a.authenticate("Bearer " + bad), "Incorrect API key provided");
  }
  expect_401(a.authenticate("Bearer " + k + "0"), "Incorrect API key provided");
  expect_401(a.authenticate("Bearer " + k.substr(0, k.size() - 1)), "Incorrect API key provided");
}

TEST(authenticator, no_keys_configured_rejects_everything) {
  authenticator a(config::auth_config{});
  expect_401(a.authenticate("Bearer " + std::string(good_key)), "Incorrect API key provided");
}

TEST(authenticator, malformed_digest_in_config_never_matches) {
  config::auth_config c;
  c.keys.push_back({"bad", std::string(64, 'z')});
  c.keys.push_back({"short", "abcd"});
  expect_401(authenticator(c).authenticate("Bearer " + std::string(good_key)), "Incorrect API key");
}

}  // namespace
}  // namespace gi::auth

namespace gi::auth {
namespace {

TEST(authenticator, every_configured_digest_is_checked) {
  // 200 keys: the match can be the first, a middle or the last entry; the comparison loop
  // visits every digest (no early exit) and still reports the right id.
  auto key_of = [](int i) { return std::string("sk-gammainfra-key-").append(std::to_string(i)); };
  auto id_of = [](int i) { return std::string("k").append(std::to_string(i)); };
  config::auth_config c;
  for (int i = 0; i < 200; ++i) c.keys.push_back({id_of(i), sha256_hex(key_of(i))});
  authenticator a(c);
  for (int i : {0, 99, 199}) {
    auto r = a.authenticate(std::string("Bearer ").append(key_of(i)));
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->key_id, id_of(i));
  }
  EXPECT_FALSE(a.authenticate(std::string("Bearer ").append(key_of(200))));
}

}  // namespace
}  // namespace gi::auth
