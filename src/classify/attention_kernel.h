#pragma once
// Fused single-head self-attention for the MiniLM fast path (issue 9 §5; docs/classifier.md
// "Speed"). For every query row i:
//   ctx[i] = Σ_j softmax_j(scale · q_i·k_j, over keys with mask[j] ≠ 0) · v_j
// computed row by row — scores, max, exp, sum and the weighted sum of V in one pass over a
// row buffer of t floats — instead of two OpenBLAS sgemm calls and a t×t matrix (OpenBLAS falls
// back to SSE3 Prescott kernels on CPUs it does not know, and its call overhead dominates at
// t×t×32). AVX2+FMA with runtime dispatch; a portable scalar version otherwise. exp is
// fast_math's (relative error ≤ 2e-7), so the result tracks the exact softmax to ~1e-6.
//
// Thread safety: the scratch belongs to one thread; no allocation once it is warm.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gi::classify {

struct attention_scratch {
  std::vector<float> kt;  // Kᵀ of the head, [dh][t rounded up to 8]
  std::vector<float> vc;  // V of the head, contiguous [t][dh]
  std::vector<float> p;   // two rows of scores / probabilities
};

struct attention_head_args {
  const float* q = nullptr;  // row i at q + i·ld_in, dh values
  const float* k = nullptr;
  const float* v = nullptr;
  std::size_t ld_in = 0;     // row stride of q, k, v (3·hidden in the fused QKV output)
  std::size_t t = 0;         // tokens (queries = keys)
  std::size_t dh = 0;        // head dimension
  float scale = 1.0f;        // usually 1/√dh
  const std::uint8_t* key_mask = nullptr;  // t entries, 0 = padding key (never attended); null = all keys
  float* ctx = nullptr;      // row i at ctx + i·ld_out, dh values written
  std::size_t ld_out = 0;
};

// Rows whose keys are all masked get ctx = 0.
void attention_head(const attention_head_args& a, attention_scratch& s);
// The scalar version (what attention_head runs without AVX2+FMA; tests compare the two).
void attention_head_portable(const attention_head_args& a, attention_scratch& s);

}  // namespace gi::classify
