#include "core/json_out.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <boost/json/value.hpp>

#include "core/json_string_stops.h"

namespace gi::core::json_out {

namespace {

// 0 = copy as-is; otherwise the short escape letter, or 'u' for \u00XX.
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 'u';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}
constexpr auto escape_table = make_escape_table();

// The bytes that need escaping are the JSON string stop bytes (core/json_string_stops.h).
#if defined(__SSE2__)
inline unsigned escape_mask16(const char* at) {
  return json_string_stops::in_vector(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at)));
}
#endif

// The first byte of [p, end) that needs escaping, or `end`. Every load stays inside
// [p, end): the tail is covered by loads that overlap bytes already found clean rather than
// by a byte loop, so a clean string of any length costs a few vector steps (most strings the
// gateway writes are clean, and stream deltas are a handful of bytes).
inline const char* find_escape(const char* p, const char* end) {
  const std::size_t n = static_cast<std::size_t>(end - p);
#if defined(__SSE2__)
  if (n >= 16) {
    const char* q = p;
    while (end - q >= 32) {  // one branch per 32 clean bytes
      const unsigned a = escape_mask16(q);
      const unsigned b = escape_mask16(q + 16);
      if ((a | b) != 0) return a != 0 ? q + __builtin_ctz(a) : q + 16 + __builtin_ctz(b);
      q += 32;
    }
    if (end - q >= 16) {
      if (const unsigned m = escape_mask16(q)) return q + __builtin_ctz(m);
      q += 16;
    }
    if (q == end) return end;
    // The last 16 bytes: those before q are clean, so the first hit is at or after q.
    const unsigned m = escape_mask16(end - 16);
    return m != 0 ? end - 16 + __builtin_ctz(m) : end;
  }
  if (n >= 8) {
    // Bytes p[0..8) in lanes 0-7, end[-8..0) in lanes 8-15 (overlapping when n < 16).
    const __m128i lo = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
    const __m128i hi = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(end - 8));
    const unsigned m = json_string_stops::in_vector(_mm_unpacklo_epi64(lo, hi));
    if (m == 0) return end;
    if ((m & 0xFF) != 0) return p + __builtin_ctz(m);
    return end - 8 + (__builtin_ctz(m) - 8);
  }
#else
  if (n >= 8) {
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if (json_string_stops::in_word(w) != 0) break;
      p += 8;
    }
    while (p != end && escape_table[static_cast<unsigned char>(*p)] == 0) ++p;
    return p;
  }
#endif
  if (n >= 4) {
    // Two overlapping 4-byte halves checked as one word.
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, end - 4, 4);
    if (json_string_stops::in_word(a | (static_cast<std::uint64_t>(b) << 32)) == 0) return end;
  } else if (n > 0) {
    // First, middle and last byte (all of a 1..3 byte string), padded with clean spaces.
    const auto at = [&](std::size_t i) {
      return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i]));
    };
    const std::uint64_t w = at(0) | at(n / 2) << 8 | at(n - 1) << 16 | 0x2020202020ULL << 24;
    if (json_string_stops::in_word(w) == 0) return end;
  } else {
    return end;
  }
  while (p != end && escape_table[static_cast<unsigned char>(*p)] == 0) ++p;
  return p;
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
  const char* run = s.data();  // start of the pending run of bytes that need no escaping
  const char* const end = run + s.size();
  for (;;) {
    const char* p = find_escape(run, end);
    if (p == end) break;
    out.append(run, static_cast<std::size_t>(p - run));
    const char e = escape_table[static_cast<unsigned char>(*p)];
    if (e == 'u') {
      static constexpr char hex[] = "0123456789abcdef";
      const auto c = static_cast<unsigned char>(*p);
      const char buf[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
      out.append(buf, 6);
    } else {
      const char buf[2] = {'\\', e};
      out.append(buf, 2);
    }
    run = p + 1;
  }
  out.append(run, static_cast<std::size_t>(end - run));
}

namespace {

// "00".."99": two digits per division.
constexpr std::array<char, 200> make_digit_pairs() {
  std::array<char, 200> t{};
  for (int i = 0; i < 100; ++i) {
    t[static_cast<std::size_t>(2 * i)] = static_cast<char>('0' + i / 10);
    t[static_cast<std::size_t>(2 * i + 1)] = static_cast<char>('0' + i % 10);
  }
  return t;
}
constexpr auto digit_pairs = make_digit_pairs();

// Writes the decimal digits of `v` so that they end just before `end`; returns the first.
// Numbers are built right to left in a stack buffer and appended once: the append call, not
// the digits, is most of the cost of writing a small number.
inline char* put_digits(char* end, std::uint64_t v) {
  while (v >= 100) {
    const std::uint64_t r = v % 100;
    v /= 100;
    end -= 2;
    std::memcpy(end, &digit_pairs[static_cast<std::size_t>(2 * r)], 2);
  }
  if (v >= 10) {
    end -= 2;
    std::memcpy(end, &digit_pairs[static_cast<std::size_t>(2 * v)], 2);
  } else {
    *--end = static_cast<char>('0' + v);
  }
  return end;
}

}  // namespace

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  char* const end = buf + sizeof buf;
  // 0 - u, not -v: -INT64_MIN overflows.
  const auto u = static_cast<std::uint64_t>(v);
  char* p = put_digits(end, v < 0 ? 0 - u : u);
  if (v < 0) *--p = '-';
  out.append(p, static_cast<std::size_t>(end - p));
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  char* const end = buf + sizeof buf;
  char* p = put_digits(end, v);
  out.append(p, static_cast<std::size_t>(end - p));
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    append_literal(out, "null");
    return;
  }
  if (std::isinf(v)) {
    if (v < 0) append_literal(out, "-1e99999");
    else append_literal(out, "1e99999");
    return;
  }
  // Sampling parameters are short decimals (0.2, 1, 0.95, -0.5): when v is exactly the
  // double nearest to n·10⁻⁶ for an integer n, print that decimal directly (it reads back
  // as v because the division below is correctly rounded, as a JSON parser's conversion
  // is). Everything else takes the shortest round-trip form from std::to_chars.
  if (std::fabs(v) < 1e9 && !(v == 0 && std::signbit(v))) {
    const double scaled = v * 1e6;
    const auto n = static_cast<std::int64_t>(scaled);  // |scaled| < 1e15: no overflow
    if (static_cast<double>(n) == scaled && static_cast<double>(n) / 1e6 == v) {
      const auto un = static_cast<std::uint64_t>(n);
      const std::uint64_t u = n < 0 ? 0 - un : un;
      std::uint64_t frac = u % 1'000'000;
      char buf[32];
      char* const end = buf + sizeof buf;
      char* p = end;
      if (frac == 0) {
        *--p = '0';  // "1.0": an integral value still reads back as a double
      } else {
        int digits = 6;
        while (frac % 10 == 0) {  // no trailing zeros
          frac /= 10;
          --digits;
        }
        for (; digits > 0; --digits, frac /= 10) *--p = static_cast<char>('0' + frac % 10);
      }
      *--p = '.';
      p = put_digits(p, u / 1'000'000);
      if (n < 0) *--p = '-';
      out.append(p, static_cast<std::size_t>(end - p));
      return;
    }
  }
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + 30, v);
  (void)ec;  // the shortest form of a double is at most 24 characters
  // "1" would read back as an integer; keep the value a double for the upstream's parser.
  if (std::string_view(buf, static_cast<std::size_t>(ptr - buf)).find_first_of(".e") ==
      std::string_view::npos) {
    *ptr++ = '.';
    *ptr++ = '0';
  }
  out.append(buf, static_cast<std::size_t>(ptr - buf));
}

void append_object(std::string& out, const boost::json::object& o) {
  out.push_back('{');
  bool first = true;
  for (const auto& kv : o) {
    append_key(out, first, kv.key());
    append_value(out, kv.value());
  }
  out.push_back('}');
}

void append_value(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: append_literal(out, "null"); return;
    case boost::json::kind::bool_: append_bool(out, v.get_bool()); return;
    case boost::json::kind::int64: append_int(out, v.get_int64()); return;
    case boost::json::kind::uint64: append_uint(out, v.get_uint64()); return;
    case boost::json::kind::double_: append_double(out, v.get_double()); return;
    case boost::json::kind::string: append_string(out, v.get_string()); return;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_value(out, e);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::object: append_object(out, v.get_object()); return;
  }
}

}  // namespace gi::core::json_out
