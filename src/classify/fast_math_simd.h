#pragma once
// The exp polynomial of fast_math.h as inline building blocks for other kernels in this
// module (fast_math.cc, attention_kernel.cc): exp_approx (scalar, branch-free) and exp8
// (8 lanes, AVX2+FMA — call only where the CPU has both). Relative error < 2e-7 on [-87, 88];
// inputs are clamped to that range.
//
// GI_CLASSIFY_X86 is 1 where the x86 SIMD kernels of this module are compiled (runtime
// dispatch by cpuid picks them); elsewhere only the portable scalar code exists.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#if (defined(__x86_64__) || defined(__i386__)) && !defined(GI_CLASSIFY_NO_X86)
#define GI_CLASSIFY_X86 1
#include <immintrin.h>
#else
#define GI_CLASSIFY_X86 0
#endif

namespace gi::classify::simd {

// Branch-free so loops over it vectorise.
inline float exp_approx(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  // x − n·ln2 in two parts (Cody–Waite) keeps r exact enough for |r| ≤ ln2/2.
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const auto bits = static_cast<std::uint32_t>(static_cast<std::int32_t>(n) + 127) << 23;
  return p * std::bit_cast<float>(bits);
}

#if GI_CLASSIFY_X86
// The same polynomial on 8 lanes.
__attribute__((target("avx2,fma"))) inline __m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
  const __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}
#endif

}  // namespace gi::classify::simd
