#include "core/json_out.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <boost/json/value.hpp>

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

constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t highs = 0x8080808080808080ULL;

// True when one of the 8 bytes of `w` is < 0x20, '"' or '\\' (exact for "any", which is all
// the caller needs: a flagged word is then scanned byte by byte).
inline bool needs_escape(std::uint64_t w) {
  const std::uint64_t ctl = (w - ones * 0x20) & ~w;
  const std::uint64_t q = w ^ (ones * '"');
  const std::uint64_t b = w ^ (ones * '\\');
  const std::uint64_t zq = (q - ones) & ~q;
  const std::uint64_t zb = (b - ones) & ~b;
  return ((ctl | zq | zb) & highs) != 0;
}

// The first byte at or after `p` that may need escaping, scanning 16 bytes per step; stops
// early (at `end - 15` at the latest) and leaves the tail to the caller.
inline const char* skip_clean16(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i ctl_max = _mm_set1_epi8(0x1F);
  auto hits = [&](const char* at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    // v <= 0x1F (unsigned) <=> min(v, 0x1F) == v
    const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, ctl_max), v);
    return _mm_or_si128(ctl, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
  };
  while (end - p >= 32) {  // two blocks per test: one branch per 32 clean bytes
    const __m128i a = hits(p);
    const __m128i b = hits(p + 16);
    if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0) break;
    p += 32;
  }
  while (end - p >= 16) {
    const int mask = _mm_movemask_epi8(hits(p));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#else
  (void)end;
#endif
  return p;
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  const char* run = p;  // start of the pending run of bytes that need no escaping
  while (p != end) {
    // Skip clean blocks first: typical text has no escapes for long stretches.
    p = skip_clean16(p, end);
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if (needs_escape(w)) break;
      p += 8;
    }
    if (p == end) break;
    const char e = escape_table[static_cast<unsigned char>(*p)];
    if (e == 0) {
      ++p;
      continue;
    }
    out.append(run, static_cast<std::size_t>(p - run));
    if (e == 'u') {
      static constexpr char hex[] = "0123456789abcdef";
      const auto c = static_cast<unsigned char>(*p);
      const char buf[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
      out.append(buf, 6);
    } else {
      const char buf[2] = {'\\', e};
      out.append(buf, 2);
    }
    run = ++p;
  }
  out.append(run, static_cast<std::size_t>(end - run));
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 24 bytes always fit an int64
  out.append(buf, static_cast<std::size_t>(ptr - buf));
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, static_cast<std::size_t>(ptr - buf));
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
    std::int64_t n = static_cast<std::int64_t>(scaled);  // |scaled| < 1e15: no overflow
    if (static_cast<double>(n) == scaled && static_cast<double>(n) / 1e6 == v) {
      if (n < 0) {
        out.push_back('-');
        n = -n;
      }
      append_int(out, n / 1'000'000);
      char frac[8] = {'.', '0', '0', '0', '0', '0', '0', '0'};
      std::int64_t f = n % 1'000'000;
      for (int i = 6; i >= 1; --i, f /= 10) frac[i] = static_cast<char>('0' + f % 10);
      int len = 7;
      while (len > 2 && frac[len - 1] == '0') --len;
      out.append(frac, static_cast<std::size_t>(len));
      return;
    }
  }
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // the shortest form of a double is at most 24 characters
  const std::string_view s(buf, static_cast<std::size_t>(ptr - buf));
  out.append(s);
  // "1" would read back as an integer; keep the value a double for the upstream's parser.
  if (s.find_first_of(".e") == std::string_view::npos) append_literal(out, ".0");
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
