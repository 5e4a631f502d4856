// core/json_out: the direct JSON writer of the OpenAI-family request encoder. Every output
// must parse back (Boost.JSON) to exactly the input.

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "core/json_out.h"

namespace gi::core {
namespace {

namespace json = boost::json;

std::string as_json(std::string_view s) {
  std::string out;
  json_out::append_string(out, s);
  return out;
}

TEST(json_out, escapes_exactly_what_rfc8259_requires) {
  EXPECT_EQ(as_json("plain é 日本 😀 / <>&'"), "\"plain é 日本 😀 / <>&'\"");
  EXPECT_EQ(as_json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(as_json("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(as_json(std::string("\0\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(as_json(""), "\"\"");
}

TEST(json_out, escape_at_every_offset_of_the_word_scan) {
  // The clean-run scan reads 8 bytes at a time: put each special byte at every position of
  // strings 1..40 bytes long (before, on and after word boundaries, and in the tail).
  for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
    for (std::size_t len = 1; len <= 40; ++len) {
      for (std::size_t at = 0; at < len; ++at) {
        std::string s(len, 'x');
        s[at] = special;
        const std::string out = as_json(s);
        boost::system::error_code ec;
        json::value v = json::parse(out, ec);
        ASSERT_FALSE(ec) << out;
        ASSERT_EQ(std::string(v.as_string()), s) << "len " << len << " at " << at;
      }
    }
  }
}

TEST(json_out, random_ascii_strings_round_trip) {
  std::mt19937 rng(20261126);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 70, ' ');
    for (char& c : s) c = static_cast<char>(rng() % 0x80);
    const std::string out = as_json(s);
    ASSERT_EQ(std::string(json::parse(out).as_string()), s) << out;
    // Same bytes as Boost.JSON's serializer for ASCII (both escape only what must be).
    EXPECT_EQ(json::parse(out), json::parse(json::serialize(json::value(s))));
  }
}

TEST(json_out, doubles_round_trip_and_stay_doubles) {
  auto d = [](double v) {
    std::string out;
    json_out::append_double(out, v);
    return out;
  };
  EXPECT_EQ(d(1.0), "1.0");
  EXPECT_EQ(d(0.0), "0.0");
  EXPECT_EQ(d(-0.5), "-0.5");
  EXPECT_EQ(d(0.2), "0.2");
  EXPECT_EQ(d(1e300), "1e+300");
  EXPECT_EQ(d(0.95), "0.95");
  EXPECT_EQ(d(-0.0), "-0.0");
  EXPECT_EQ(d(123456.000001), "123456.000001");
  EXPECT_EQ(d(0.30000000000000004), "0.30000000000000004");
  EXPECT_EQ(d(1e-7), "1e-07");
  // Exact reading uses strtod: Boost.JSON 1.81's default number parsing can be 1 ULP off
  // for long mantissas (precise parsing arrived in 1.83), which is not the writer's doing.
  auto exact = [](const std::string& s) { return std::strtod(s.c_str(), nullptr); };
  // The short-decimal fast path: every value k·10⁻⁴ (computed two ways) reads back exactly.
  for (int k = -200000; k <= 200000; k += 7) {
    for (double v : {k / 10000.0, k * 0.0001}) {
      ASSERT_TRUE(json::parse(d(v)).is_double()) << d(v);
      ASSERT_EQ(exact(d(v)), v) << d(v) << " k " << k;
    }
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) continue;
    ASSERT_TRUE(json::parse(d(v)).is_double()) << d(v);
    ASSERT_EQ(exact(d(v)), v) << d(v);
  }
}

TEST(json_out, values_round_trip_structurally) {
  const char* docs[] = {
      R"({"a":[1,-2,3.5,true,false,null,"s\n\"",{"b":{}}],"c":[],"d":18446744073709551615,"e":-9223372036854775808})",
      R"([[[[["deep"]]]],{"k\u0001":"v\\"}])",
      R"("just a string")",
      R"(12)",
      R"({"type":"object","properties":{"x":{"type":"number","minimum":0.5,"maximum":1E3}}})",
  };
  for (const char* doc : docs) {
    json::value v = json::parse(doc);
    std::string out;
    json_out::append_value(out, v);
    EXPECT_EQ(json::parse(out), v) << out;
  }
}

}  // namespace
}  // namespace gi::core
