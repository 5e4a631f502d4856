#pragma once
// Vectorisable exp and erf-GELU for the MiniLM fast path (issue 9 §5). std::erf and std::exp
// are scalar libm calls: erf alone was ~13% of a forward pass (perf, 64 tokens).
//   fast_exp: Cody–Waite range reduction + degree-6 polynomial, relative error < 2e-7 on
//             [-87, 88] (tested against std::exp).
//   gelu:     0.5·v·(1 + erf(v/√2)) with erf from Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7)
//             and fast_exp; |gelu − exact| ≤ 1e-6·max(1,|v|) (tested).
// Both loops are compiled for AVX2+FMA when the CPU has them (runtime dispatch).

#include <cstddef>

namespace gi::classify {

// x[i] = gelu(x[i]) for i < n.
void gelu_fast(float* x, std::size_t n) noexcept;
// Row softmax in place: r[j] = exp(r[j] − max) / Σ.
void softmax_fast(float* r, std::size_t n) noexcept;
// x[i] = exp(x[i]) (for tests).
void exp_fast(float* x, std::size_t n) noexcept;
// Residual add + LayerNorm over t rows of h: x = LN(x + add) · g + b (add may be null).
// Float accumulation, 8 lanes (the fp32 reference path keeps its double LayerNorm); tested
// against a double reference within 1e-5.
void add_layer_norm_fast(float* x, const float* add, std::size_t t, std::size_t h, const float* g, const float* b,
                         float eps) noexcept;

}  // namespace gi::classify
