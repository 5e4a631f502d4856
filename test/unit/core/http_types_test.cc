#include "core/http_types.h"

#include <gtest/gtest.h>

namespace gi::core {
namespace {

TEST(http_types, iequals_folds_ascii_letters_only) {
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_TRUE(iequals("X-GAMMAINFRA-TASK", "x-gammainfra-task"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Content-Type", "Content-Typ"));
  EXPECT_FALSE(iequals("abc", "abd"));
  // Bytes that differ only in bit 0x20 but are not letters stay different.
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("[", "{"));
  EXPECT_FALSE(iequals("-", "\r"));
  EXPECT_FALSE(iequals("\xC0", "\xE0"));
  EXPECT_TRUE(iequals("\xC0", "\xC0"));
  for (int c = 0; c < 256; ++c)
    for (int d = 0; d < 256; ++d) {
      char x = static_cast<char>(c), y = static_cast<char>(d);
      auto fold = [](int v) { return v >= 'A' && v <= 'Z' ? v + 32 : v; };
      ASSERT_EQ(iequals({&x, 1}, {&y, 1}), fold(c) == fold(d)) << c << " " << d;
    }
}

TEST(http_types, find_header_is_case_insensitive_first_match) {
  header_list h{{"Host", "a"}, {"content-type", "application/json"}, {"Content-Type", "text/plain"}};
  EXPECT_EQ(find_header(h, "Content-Type"), "application/json");
  EXPECT_EQ(find_header(h, "HOST"), "a");
  EXPECT_FALSE(find_header(h, "Content-Length"));
}

}  // namespace
}  // namespace gi::core
