#pragma once
// The bytes that end a run of plain characters inside a JSON string: '"', '\\' and the
// control characters below 0x20 (RFC 8259 §7). Both the writer (core/json_out: what needs
// escaping) and the stream chunk scanner (providers/openai_compat: where a string ends or
// an escape starts) look for exactly these, eight or sixteen bytes at a time.

#include <cstdint>

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

}  // namespace gi::core::json_string_stops
