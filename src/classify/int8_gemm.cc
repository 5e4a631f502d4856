#include "classify/int8_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <immintrin.h>

namespace gi::classify {

namespace {

constexpr std::size_t block = 16;  // output rows per packed block (one zmm of int32)
constexpr int max_rows = 4;        // token rows per register tile
constexpr int max_blocks = 4;      // output blocks per register tile (64 outputs)

std::int32_t load_i32(const std::uint8_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// acc[r][c] holds Σ_k x_q[r][k]·w_q[c][k] (exact); the float result is shared by every kernel.
void finish_tile(const std::int32_t (&acc)[max_rows][max_blocks * block], int rows, std::size_t col0,
                 std::size_t cols, const float* xscale, const packed_int8& w, const float* bias, float* y,
                 std::size_t ldy) {
  for (int r = 0; r < rows; ++r) {
    float* yr = y + static_cast<std::size_t>(r) * ldy + col0;
    const float xs = xscale[r];
    for (std::size_t c = 0; c < cols; ++c)
      yr[c] = static_cast<float>(acc[r][c]) * (xs * w.scale[col0 + c]) + bias[col0 + c];
  }
}

__attribute__((target("avx2"))) void finish_tile_avx2(const std::int32_t (&acc)[max_rows][max_blocks * block], int rows,
                                                     std::size_t col0, std::size_t cols, const float* xscale,
                                                     const packed_int8& w, const float* bias, float* y, std::size_t ldy) {
  for (int r = 0; r < rows; ++r) {
    float* yr = y + static_cast<std::size_t>(r) * ldy + col0;
    const __m256 xs = _mm256_set1_ps(xscale[r]);
    std::size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
      const __m256 a = _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(&acc[r][c])));
      const __m256 sc = _mm256_mul_ps(xs, _mm256_loadu_ps(w.scale.data() + col0 + c));
      _mm256_storeu_ps(yr + c, _mm256_add_ps(_mm256_mul_ps(a, sc), _mm256_loadu_ps(bias + col0 + c)));
    }
    for (; c < cols; ++c) yr[c] = static_cast<float>(acc[r][c]) * (xscale[r] * w.scale[col0 + c]) + bias[col0 + c];
  }
}

// Per-row symmetric quantisation to u8 = round(x/scale) + 128 (round half to even, as
// std::nearbyint in the default mode and cvtps2dq).
void quantize_row(const float* x, std::size_t n, std::size_t ld, std::uint8_t* q, float& scale_out) {
  float mx = 0;
  for (std::size_t k = 0; k < n; ++k) mx = std::max(mx, std::fabs(x[k]));
  const float scale = mx > 0 ? mx / 127.0f : 1.0f;
  const float inv = 1.0f / scale;
  scale_out = scale;
  for (std::size_t k = 0; k < n; ++k)
    q[k] = static_cast<std::uint8_t>(static_cast<int>(std::clamp(std::nearbyint(x[k] * inv), -127.0f, 127.0f)) + 128);
  std::fill(q + n, q + ld, std::uint8_t{128});  // x_q = 0 (and w is 0 there)
}

// 8 floats → 8 int32 in 1..255.
__attribute__((target("avx2"))) inline __m256i q8(const float* x, __m256 iv, __m256 lo, __m256 hi, __m256i off) {
  const __m256 v = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(x), iv), lo), hi);
  return _mm256_add_epi32(_mm256_cvtps_epi32(v), off);
}

__attribute__((target("avx2"))) void quantize_row_avx2(const float* x, std::size_t n, std::size_t ld, std::uint8_t* q,
                                                       float& scale_out) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 m8 = _mm256_setzero_ps();
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) m8 = _mm256_max_ps(m8, _mm256_and_ps(_mm256_loadu_ps(x + k), abs_mask));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m8);
  float mx = 0;
  for (float l : lanes) mx = std::max(mx, l);
  for (; k < n; ++k) mx = std::max(mx, std::fabs(x[k]));
  const float scale = mx > 0 ? mx / 127.0f : 1.0f;
  const float inv = 1.0f / scale;
  scale_out = scale;
  const __m256 iv = _mm256_set1_ps(inv);
  const __m256 lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
  const __m256i off = _mm256_set1_epi32(128);
  k = 0;
  for (; k + 32 <= n; k += 32) {
    // packs work within 128-bit lanes; the permute restores element order.
    const __m256i ab = _mm256_packs_epi32(q8(x + k, iv, lo, hi, off), q8(x + k + 8, iv, lo, hi, off));
    const __m256i cd = _mm256_packs_epi32(q8(x + k + 16, iv, lo, hi, off), q8(x + k + 24, iv, lo, hi, off));
    const __m256i bytes = _mm256_packus_epi16(ab, cd);
    const __m256i ordered = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + k), ordered);
  }
  for (; k < n; ++k)
    q[k] = static_cast<std::uint8_t>(static_cast<int>(std::clamp(std::nearbyint(x[k] * inv), -127.0f, 127.0f)) + 128);
  std::fill(q + n, q + ld, std::uint8_t{128});
}

bool cpu_has_avx2() {
  static const bool v = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return v;
}

void portable_tile(const std::uint8_t* xq, std::size_t ldx, int rows, const std::int8_t* wb, std::size_t groups,
                   int blocks, std::int32_t (&acc)[max_rows][max_blocks * block]) {
  for (int r = 0; r < rows; ++r)
    for (int b = 0; b < blocks; ++b)
      for (std::size_t j = 0; j < block; ++j) {
        std::int32_t s = 0;
        const std::uint8_t* xr = xq + static_cast<std::size_t>(r) * ldx;
        const std::int8_t* wr = wb + static_cast<std::size_t>(b) * groups * 64 + j * 4;
        for (std::size_t g = 0; g < groups; ++g)
          for (int q = 0; q < 4; ++q)
            s += (static_cast<std::int32_t>(xr[g * 4 + static_cast<std::size_t>(q)]) - 128) * wr[g * 64 + static_cast<std::size_t>(q)];
        acc[r][static_cast<std::size_t>(b) * block + j] = s;
      }
}

// AVX-512 VNNI: vpdpbusd adds 4 u8×s8 products per int32 lane; Σ u8·w = Σ x_q·w + 128·Σ w.
template <int R, int NB>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void vnni_tile(
    const std::uint8_t* xq, std::size_t ldx, const std::int8_t* wb, std::size_t groups, const std::int32_t* row_sum,
    std::int32_t (&acc_out)[max_rows][max_blocks * block]) {
  __m512i acc[R][NB];
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < NB; ++b) acc[r][b] = _mm512_setzero_si512();
  for (std::size_t g = 0; g < groups; ++g) {
    __m512i w[NB];
    for (int b = 0; b < NB; ++b) w[b] = _mm512_loadu_si512(wb + (static_cast<std::size_t>(b) * groups + g) * 64);
    for (int r = 0; r < R; ++r) {
      const __m512i xb = _mm512_set1_epi32(load_i32(xq + static_cast<std::size_t>(r) * ldx + g * 4));
      for (int b = 0; b < NB; ++b) acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], xb, w[b]);
    }
  }
  for (int b = 0; b < NB; ++b) {
    const __m512i bias = _mm512_loadu_si512(row_sum + b * static_cast<int>(block));  // 128·Σw
    for (int r = 0; r < R; ++r)
      _mm512_storeu_si512(&acc_out[r][static_cast<std::size_t>(b) * block], _mm512_sub_epi32(acc[r][b], bias));
  }
}

// AVX2 has no u8×s8→s32 instruction; vpmaddubsw sums pairs into s16 and would saturate on
// 255·127·2. With |x_q| ≤ 127 as the unsigned operand and w_q carrying x_q's sign (vpsignb),
// a pair is at most 2·127·127 = 32258: exact. vpmaddwd by 1 widens the pairs to s32.
template <int R, int NB>
__attribute__((target("avx2"))) void avx2_tile(const std::uint8_t* xq, std::size_t ldx, const std::int8_t* wb,
                                               std::size_t groups, std::int32_t (&acc_out)[max_rows][max_blocks * block]) {
  __m256i acc[R][2 * NB];
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < 2 * NB; ++b) acc[r][b] = _mm256_setzero_si256();
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  for (std::size_t g = 0; g < groups; ++g) {
    __m256i w[2 * NB];
    for (int b = 0; b < NB; ++b) {
      const std::int8_t* p = wb + (static_cast<std::size_t>(b) * groups + g) * 64;
      w[2 * b] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
      w[2 * b + 1] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    }
    for (int r = 0; r < R; ++r) {
      const __m256i xs = _mm256_xor_si256(_mm256_set1_epi32(load_i32(xq + static_cast<std::size_t>(r) * ldx + g * 4)), flip);
      const __m256i xa = _mm256_abs_epi8(xs);
      for (int b = 0; b < 2 * NB; ++b) {
        const __m256i p16 = _mm256_maddubs_epi16(xa, _mm256_sign_epi8(w[b], xs));
        acc[r][b] = _mm256_add_epi32(acc[r][b], _mm256_madd_epi16(p16, ones));
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int b = 0; b < 2 * NB; ++b)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(&acc_out[r][static_cast<std::size_t>(b) * 8]), acc[r][b]);
}

template <int R, int NB>
void run_tile(int8_kernel k, const std::uint8_t* xq, std::size_t ldx, const std::int8_t* wb, std::size_t groups,
              const std::int32_t* row_sum, std::int32_t (&acc)[max_rows][max_blocks * block]) {
  switch (k) {
    case int8_kernel::avx512_vnni: vnni_tile<R, NB>(xq, ldx, wb, groups, row_sum, acc); return;
    case int8_kernel::avx2: avx2_tile<R, NB>(xq, ldx, wb, groups, acc); return;
    case int8_kernel::portable: portable_tile(xq, ldx, R, wb, groups, NB, acc); return;
  }
}

template <int R>
void run_rows(int8_kernel k, int nb, const std::uint8_t* xq, std::size_t ldx, const std::int8_t* wb,
              std::size_t groups, const std::int32_t* row_sum, std::int32_t (&acc)[max_rows][max_blocks * block]) {
  switch (nb) {
    case 1: run_tile<R, 1>(k, xq, ldx, wb, groups, row_sum, acc); return;
    case 2: run_tile<R, 2>(k, xq, ldx, wb, groups, row_sum, acc); return;
    case 3: run_tile<R, 3>(k, xq, ldx, wb, groups, row_sum, acc); return;
    default: run_tile<R, 4>(k, xq, ldx, wb, groups, row_sum, acc); return;
  }
}

}  // namespace

packed_int8 pack_int8(const float* w, std::size_t out, std::size_t in) {
  packed_int8 p;
  p.out = out;
  p.in = in;
  p.out_blocks = (out + block - 1) / block;
  p.groups = (in + 3) / 4;
  p.data.assign(p.out_blocks * p.groups * 64, 0);
  p.scale.assign(p.out_blocks * block, 0.0f);
  p.row_sum.assign(p.out_blocks * block, 0);
  for (std::size_t o = 0; o < out; ++o) {
    const float* row = w + o * in;
    float mx = 0;
    for (std::size_t k = 0; k < in; ++k) mx = std::max(mx, std::fabs(row[k]));
    const float scale = mx > 0 ? mx / 127.0f : 1.0f;
    p.scale[o] = scale;
    const std::size_t b = o / block, j = o % block;
    std::int32_t sum = 0;
    for (std::size_t k = 0; k < in; ++k) {
      const auto q = static_cast<std::int8_t>(std::clamp(std::nearbyint(row[k] / scale), -127.0f, 127.0f));
      p.data[(b * p.groups + k / 4) * 64 + j * 4 + k % 4] = q;
      sum += q;
    }
    p.row_sum[o] = 128 * sum;
  }
  return p;
}

int8_kernel best_int8_kernel() noexcept {
  static const int8_kernel k = [] {
    __builtin_cpu_init();
    const bool vnni = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw");
    const bool avx2 = __builtin_cpu_supports("avx2");
    // GAMMAINFRA_INT8_KERNEL=avx2|portable selects a lesser kernel (benchmarks, diagnosis);
    // never one the CPU lacks.
    if (const char* e = std::getenv("GAMMAINFRA_INT8_KERNEL")) {
      const std::string_view want(e);
      if (want == "portable") return int8_kernel::portable;
      if (want == "avx2" && avx2) return int8_kernel::avx2;
    }
    if (vnni) return int8_kernel::avx512_vnni;
    if (avx2) return int8_kernel::avx2;
    return int8_kernel::portable;
  }();
  return k;
}

std::string_view to_string(int8_kernel k) noexcept {
  switch (k) {
    case int8_kernel::portable: return "portable";
    case int8_kernel::avx2: return "avx2";
    case int8_kernel::avx512_vnni: return "avx512-vnni";
  }
  return "portable";
}

void linear_int8(const float* x, std::size_t t, const packed_int8& w, const float* bias, float* y,
                 int8_scratch& s, int8_kernel kernel) {
  const std::size_t ldx = w.groups * 4;
  s.xq.resize(t * ldx);
  s.xscale.resize(t);
  const bool avx2 = cpu_has_avx2();
  for (std::size_t r = 0; r < t; ++r) {
    if (avx2)
      quantize_row_avx2(x + r * w.in, w.in, ldx, s.xq.data() + r * ldx, s.xscale[r]);
    else
      quantize_row(x + r * w.in, w.in, ldx, s.xq.data() + r * ldx, s.xscale[r]);
  }
  alignas(64) std::int32_t acc[max_rows][max_blocks * block];
  for (std::size_t sb = 0; sb < w.out_blocks; sb += max_blocks) {
    const int nb = static_cast<int>(std::min<std::size_t>(max_blocks, w.out_blocks - sb));
    const std::int8_t* wb = w.data.data() + sb * w.groups * 64;
    const std::int32_t* rs = w.row_sum.data() + sb * block;
    const std::size_t col0 = sb * block, cols = std::min(w.out, (sb + static_cast<std::size_t>(nb)) * block) - col0;
    for (std::size_t r0 = 0; r0 < t; r0 += max_rows) {
      const int rows = static_cast<int>(std::min<std::size_t>(max_rows, t - r0));
      const std::uint8_t* xq = s.xq.data() + r0 * ldx;
      switch (rows) {
        case 1: run_rows<1>(kernel, nb, xq, ldx, wb, w.groups, rs, acc); break;
        case 2: run_rows<2>(kernel, nb, xq, ldx, wb, w.groups, rs, acc); break;
        case 3: run_rows<3>(kernel, nb, xq, ldx, wb, w.groups, rs, acc); break;
        default: run_rows<4>(kernel, nb, xq, ldx, wb, w.groups, rs, acc); break;
      }
      if (avx2)
        finish_tile_avx2(acc, rows, col0, cols, s.xscale.data() + r0, w, bias, y + r0 * w.out, w.out);
      else
        finish_tile(acc, rows, col0, cols, s.xscale.data() + r0, w, bias, y + r0 * w.out, w.out);
    }
  }
}

}  // namespace gi::classify
