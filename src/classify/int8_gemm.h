#pragma once
// Int8 Linear layers for the MiniLM encoder's fast path (issue 9 §5; docs/classifier.md
// "Speed"). Y[T×out] = X[T×in] · W[out×in]^T + b with
//   * W quantised once per output row (symmetric, s8 in [-127,127], scale = max|w|/127),
//     packed for the kernel: blocks of 16 output rows × 4 inputs (64 bytes), the layout of
//     AVX-512 VNNI `vpdpbusd` (u8 × s8 → s32, 4 products per lane);
//   * X quantised per row at call time (symmetric) and stored unsigned, x_u = x_q + offset:
//       8-bit: x_q in [-127,127], offset 128 — the operand `vpdpbusd` (VNNI) needs;
//       7-bit: x_q in [-63,63],  offset 64  — so AVX2's `vpmaddubsw` (u8 × s8, pairs summed
//              in s16) cannot saturate: 2·127·127 = 32258 < 32767, with no vpsignb.
//     The offset is removed exactly with the precomputed row sums of W.
// All integer sums are exact, so for the same activation width every kernel returns the same
// int32 accumulators and the float epilogue is shared: VNNI and portable (8-bit) are
// bit-identical, AVX2 and portable with 7-bit activations are bit-identical (tested). The only
// approximation is the quantisation itself (7-bit activations: about twice the 8-bit error;
// the encoder bound is in docs/classifier.md "Speed").
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
  std::size_t groups = 0;            // ceil(in / 4), rounded up to even (AVX2 takes groups in pairs)
  int bits = 8;                      // weight width: 8 (|w_q| ≤ 127) or 7 (|w_q| ≤ 63)
  std::vector<std::int8_t> data;     // [out_blocks][groups][16][4]
  std::vector<float> scale;          // per output row (padded to out_blocks*16)
  std::vector<std::int32_t> row_sum; // Σ_k w_q[o][k], per output row (padded): removes the u8 offset
};

// W in torch Linear layout [out × in], row-major. weight_bits 8 or 7: with 7-bit weights and
// 7-bit activations two vpmaddubsw results (each ≤ 2·127·63 = 16002) can be summed in s16
// before one vpmaddwd — 3 port-0/1 µops per 64 multiply-adds instead of 4 on AVX2
// (weight_bits_for()).
packed_int8 pack_int8(const float* w, std::size_t out, std::size_t in, int weight_bits = 8);

struct int8_scratch {
  std::vector<std::uint8_t> xq;      // [rows][groups*4]
  std::vector<float> xscale;         // per row
  std::vector<std::int32_t> acc;     // portable kernel only
};

enum class int8_kernel { portable, avx2, avx512_vnni };

// Activation width: 8-bit (|x_q| ≤ 127) or 7-bit (|x_q| ≤ 63).
enum class int8_activations { bits8, bits7 };

// The best kernel this CPU runs (cpuid at first call; GAMMAINFRA_INT8_KERNEL=avx2|portable
// forces a lesser one).
int8_kernel best_int8_kernel() noexcept;
std::string_view to_string(int8_kernel k) noexcept;
// The width each kernel is used with: 7-bit for AVX2 (its only exact fast form), 8-bit else.
int8_activations activations_for(int8_kernel k) noexcept;
// The weight width the encoder packs for a kernel: 7 for AVX2 (see pack_int8), 8 else.
int weight_bits_for(int8_kernel k) noexcept;

// y[t×out] = x[t×in] · Wᵀ + b, with `kernel` (must be supported by the CPU).
void linear_int8(const float* x, std::size_t t, const packed_int8& w, const float* bias, float* y,
                 int8_scratch& scratch, int8_kernel kernel = best_int8_kernel());
// The same with an explicit activation width (tests: portable with 7-bit reproduces AVX2).
// The AVX2 kernel requires bits7.
void linear_int8(const float* x, std::size_t t, const packed_int8& w, const float* bias, float* y,
                 int8_scratch& scratch, int8_kernel kernel, int8_activations act);

}  // namespace gi::classify
