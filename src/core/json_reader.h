#pragma once
// A single-pass JSON reader for purpose-built scanners of a known document shape (the
// stream chunk scanner in providers/openai_compat, the request fast path in openai_api).
// The scanner walks the document with members()/elements() and reads or skips each value;
// strings come back as views, unescaped into a caller's scratch buffer when they hold
// escapes. It validates what it reads and what it skips, and declines (returns false)
// rather than guess: escapes it cannot decode (lone surrogates, bad hex), exponents and
// numbers beyond 18 digits, nesting deeper than max_depth, control bytes in strings.
// Bytes >= 0x80 can only sit inside strings (the grammar rejects them elsewhere); the
// reader notes them (saw_high()) and the caller validates UTF-8 once over the whole input.
//
// Why not simdjson: for the small documents these scanners read, simdjson's stages, tape
// and padding copy cost more than reading the few fields the caller needs, and a cold
// request path pays for every distinct line of code it runs (bench/README.md).

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/json_string_stops.h"

namespace gi::core {

class json_reader {
 public:
  static constexpr int max_depth = 16;

  // `scratch` must hold in.size() bytes: unescaping never writes more than it reads.
  json_reader(std::string_view in, char* scratch)
      : begin_(in.data()), p_(in.data()), end_(in.data() + in.size()), scratch_(scratch),
        out_(scratch) {}

  // The next non-whitespace byte (p_ left on it), or '\0' at the end. Compact JSON (the
  // common case) costs one compare.
  char peek() {
    if (p_ < end_ && static_cast<unsigned char>(*p_) > ' ') return *p_;
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    return p_ < end_ ? *p_ : '\0';
  }

  // `{ "key": value, … }` at p_ (on the brace); `on_key(key)` consumes each value.
  template <class F>
  bool members(F&& on_key) {
    if (++depth_ > max_depth) return false;
    ++p_;
    if (peek() == '}') {
      ++p_;
      --depth_;
      return true;
    }
    for (;;) {
      std::string_view k;
      if (peek() != '"' || !string(k) || peek() != ':') return false;
      ++p_;
      if (!on_key(k)) return false;
      const char c = peek();
      if (c != ',' && c != '}') return false;
      ++p_;
      if (c == ',') continue;
      --depth_;
      return true;
    }
  }

  // `[ value, … ]` at p_ (on the bracket); `on_element()` consumes each element.
  template <class F>
  bool elements(F&& on_element) {
    if (++depth_ > max_depth) return false;
    ++p_;
    if (peek() == ']') {
      ++p_;
      --depth_;
      return true;
    }
    for (;;) {
      if (!on_element()) return false;
      const char c = peek();
      if (c != ',' && c != ']') return false;
      ++p_;
      if (c == ',') continue;
      --depth_;
      return true;
    }
  }

  // A string at p_ (on its opening quote). Most are short and plain: one 16-byte look
  // decides them inline; the rest (long, escaped, near the end) take string_slow.
  bool string(std::string_view& s) {
#if defined(__SSE2__)
    const char* start = p_ + 1;
    if (end_ - start >= 16) {
      const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(start));
      if (const unsigned m = json_string_stops::in_vector(w)) {
        const char* q = start + std::countr_zero(m);
        if (*q == '"') {
          high_ |= static_cast<std::uint32_t>(_mm_movemask_epi8(w));
          s = std::string_view(start, static_cast<std::size_t>(q - start));
          p_ = q + 1;
          return true;
        }
      }
    }
#endif
    return string_slow(s);
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0)
      return false;
    p_ += word.size();
    return true;
  }

  // A number at p_ without exponent and with at most 18 digits; its bytes in `token`.
  bool number(std::string_view& token);
  bool number() {
    std::string_view t;
    return number(t);
  }
  // Any value at p_ (after peek()).
  bool skip();

  // Whether a string held a byte >= 0x80 (the caller validates UTF-8).
  bool saw_high() const { return high_ != 0; }
  // Only whitespace is left.
  bool at_end() { return peek() == '\0' && p_ == end_; }

 protected:
  bool string_slow(std::string_view& s);
  bool unicode();

  const char* begin_;
  const char* p_;
  const char* end_;
  char* const scratch_;
  char* out_;               // next free byte of the scratch buffer
  std::uint64_t high_ = 0;  // non-zero once a string held a byte >= 0x80
  int depth_ = 0;
};

}  // namespace gi::core
