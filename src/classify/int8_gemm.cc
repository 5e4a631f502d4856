#include "classify/int8_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "classify/fast_math_simd.h"  // GI_CLASSIFY_X86, <immintrin.h>

namespace gi::classify {

namespace {

constexpr std::size_t block = 16;  // output rows per packed block (one zmm of int32)
constexpr int max_rows = 4;        // token rows per register tile
constexpr int max_blocks = 4;      // output blocks per register tile (64 outputs)

[[maybe_unused]] std::int32_t load_i32(const std::uint8_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// acc[r][c] holds Σ_k x_u[r][k]·w_q[c][k] (exact); subtracting offset·Σ_k w_q[c][k] leaves
// Σ_k x_q·w_q exactly. The float epilogue is shared by every kernel.
void finish_tile(const std::int32_t (&acc)[max_rows][max_blocks * block], int rows, std::size_t col0,
                 std::size_t cols, const float* xscale, const packed_int8& w, const float* bias, float* y,
                 std::size_t ldy, std::int32_t offset) {
  for (int r = 0; r < rows; ++r) {
    float* yr = y + static_cast<std::size_t>(r) * ldy + col0;
    const float xs = xscale[r];
    for (std::size_t c = 0; c < cols; ++c)
      yr[c] = static_cast<float>(acc[r][c] - offset * w.row_sum[col0 + c]) * (xs * w.scale[col0 + c]) + bias[col0 + c];
  }
}

// Per-row symmetric quantisation to u8 = round(x/scale) + offset, |x_q| ≤ qmax = offset − 1
// (round half to even, as std::nearbyint in the default mode and cvtps2dq).
void quantize_row(const float* x, std::size_t n, std::size_t ld, std::uint8_t* q, float& scale_out, int offset) {
  const auto qmax = static_cast<float>(offset - 1);
  float mx = 0;
  for (std::size_t k = 0; k < n; ++k) mx = std::max(mx, std::fabs(x[k]));
  const float scale = mx > 0 ? mx / qmax : 1.0f;
  const float inv = 1.0f / scale;
  scale_out = scale;
  for (std::size_t k = 0; k < n; ++k)
    q[k] = static_cast<std::uint8_t>(static_cast<int>(std::clamp(std::nearbyint(x[k] * inv), -qmax, qmax)) + offset);
  std::fill(q + n, q + ld, static_cast<std::uint8_t>(offset));  // x_q = 0 (and w is 0 there)
}

#if GI_CLASSIFY_X86
// The same arithmetic as finish_tile (bit-identical), columns outer so the per-column terms
// are loaded and multiplied once per tile.
__attribute__((target("avx2"))) void finish_tile_avx2(const std::int32_t (&acc)[max_rows][max_blocks * block], int rows,
                                                     std::size_t col0, std::size_t cols, const float* xscale,
                                                     const packed_int8& w, const float* bias, float* y, std::size_t ldy,
                                                     std::int32_t offset) {
  const __m256i off = _mm256_set1_epi32(offset);
  std::size_t c = 0;
  for (; c + 8 <= cols; c += 8) {
    const __m256i rs = _mm256_mullo_epi32(off, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.row_sum.data() + col0 + c)));
    const __m256 ws = _mm256_loadu_ps(w.scale.data() + col0 + c);
    const __m256 bv = _mm256_loadu_ps(bias + col0 + c);
    for (int r = 0; r < rows; ++r) {
      const __m256 a = _mm256_cvtepi32_ps(
          _mm256_sub_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(&acc[r][c])), rs));
      const __m256 sc = _mm256_mul_ps(_mm256_set1_ps(xscale[r]), ws);
      _mm256_storeu_ps(y + static_cast<std::size_t>(r) * ldy + col0 + c, _mm256_add_ps(_mm256_mul_ps(a, sc), bv));
    }
  }
  for (; c < cols; ++c)
    for (int r = 0; r < rows; ++r)
      y[static_cast<std::size_t>(r) * ldy + col0 + c] =
          static_cast<float>(acc[r][c] - offset * w.row_sum[col0 + c]) * (xscale[r] * w.scale[col0 + c]) + bias[col0 + c];
}

// 8 floats → 8 int32 in offset ± qmax.
__attribute__((target("avx2"))) inline __m256i q8(const float* x, __m256 iv, __m256 lo, __m256 hi, __m256i off) {
  const __m256 v = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(x), iv), lo), hi);
  return _mm256_add_epi32(_mm256_cvtps_epi32(v), off);
}

__attribute__((target("avx2"))) void quantize_row_avx2(const float* x, std::size_t n, std::size_t ld, std::uint8_t* q,
                                                       float& scale_out, int offset) {
  const auto qmax = static_cast<float>(offset - 1);
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 m8 = _mm256_setzero_ps();
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) m8 = _mm256_max_ps(m8, _mm256_and_ps(_mm256_loadu_ps(x + k), abs_mask));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m8);
  float mx = 0;
  for (float l : lanes) mx = std::max(mx, l);
  for (; k < n; ++k) mx = std::max(mx, std::fabs(x[k]));
  const float scale = mx > 0 ? mx / qmax : 1.0f;
  const float inv = 1.0f / scale;
  scale_out = scale;
  const __m256 iv = _mm256_set1_ps(inv);
  const __m256 lo = _mm256_set1_ps(-qmax), hi = _mm256_set1_ps(qmax);
  const __m256i off = _mm256_set1_epi32(offset);
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
    q[k] = static_cast<std::uint8_t>(static_cast<int>(std::clamp(std::nearbyint(x[k] * inv), -qmax, qmax)) + offset);
  std::fill(q + n, q + ld, static_cast<std::uint8_t>(offset));
}

bool cpu_has_avx2() {
  static const bool v = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return v;
}

#else
bool cpu_has_avx2() { return false; }
void finish_tile_avx2(const std::int32_t (&acc)[max_rows][max_blocks * block], int rows, std::size_t col0,
                      std::size_t cols, const float* xscale, const packed_int8& w, const float* bias, float* y,
                      std::size_t ldy, std::int32_t offset) {
  finish_tile(acc, rows, col0, cols, xscale, w, bias, y, ldy, offset);
}
void quantize_row_avx2(const float* x, std::size_t n, std::size_t ld, std::uint8_t* q, float& scale_out, int offset) {
  quantize_row(x, n, ld, q, scale_out, offset);
}
#endif

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
            s += static_cast<std::int32_t>(xr[g * 4 + static_cast<std::size_t>(q)]) * wr[g * 64 + static_cast<std::size_t>(q)];
        acc[r][static_cast<std::size_t>(b) * block + j] = s;
      }
}

#if GI_CLASSIFY_X86
// AVX-512 VNNI: vpdpbusd adds 4 u8×s8 products per int32 lane (Σ x_u·w; the epilogue removes
// the offset).
template <int R, int NB>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void vnni_tile(
    const std::uint8_t* xq, std::size_t ldx, const std::int8_t* wb, std::size_t groups,
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
  for (int b = 0; b < NB; ++b)
    for (int r = 0; r < R; ++r) _mm512_storeu_si512(&acc_out[r][static_cast<std::size_t>(b) * block], acc[r][b]);
}

// AVX2 has no u8×s8→s32 instruction; vpmaddubsw multiplies u8 × s8 and sums pairs into s16
// with saturation. 7-bit activations (x_u ≤ 127) keep a pair ≤ 2·127·127 = 32258: exact.
// vpmaddwd by 1 widens pairs to s32: 3 µops per 32 multiply-adds (the vpsignb form was 4).
// Tile: R token rows × one 16-output block (2 ymm per row) = 2R accumulators, so R = 4 keeps
// accumulators, the weight vectors and the broadcast in the 16 ymm registers (the former
// 4×64 tile needed 32 accumulators); the weight block (16 × in bytes ≤ 24 KiB) stays in L1
// across the row tiles.
// W7 (7-bit weights, what the encoder packs for AVX2): each vpmaddubsw pair is ≤ 2·127·63 =
// 16002, so the results of two input groups add in s16 (≤ 32004) before one vpmaddwd: 2
// maddubs + 1 maddwd on ports 0/1 per 64 multiply-adds, the adds on port 5. groups is even
// (pack_int8 pads). Without W7 (8-bit weights) each group is widened on its own.
template <int R, int NB, bool W7>
__attribute__((target("avx2"))) void avx2_tile(const std::uint8_t* xq, std::size_t ldx, const std::int8_t* wb,
                                               std::size_t groups, std::int32_t (&acc_out)[max_rows][max_blocks * block]) {
  const __m256i ones = _mm256_set1_epi16(1);
  constexpr std::size_t step = W7 ? 2 : 1;  // input groups (4 bytes each) per iteration
  for (int b = 0; b < NB; ++b) {
    __m256i acc[R][2];
    for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    const std::int8_t* p = wb + static_cast<std::size_t>(b) * groups * 64;
    for (std::size_t g = 0; g < groups; g += step, p += 64 * step) {
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
      [[maybe_unused]] __m256i w2 = w0, w3 = w1;  // the second group's weights (W7)
      if constexpr (W7) {
        w2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64));
        w3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 96));
      }
      for (int r = 0; r < R; ++r) {
        const std::uint8_t* xr = xq + static_cast<std::size_t>(r) * ldx + g * 4;
        const __m256i xa = _mm256_set1_epi32(load_i32(xr));
        __m256i s0 = _mm256_maddubs_epi16(xa, w0);
        __m256i s1 = _mm256_maddubs_epi16(xa, w1);
        if constexpr (W7) {
          const __m256i xb = _mm256_set1_epi32(load_i32(xr + 4));
          s0 = _mm256_add_epi16(s0, _mm256_maddubs_epi16(xb, w2));
          s1 = _mm256_add_epi16(s1, _mm256_maddubs_epi16(xb, w3));
        }
        acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(s0, ones));
        acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(s1, ones));
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(&acc_out[r][static_cast<std::size_t>(b) * block]), acc[r][0]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(&acc_out[r][static_cast<std::size_t>(b) * block + 8]), acc[r][1]);
    }
  }
}

#endif

template <int R, int NB>
void run_tile(int8_kernel k, [[maybe_unused]] bool w7, const std::uint8_t* xq, std::size_t ldx, const std::int8_t* wb, std::size_t groups,
              std::int32_t (&acc)[max_rows][max_blocks * block]) {
  switch (k) {
#if GI_CLASSIFY_X86
    case int8_kernel::avx512_vnni: vnni_tile<R, NB>(xq, ldx, wb, groups, acc); return;
    case int8_kernel::avx2:
      w7 ? avx2_tile<R, NB, true>(xq, ldx, wb, groups, acc) : avx2_tile<R, NB, false>(xq, ldx, wb, groups, acc);
      return;
#else
    case int8_kernel::avx512_vnni:
    case int8_kernel::avx2:
#endif
    case int8_kernel::portable: portable_tile(xq, ldx, R, wb, groups, NB, acc); return;
  }
}

template <int R>
void run_rows(int8_kernel k, bool w7, int nb, const std::uint8_t* xq, std::size_t ldx, const std::int8_t* wb,
              std::size_t groups, std::int32_t (&acc)[max_rows][max_blocks * block]) {
  switch (nb) {
    case 1: run_tile<R, 1>(k, w7, xq, ldx, wb, groups, acc); return;
    case 2: run_tile<R, 2>(k, w7, xq, ldx, wb, groups, acc); return;
    case 3: run_tile<R, 3>(k, w7, xq, ldx, wb, groups, acc); return;
    default: run_tile<R, 4>(k, w7, xq, ldx, wb, groups, acc); return;
  }
}

}  // namespace

packed_int8 pack_int8(const float* w, std::size_t out, std::size_t in, int weight_bits) {
  packed_int8 p;
  p.out = out;
  p.in = in;
  p.bits = weight_bits == 7 ? 7 : 8;
  const float wmax = p.bits == 7 ? 63.0f : 127.0f;
  p.out_blocks = (out + block - 1) / block;
  p.groups = ((in + 3) / 4 + 1) / 2 * 2;
  p.data.assign(p.out_blocks * p.groups * 64, 0);
  p.scale.assign(p.out_blocks * block, 0.0f);
  p.row_sum.assign(p.out_blocks * block, 0);
  for (std::size_t o = 0; o < out; ++o) {
    const float* row = w + o * in;
    float mx = 0;
    for (std::size_t k = 0; k < in; ++k) mx = std::max(mx, std::fabs(row[k]));
    const float scale = mx > 0 ? mx / wmax : 1.0f;
    p.scale[o] = scale;
    const std::size_t b = o / block, j = o % block;
    std::int32_t sum = 0;
    for (std::size_t k = 0; k < in; ++k) {
      const auto q = static_cast<std::int8_t>(std::clamp(std::nearbyint(row[k] / scale), -wmax, wmax));
      p.data[(b * p.groups + k / 4) * 64 + j * 4 + k % 4] = q;
      sum += q;
    }
    p.row_sum[o] = sum;
  }
  return p;
}

int8_kernel best_int8_kernel() noexcept {
  static const int8_kernel k = [] {
#if GI_CLASSIFY_X86
    __builtin_cpu_init();
    const bool vnni = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw");
    const bool avx2 = __builtin_cpu_supports("avx2");
#else
    const bool vnni = false, avx2 = false;
#endif
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

int8_activations activations_for(int8_kernel k) noexcept {
  return k == int8_kernel::avx2 ? int8_activations::bits7 : int8_activations::bits8;
}

int weight_bits_for(int8_kernel k) noexcept { return k == int8_kernel::avx2 ? 7 : 8; }

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
  linear_int8(x, t, w, bias, y, s, kernel, activations_for(kernel));
}

void linear_int8(const float* x, std::size_t t, const packed_int8& w, const float* bias, float* y,
                 int8_scratch& s, int8_kernel kernel, int8_activations act) {
  // 8-bit activations would saturate vpmaddubsw: the AVX2 kernel only runs with 7-bit ones.
  if (kernel == int8_kernel::avx2) act = int8_activations::bits7;
  const int offset = act == int8_activations::bits7 ? 64 : 128;
  const bool w7 = w.bits == 7;
  const std::size_t ldx = w.groups * 4;
  s.xq.resize(t * ldx);
  s.xscale.resize(t);
  const bool avx2 = cpu_has_avx2();
  for (std::size_t r = 0; r < t; ++r) {
    if (avx2)
      quantize_row_avx2(x + r * w.in, w.in, ldx, s.xq.data() + r * ldx, s.xscale[r], offset);
    else
      quantize_row(x + r * w.in, w.in, ldx, s.xq.data() + r * ldx, s.xscale[r], offset);
  }
  alignas(64) std::int32_t acc[max_rows][max_blocks * block];
  // Loop order: a slice of output blocks outer, token-row tiles inner, so the slice's weights
  // are read from memory once and then from cache by every row tile. AVX2 takes one block per
  // slice (16 × in bytes ≤ 24 KiB stays in L1; its tile holds one block anyway); VNNI four.
  // While the row tiles run, the next slice's weights are prefetched into L2 in even portions:
  // a forward streams ~21 MB of weights (6 layers), far more than L2, and at 64 tokens the
  // first row tile of every slice would otherwise wait on L3/DRAM.
  const std::size_t step = kernel == int8_kernel::avx2 ? 1 : max_blocks;
  const std::size_t row_tiles = (t + max_rows - 1) / max_rows;
  const std::size_t slice_bytes = step * w.groups * 64;
  const std::size_t lines_per_tile = (slice_bytes / 64 + row_tiles - 1) / row_tiles;
  for (std::size_t sb = 0; sb < w.out_blocks; sb += step) {
    const int nb = static_cast<int>(std::min<std::size_t>(step, w.out_blocks - sb));
    const std::int8_t* wb = w.data.data() + sb * w.groups * 64;
    const std::size_t col0 = sb * block, cols = std::min(w.out, (sb + static_cast<std::size_t>(nb)) * block) - col0;
    const std::size_t next_bytes = sb + step < w.out_blocks
                                       ? std::min(step, w.out_blocks - sb - step) * w.groups * 64
                                       : 0;
    const char* next = reinterpret_cast<const char*>(wb + slice_bytes);
    for (std::size_t r0 = 0, tile = 0; r0 < t; r0 += max_rows, ++tile) {
      for (std::size_t l = tile * lines_per_tile; l < (tile + 1) * lines_per_tile && l * 64 < next_bytes; ++l)
        __builtin_prefetch(next + l * 64, 0, 2);
      const int rows = static_cast<int>(std::min<std::size_t>(max_rows, t - r0));
      const std::uint8_t* xq = s.xq.data() + r0 * ldx;
      switch (rows) {
        case 1: run_rows<1>(kernel, w7, nb, xq, ldx, wb, w.groups, acc); break;
        case 2: run_rows<2>(kernel, w7, nb, xq, ldx, wb, w.groups, acc); break;
        case 3: run_rows<3>(kernel, w7, nb, xq, ldx, wb, w.groups, acc); break;
        default: run_rows<4>(kernel, w7, nb, xq, ldx, wb, w.groups, acc); break;
      }
      if (avx2)
        finish_tile_avx2(acc, rows, col0, cols, s.xscale.data() + r0, w, bias, y + r0 * w.out, w.out, offset);
      else
        finish_tile(acc, rows, col0, cols, s.xscale.data() + r0, w, bias, y + r0 * w.out, w.out, offset);
    }
  }
}

}  // namespace gi::classify
