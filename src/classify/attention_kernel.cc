#include "classify/attention_kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "classify/fast_math_simd.h"

namespace gi::classify {

namespace {

constexpr float neg_inf = -std::numeric_limits<float>::infinity();

[[maybe_unused]] std::size_t round8(std::size_t n) { return (n + 7) / 8 * 8; }

// Softmax of row p[0..t) in place, masked keys excluded (weight exactly 0). Returns 1/Σ (the
// caller scales the weighted sum instead of every probability), or 0 when no key is attended.
float exp_row_portable(float* p, std::size_t t, const std::uint8_t* mask) {
  float m = neg_inf;
  for (std::size_t j = 0; j < t; ++j)
    if (mask == nullptr || mask[j] != 0) m = std::max(m, p[j]);
  if (m == neg_inf) {
    std::fill(p, p + t, 0.0f);
    return 0.0f;
  }
  float sum = 0;
  for (std::size_t j = 0; j < t; ++j) {
    p[j] = (mask == nullptr || mask[j] != 0) ? simd::exp_approx(p[j] - m) : 0.0f;
    sum += p[j];
  }
  return 1.0f / sum;
}

#if GI_CLASSIFY_X86
bool has_avx2_fma() {
  static const bool v = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return v;
}

__attribute__((target("avx2,fma"))) float exp_row_avx2(float* p, std::size_t t, const std::uint8_t* mask) {
  if (mask != nullptr)
    for (std::size_t j = 0; j < t; ++j)
      if (mask[j] == 0) p[j] = neg_inf;
  __m256 mv = _mm256_set1_ps(neg_inf);
  std::size_t j = 0;
  for (; j + 8 <= t; j += 8) mv = _mm256_max_ps(mv, _mm256_loadu_ps(p + j));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, mv);
  float m = neg_inf;
  for (float l : lanes) m = std::max(m, l);
  for (; j < t; ++j) m = std::max(m, p[j]);
  if (m == neg_inf) {  // every key masked
    std::fill(p, p + t, 0.0f);
    return 0.0f;
  }
  const __m256 mb = _mm256_set1_ps(m);
  __m256 acc = _mm256_setzero_ps();
  for (j = 0; j + 8 <= t; j += 8) {
    const __m256 e = simd::exp8(_mm256_sub_ps(_mm256_loadu_ps(p + j), mb));
    _mm256_storeu_ps(p + j, e);
    acc = _mm256_add_ps(acc, e);
  }
  _mm256_store_ps(lanes, acc);
  float sum = 0;
  for (float l : lanes) sum += l;
  for (; j < t; ++j) sum += (p[j] = simd::exp_approx(p[j] - m));
  if (mask != nullptr) {
    // exp clamps its argument at −87, so a masked key would keep e^−87; remove it exactly.
    for (j = 0; j < t; ++j)
      if (mask[j] == 0) {
        sum -= p[j];
        p[j] = 0.0f;
      }
  }
  return 1.0f / sum;
}

// acc[r][0 .. 8·NV) = Σ_k a[r][k] · b[k·ldb + 0 .. 8·NV): R rows of broadcast scalars times
// the same 8·NV-wide rows of b. Scores (a = queries, b = Kᵀ) and the weighted sum of values
// (a = probabilities, b = V) are both this outer-product tile.
template <int R, int NV>
__attribute__((target("avx2,fma"))) inline void outer_tile(const float* const* a, const float* b, std::size_t ldb,
                                                           std::size_t k_count, __m256 (&acc)[R][NV]) {
  for (int r = 0; r < R; ++r)
    for (int n = 0; n < NV; ++n) acc[r][n] = _mm256_setzero_ps();
  for (std::size_t k = 0; k < k_count; ++k) {
    const float* br = b + k * ldb;
    __m256 bv[NV];
    for (int n = 0; n < NV; ++n) bv[n] = _mm256_loadu_ps(br + 8 * n);
    for (int r = 0; r < R; ++r) {
      const __m256 ak = _mm256_broadcast_ss(a[r] + k);
      for (int n = 0; n < NV; ++n) acc[r][n] = _mm256_fmadd_ps(ak, bv[n], acc[r][n]);
    }
  }
}

// Scores of R query rows against 8·NV keys starting at j0: p[r][j] = scale · q_r·k_j.
template <int R, int NV>
__attribute__((target("avx2,fma"))) inline void scores_block(const float* const* q, const float* kt, std::size_t tp,
                                                             std::size_t dh, std::size_t j0, float scale, float* const* p) {
  __m256 acc[R][NV];
  outer_tile<R, NV>(q, kt + j0, tp, dh, acc);
  const __m256 sc = _mm256_set1_ps(scale);
  for (int r = 0; r < R; ++r)
    for (int n = 0; n < NV; ++n) _mm256_storeu_ps(p[r] + j0 + 8 * n, _mm256_mul_ps(acc[r][n], sc));
}

// ctx[r][d0 .. d0+8·NV) = inv[r] · Σ_j p[r][j]·v_j[d0 ..].
template <int R, int NV>
__attribute__((target("avx2,fma"))) inline void context_block(const float* const* p, const float* v, std::size_t ld,
                                                              std::size_t t, std::size_t d0, const float* inv,
                                                              float* const* ctx) {
  __m256 acc[R][NV];
  outer_tile<R, NV>(p, v + d0, ld, t, acc);
  for (int r = 0; r < R; ++r) {
    const __m256 s = _mm256_set1_ps(inv[r]);
    for (int n = 0; n < NV; ++n) _mm256_storeu_ps(ctx[r] + d0 + 8 * n, _mm256_mul_ps(acc[r][n], s));
  }
}

// R query rows (1 or 2: 2 rows × 4 vectors = 8 independent FMA chains).
template <int R>
__attribute__((target("avx2,fma"))) void rows_avx2(const attention_head_args& a, std::size_t i0, const float* kt,
                                                   const float* vc, std::size_t tp, float* pbuf) {
  const float* q[R];
  float* p[R];
  float* ctx[R];
  float inv[R];
  for (int r = 0; r < R; ++r) {
    q[r] = a.q + (i0 + static_cast<std::size_t>(r)) * a.ld_in;
    p[r] = pbuf + static_cast<std::size_t>(r) * tp;
    ctx[r] = a.ctx + (i0 + static_cast<std::size_t>(r)) * a.ld_out;
  }
  std::size_t j0 = 0;
  for (; j0 + 32 <= tp; j0 += 32) scores_block<R, 4>(q, kt, tp, a.dh, j0, a.scale, p);
  for (; j0 < tp; j0 += 8) scores_block<R, 1>(q, kt, tp, a.dh, j0, a.scale, p);
  for (int r = 0; r < R; ++r) inv[r] = exp_row_avx2(p[r], a.t, a.key_mask);
  std::size_t d0 = 0;
  for (; d0 + 32 <= a.dh; d0 += 32) context_block<R, 4>(p, vc, a.dh, a.t, d0, inv, ctx);
  for (; d0 + 8 <= a.dh; d0 += 8) context_block<R, 1>(p, vc, a.dh, a.t, d0, inv, ctx);
  for (; d0 < a.dh; ++d0)
    for (int r = 0; r < R; ++r) {
      float s = 0;
      for (std::size_t j = 0; j < a.t; ++j) s += p[r][j] * vc[j * a.dh + d0];
      ctx[r][d0] = s * inv[r];
    }
}

__attribute__((target("avx2,fma"))) void attention_avx2(const attention_head_args& a, attention_scratch& s) {
  const std::size_t tp = round8(a.t);
  s.kt.resize(a.dh * tp);
  s.vc.resize(a.t * a.dh);
  s.p.resize(2 * tp);
  // Kᵀ with zero columns up to tp, so score blocks never read past the keys.
  for (std::size_t d = 0; d < a.dh; ++d) {
    float* row = s.kt.data() + d * tp;
    for (std::size_t j = 0; j < a.t; ++j) row[j] = a.k[j * a.ld_in + d];
    std::fill(row + a.t, row + tp, 0.0f);
  }
  // V rows in the QKV buffer are 3·hidden floats apart (4.5 KiB for MiniLM): at 128 tokens they
  // fall into a quarter of L1's sets and evict each other on every pass; contiguous they don't.
  for (std::size_t j = 0; j < a.t; ++j) std::copy(a.v + j * a.ld_in, a.v + j * a.ld_in + a.dh, s.vc.data() + j * a.dh);
  std::size_t i = 0;
  for (; i + 2 <= a.t; i += 2) rows_avx2<2>(a, i, s.kt.data(), s.vc.data(), tp, s.p.data());
  if (i < a.t) rows_avx2<1>(a, i, s.kt.data(), s.vc.data(), tp, s.p.data());
}

#endif

}  // namespace

void attention_head_portable(const attention_head_args& a, attention_scratch& s) {
  s.p.resize(std::max<std::size_t>(a.t, 1));
  float* p = s.p.data();
  for (std::size_t i = 0; i < a.t; ++i) {
    const float* qi = a.q + i * a.ld_in;
    for (std::size_t j = 0; j < a.t; ++j) {
      const float* kj = a.k + j * a.ld_in;
      float dot = 0;
      for (std::size_t d = 0; d < a.dh; ++d) dot += qi[d] * kj[d];
      p[j] = dot * a.scale;
    }
    const float inv = exp_row_portable(p, a.t, a.key_mask);
    float* ci = a.ctx + i * a.ld_out;
    for (std::size_t d = 0; d < a.dh; ++d) ci[d] = 0.0f;
    for (std::size_t j = 0; j < a.t; ++j) {
      const float* vj = a.v + j * a.ld_in;
      for (std::size_t d = 0; d < a.dh; ++d) ci[d] += p[j] * vj[d];
    }
    for (std::size_t d = 0; d < a.dh; ++d) ci[d] *= inv;
  }
}

void attention_head(const attention_head_args& a, attention_scratch& s) {
  if (a.t == 0 || a.dh == 0) return;
#if GI_CLASSIFY_X86
  if (has_avx2_fma()) {
    attention_avx2(a, s);
    return;
  }
#endif
  attention_head_portable(a, s);
}

}  // namespace gi::classify
