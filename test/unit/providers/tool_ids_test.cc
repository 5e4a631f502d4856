#include "providers/tool_ids.h"

#include <set>

#include <gtest/gtest.h>

namespace gi::providers::tool_ids {
namespace {

TEST(tool_ids, alnum9_predicate) {
  EXPECT_TRUE(is_alnum9("abc123XYZ"));
  EXPECT_FALSE(is_alnum9("abc123XY"));
  EXPECT_FALSE(is_alnum9("abc123XYZ0"));
  EXPECT_FALSE(is_alnum9("call_0fyp"));
  EXPECT_FALSE(is_alnum9("abc-23XYZ"));
}

TEST(tool_ids, hash_is_deterministic_valid_and_spread) {
  const std::string h = alnum9_hash("call_0fypS1hVXabcdefghijklmn");
  EXPECT_TRUE(is_alnum9(h)) << h;
  EXPECT_EQ(h, alnum9_hash("call_0fypS1hVXabcdefghijklmn"));
  EXPECT_NE(h, alnum9_hash("call_0fypS1hVXabcdefghijklmn", 1));
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(alnum9_hash("call_" + std::to_string(i)));
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(tool_ids, known_vector) {
  // SHA-256("call_abc") mod 62^9 in base62 (0-9A-Za-z). Pinned so a change to the mapping
  // (which would break every stored Mistral conversation) fails loudly.
  // Computed independently with Python's hashlib.
  EXPECT_EQ(alnum9_hash("call_abc"), "TSTrtXM4T");
}

TEST(tool_ids, mapper_keeps_valid_ids_and_is_stable) {
  alnum9_mapper m;
  EXPECT_EQ(m.map("abc123XYZ"), "abc123XYZ");
  const std::string a = m.map("call_1");
  EXPECT_TRUE(is_alnum9(a));
  EXPECT_EQ(m.map("call_1"), a) << "same canonical id maps to the same upstream id";
  alnum9_mapper fresh;
  EXPECT_EQ(fresh.map("call_1"), a) << "no state: a new request maps identically";
}

TEST(tool_ids, mapper_rehashes_on_collision) {
  // A canonical id that already looks like the hash of another id collides with it.
  const std::string h = alnum9_hash("call_x");
  alnum9_mapper m;
  EXPECT_EQ(m.map(h), h);  // kept (valid Mistral id), seen first
  const std::string x = m.map("call_x");
  EXPECT_NE(x, h);
  EXPECT_EQ(x, alnum9_hash("call_x", 1));
}

}  // namespace
}  // namespace gi::providers::tool_ids
