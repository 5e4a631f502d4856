#include "classify/fast_math.h"
#include "classify/fast_math_simd.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace gi::classify {

namespace {

#if GI_CLASSIFY_X86
using simd::exp8;
#endif
using simd::exp_approx;

inline float gelu_approx(float v) {
  const float z = std::fabs(v) * 0.70710678118654752f;
  const float t = 1.0f / (1.0f + 0.3275911f * z);
  float poly = 1.061405429f;
  poly = poly * t - 1.453152027f;
  poly = poly * t + 1.421413741f;
  poly = poly * t - 0.284496736f;
  poly = poly * t + 0.254829592f;
  const float erf_abs = 1.0f - poly * t * exp_approx(-z * z);
  const float erf = std::copysign(erf_abs, v);
  return 0.5f * v * (1.0f + erf);
}

void gelu_generic(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = gelu_approx(x[i]);
}
void exp_generic(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = exp_approx(x[i]);
}

void softmax_generic(float* r, std::size_t n) {
  float m = r[0];
  for (std::size_t j = 1; j < n; ++j) m = std::max(m, r[j]);
  float sum = 0;
  for (std::size_t j = 0; j < n; ++j) sum += (r[j] = exp_approx(r[j] - m));
  const float inv = 1.0f / sum;
  for (std::size_t j = 0; j < n; ++j) r[j] *= inv;
}

void add_layer_norm_generic(float* x, const float* add, std::size_t t, std::size_t h, const float* g, const float* b,
                            float eps) {
  for (std::size_t i = 0; i < t; ++i) {
    float* r = x + i * h;
    if (add != nullptr)
      for (std::size_t j = 0; j < h; ++j) r[j] += add[i * h + j];
    float mean = 0;
    for (std::size_t j = 0; j < h; ++j) mean += r[j];
    mean /= static_cast<float>(h);
    float var = 0;
    for (std::size_t j = 0; j < h; ++j) var += (r[j] - mean) * (r[j] - mean);
    const float inv = 1.0f / std::sqrt(var / static_cast<float>(h) + eps);
    for (std::size_t j = 0; j < h; ++j) r[j] = (r[j] - mean) * inv * g[j] + b[j];
  }
}

#if GI_CLASSIFY_X86
// The same polynomials on 8 lanes (AVX2 + FMA); scalar tails use the functions above.
__attribute__((target("avx2,fma"))) inline __m256 gelu8(__m256 v) {
  const __m256 sign = _mm256_and_ps(v, _mm256_set1_ps(-0.0f));
  const __m256 z = _mm256_mul_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), v), _mm256_set1_ps(0.70710678118654752f));
  // 1/d by rcp + one Newton step (relative error ~1e-7) instead of a division (~5× the cost).
  const __m256 d = _mm256_fmadd_ps(z, _mm256_set1_ps(0.3275911f), _mm256_set1_ps(1.0f));
  const __m256 r0 = _mm256_rcp_ps(d);
  const __m256 t = _mm256_fmadd_ps(r0, _mm256_fnmadd_ps(d, r0, _mm256_set1_ps(1.0f)), r0);
  __m256 poly = _mm256_set1_ps(1.061405429f);
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(-1.453152027f));
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(1.421413741f));
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(-0.284496736f));
  poly = _mm256_fmadd_ps(poly, t, _mm256_set1_ps(0.254829592f));
  const __m256 ex = exp8(_mm256_mul_ps(_mm256_sub_ps(_mm256_setzero_ps(), z), z));
  const __m256 erf_abs = _mm256_fnmadd_ps(_mm256_mul_ps(poly, t), ex, _mm256_set1_ps(1.0f));
  const __m256 erf = _mm256_or_ps(erf_abs, sign);
  return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), v), _mm256_add_ps(_mm256_set1_ps(1.0f), erf));
}

__attribute__((target("avx2,fma"))) void gelu_avx2(float* x, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, gelu8(_mm256_loadu_ps(x + i)));
  for (; i < n; ++i) x[i] = gelu_approx(x[i]);
}
__attribute__((target("avx2,fma"))) void exp_avx2(float* x, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, exp8(_mm256_loadu_ps(x + i)));
  for (; i < n; ++i) x[i] = exp_approx(x[i]);
}
__attribute__((target("avx2,fma"))) void softmax_avx2(float* r, std::size_t n) {
  float m = r[0];
  for (std::size_t j = 1; j < n; ++j) m = std::max(m, r[j]);
  const __m256 mv = _mm256_set1_ps(m);
  __m256 acc = _mm256_setzero_ps();
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(r + j), mv));
    _mm256_storeu_ps(r + j, e);
    acc = _mm256_add_ps(acc, e);
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc);
  float sum = 0;
  for (float l : lanes) sum += l;
  for (; j < n; ++j) sum += (r[j] = exp_approx(r[j] - m));
  const __m256 inv = _mm256_set1_ps(1.0f / sum);
  for (j = 0; j + 8 <= n; j += 8) _mm256_storeu_ps(r + j, _mm256_mul_ps(_mm256_loadu_ps(r + j), inv));
  for (; j < n; ++j) r[j] *= 1.0f / sum;
}
__attribute__((target("avx2,fma"))) float hsum8(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1)));
}

__attribute__((target("avx2,fma"))) void add_layer_norm_avx2(float* x, const float* add, std::size_t t, std::size_t h,
                                                             const float* g, const float* b, float eps) {
  const std::size_t h8 = h / 8 * 8;
  for (std::size_t i = 0; i < t; ++i) {
    float* r = x + i * h;
    const float* a = add != nullptr ? add + i * h : nullptr;
    __m256 s8 = _mm256_setzero_ps();
    std::size_t j = 0;
    for (; j < h8; j += 8) {
      __m256 v = _mm256_loadu_ps(r + j);
      if (a != nullptr) {
        v = _mm256_add_ps(v, _mm256_loadu_ps(a + j));
        _mm256_storeu_ps(r + j, v);
      }
      s8 = _mm256_add_ps(s8, v);
    }
    float sum = hsum8(s8);
    for (; j < h; ++j) sum += (a != nullptr ? (r[j] += a[j]) : r[j]);
    const float mean = sum / static_cast<float>(h);
    const __m256 mv = _mm256_set1_ps(mean);
    __m256 q8 = _mm256_setzero_ps();
    for (j = 0; j < h8; j += 8) {
      const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(r + j), mv);
      q8 = _mm256_fmadd_ps(d, d, q8);
    }
    float var = hsum8(q8);
    for (; j < h; ++j) var += (r[j] - mean) * (r[j] - mean);
    const float inv = 1.0f / std::sqrt(var / static_cast<float>(h) + eps);
    const __m256 iv = _mm256_set1_ps(inv);
    for (j = 0; j < h8; j += 8) {
      const __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(r + j), mv), iv);
      _mm256_storeu_ps(r + j, _mm256_fmadd_ps(d, _mm256_loadu_ps(g + j), _mm256_loadu_ps(b + j)));
    }
    for (; j < h; ++j) r[j] = (r[j] - mean) * inv * g[j] + b[j];
  }
}

bool has_avx2() {
  static const bool v = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return v;
}

#else
bool has_avx2() { return false; }
void gelu_avx2(float* x, std::size_t n) { gelu_generic(x, n); }
void exp_avx2(float* x, std::size_t n) { exp_generic(x, n); }
void softmax_avx2(float* r, std::size_t n) { softmax_generic(r, n); }
void add_layer_norm_avx2(float* x, const float* add, std::size_t t, std::size_t h, const float* g, const float* b,
                         float eps) {
  add_layer_norm_generic(x, add, t, h, g, b, eps);
}
#endif

}  // namespace

void gelu_fast(float* x, std::size_t n) noexcept { has_avx2() ? gelu_avx2(x, n) : gelu_generic(x, n); }
void exp_fast(float* x, std::size_t n) noexcept { has_avx2() ? exp_avx2(x, n) : exp_generic(x, n); }
void add_layer_norm_fast(float* x, const float* add, std::size_t t, std::size_t h, const float* g, const float* b,
                         float eps) noexcept {
  has_avx2() ? add_layer_norm_avx2(x, add, t, h, g, b, eps) : add_layer_norm_generic(x, add, t, h, g, b, eps);
}

void softmax_fast(float* r, std::size_t n) noexcept {
  if (n == 0) return;
  has_avx2() ? softmax_avx2(r, n) : softmax_generic(r, n);
}

}  // namespace gi::classify
