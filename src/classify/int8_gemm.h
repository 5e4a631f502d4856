#pragma once
// Int8 Linear layers for the MiniLM encoder's fast path (issue 9 §5; docs/classifier.md
// "Speed"). Y[T×out] = X[T×in] · W[out×in]^T + b with
//   * W quantised once per output row (symmetric, s8 in [-127,127], scale = max|w|/127),
//     packed for the kernel: blocks of 16 output rows × 4 inputs (64 bytes), the layout of
//     AVX-512 VNNI `vpdpbusd` (u8 × s8 → s32, 4 products per lane);
//   * X quantised per row at call time (symmetric, scale = max|x|/127) and stored as
//     u8 = x_q + 128, the unsigned operand `vpdpbusd` needs; the +128 is removed exactly with
//     the precomputed row sums of W.
// All integer sums are exact, so every kernel (AVX-512 VNNI, AVX2, portable) returns the same
// int32 accumulators, and the float epilogue is shared: results are bit-identical across
// kernels (tested), and the only approximation is the quantisation itself.
//
// Thread safety: packed weights are immutable; the scratch belongs to one thread.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace gi::classify {

struct packed_int8 {
  std::size_t out = 0, in = 0;       // logical shape of W
  std::size_t out_blocks = 0;        // ceil(out / 16)
  std::size_t groups = 0;            // ceil(in / 4)
  std::vector<std::int8_t> data;     // [out_blocks][groups][16][4]
  std::vector<float> scale;          // per output row (padded to out_blocks*16)
  std::vector<std::int32_t> row_sum; // 128·Σ_k w_q[o][k], per output row (padded): the u8 offset
};

// W in torch Linear layout [out × in], row-major.
packed_int8 pack_int8(const float* w, std::size_t out, std::size_t in);

struct int8_scratch {
  std::vector<std::uint8_t> xq;      // [rows][groups*4]
  std::vector<float> xscale;         // per row
  std::vector<std::int32_t> acc;     // portable kernel only
};

enum class int8_kernel { portable, avx2, avx512_vnni };

// The best kernel this CPU runs (cpuid at first call).
int8_kernel best_int8_kernel() noexcept;
std::string_view to_string(int8_kernel k) noexcept;

// y[t×out] = x[t×in] · Wᵀ + b, with `kernel` (must be supported by the CPU).
void linear_int8(const float* x, std::size_t t, const packed_int8& w, const float* bias, float* y,
                 int8_scratch& scratch, int8_kernel kernel = best_int8_kernel());

}  // namespace gi::classify
