#pragma once
// The bytes that end a run of plain characters inside a JSON string: '"', '\\' and the
// control characters below 0x20 (RFC 8259 §7). Both the writer (core/json_out: what needs
// escaping) and the stream chunk scanner (providers/openai_compat: where a string ends or
// an escape starts) look for exactly these, eight or sixteen bytes at a time.

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gi::core::json_string_stops {

inline constexpr std::uint64_t ones = 0x0101010101010101ULL;
inline constexpr std::uint64_t highs = 0x8080808080808080ULL;

// High bit set in each byte of `w` that is a stop byte. Bits above the lowest hit may be
// false positives (borrows): the result is exact for "any" and for the lowest hit only.
inline std::uint64_t in_word(std::uint64_t w) {
  const std::uint64_t q = w ^ (ones * '"');
  const std::uint64_t b = w ^ (ones * '\\');
  return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs;
}

#if defined(__SSE2__)
// Bit i set when byte i of `v` is a stop byte (exact).
inline unsigned in_vector(__m128i v) {
  // v <= 0x1F (unsigned) <=> min(v, 0x1F) == v
  const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  const __m128i hit = _mm_or_si128(
      ctl, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(hit));
}
#endif

// The first stop byte in [p, end), or end; ORs the high bits of the bytes looked at (and
// possibly a few past the stop, all before `end`) into `high`, so a reader learns on the
// way whether it passed any byte >= 0x80.
inline const char* find(const char* p, const char* end, std::uint64_t& high) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    high |= static_cast<std::uint32_t>(_mm_movemask_epi8(w));
    if (const unsigned m = in_vector(w)) return p + std::countr_zero(m);
    p += 16;
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      high |= w & highs;
      if (const std::uint64_t stop = in_word(w)) return p + std::countr_zero(stop) / 8;
      p += 8;
    }
  }
  for (; p < end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    high |= c & 0x80;
    if (c == '"' || c == '\\' || c < 0x20) return p;
  }
  return end;
}

}  // namespace gi::core::json_string_stops
