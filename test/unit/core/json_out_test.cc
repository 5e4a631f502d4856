// core/json_out: the direct JSON writer of the OpenAI-family request encoder. Every output
// must parse back (Boost.JSON) to exactly the input.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
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

// The byte-at-a-time definition the vector scan must match exactly.
std::string reference_escaped(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  return out;
}

TEST(json_out, escape_scan_matches_byte_loop_for_every_length_and_offset) {
  // The scan covers short tails with overlapping loads (first/middle/last byte below 4
  // bytes, two 4- or 8-byte halves below 16, the last 16 bytes above): put one and two
  // specials at every position of strings 0..70 bytes long, between clean bytes that sit
  // just outside the special ranges (0x20, '!', '#', '[', ']', 0x7f, 0x80, 0xff).
  const char fillers[] = {' ', '!', '#', '[', ']', '\x7f', '\x80', '\xff', 'x'};
  const char specials[] = {'"', '\\', '\n', '\0', '\x01', '\x1f', '\b', '\t'};
  for (std::size_t len = 0; len <= 70; ++len) {
    for (const char fill : fillers) {
      const std::string clean(len, fill);
      std::string out;
      json_out::append_escaped(out, clean);
      ASSERT_EQ(out, clean);
      for (const char special : specials) {
        for (std::size_t at = 0; at < len; ++at) {
          std::string s = clean;
          s[at] = special;
          out.clear();
          json_out::append_escaped(out, s);
          ASSERT_EQ(out, reference_escaped(s)) << "len " << len << " at " << at;
          s[len - 1 - (at * 7) % len] = '"';
          out = "prefix";
          json_out::append_escaped(out, s);
          ASSERT_EQ(out.substr(0, 6), "prefix");
          ASSERT_EQ(out.substr(6), reference_escaped(s)) << "len " << len << " at " << at;
        }
      }
    }
  }
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 90, ' ');
    for (char& c : s) c = static_cast<char>(rng() % 8 == 0 ? rng() % 0x24 : rng() % 0x100);
    std::string out;
    json_out::append_escaped(out, s);
    ASSERT_EQ(out, reference_escaped(s));
  }
}

TEST(json_out, integers_match_to_chars) {
  auto check_int = [](std::int64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    std::string out = "x";
    json_out::append_int(out, v);
    ASSERT_EQ(out.substr(1), std::string(buf, r.ptr));
  };
  auto check_uint = [](std::uint64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    std::string out;
    json_out::append_uint(out, v);
    ASSERT_EQ(out, std::string(buf, r.ptr));
  };
  std::int64_t p10 = 1;
  for (int e = 0; e <= 18; ++e) {
    for (std::int64_t d : {-1, 0, 1}) {
      check_int(p10 + d);
      check_int(-(p10 + d));
      check_uint(static_cast<std::uint64_t>(p10 + d));
    }
    if (e < 18) p10 *= 10;  // 10^19 does not fit an int64
  }
  check_int(std::numeric_limits<std::int64_t>::min());
  check_int(std::numeric_limits<std::int64_t>::max());
  check_uint(std::numeric_limits<std::uint64_t>::max());
  check_uint(10'000'000'000'000'000'000ULL);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t bits = rng() >> (rng() % 64);
    check_int(static_cast<std::int64_t>(bits));
    check_uint(bits);
  }
}

// append_double as it was before its short-decimal path wrote into one buffer: the bytes
// must not change (golden upstream requests).
std::string reference_double(double v) {
  std::string out;
  if (std::isnan(v)) return "null";
  if (std::isinf(v)) return v < 0 ? "-1e99999" : "1e99999";
  if (std::fabs(v) < 1e9 && !(v == 0 && std::signbit(v))) {
    const double scaled = v * 1e6;
    std::int64_t n = static_cast<std::int64_t>(scaled);
    if (static_cast<double>(n) == scaled && static_cast<double>(n) / 1e6 == v) {
      if (n < 0) {
        out.push_back('-');
        n = -n;
      }
      out += std::to_string(n / 1'000'000);
      char frac[8] = {'.', '0', '0', '0', '0', '0', '0', '0'};
      std::int64_t f = n % 1'000'000;
      for (int i = 6; i >= 1; --i, f /= 10) frac[i] = static_cast<char>('0' + f % 10);
      int len = 7;
      while (len > 2 && frac[len - 1] == '0') --len;
      out.append(frac, static_cast<std::size_t>(len));
      return out;
    }
  }
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  const std::string_view s(buf, static_cast<std::size_t>(ptr - buf));
  out.append(s);
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";
  return out;
}

TEST(json_out, doubles_match_the_previous_writer_byte_for_byte) {
  auto check = [](double v) {
    std::string out = "x";
    json_out::append_double(out, v);
    ASSERT_EQ(out.substr(1), reference_double(v)) << v;
  };
  for (double v : {0.0, -0.0, 1.0, -1.0, 0.2, -0.2, 0.95, 1e-6, -1e-6, 1e-7, 999999999.999999,
                   -999999999.999999, 1e9, -1e9, 1e9 - 1, 123456.000001, 0.1 + 0.2, 1e300,
                   -1e-300, 5e-324, std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::lowest(), std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN(), 9007199254740992.0, 4.5e15, 100.0,
                   2.5, -0.000001, 0.000010, 0.10, 12.000300})
    check(v);
  for (int k = -3000000; k <= 3000000; k += 13) {
    check(k / 1e6);
    check(k * 1e-6);
    check(k / 100.0);
    check(static_cast<double>(k) * 331);
  }
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    std::uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    check(v);
    check(static_cast<double>(static_cast<std::int64_t>(bits % 2'000'000'000'000'000ULL) -
                              1'000'000'000'000'000LL) /
          1e6);
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
