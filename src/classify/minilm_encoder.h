#pragma once
// The all-MiniLM-L6-v2 sentence encoder in C++ (design §4.8; models/all-MiniLM-L6-v2/
// SOURCE.md "Architecture"): BERT embeddings (word + absolute position + token type 0) →
// LayerNorm → N post-LN encoder layers (self-attention with the padding mask, erf GELU
// feed-forward) → mean pooling over the mask → L2 normalisation. Dimensions come from
// config.json; weights from model.safetensors, validated name by name and shape by shape.
// fp32 matrix products use OpenBLAS sgemm; the int8 fast path has its own kernels
// (int8_gemm.h, attention_kernel.h, fast_math.h). The pooler is not used.
//
// Thread safety: a loaded encoder is immutable; embed() uses a thread-local workspace (no
// allocation per call once warm), so concurrent calls are safe.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "classify/int8_gemm.h"
#include "classify/safetensors.h"
#include "core/result.h"

namespace gi::classify {

struct bert_config {
  std::size_t hidden = 0, layers = 0, heads = 0, intermediate = 0, vocab = 0, max_positions = 0, type_vocab = 0;
  double layer_norm_eps = 1e-12;
};

// fp32: OpenBLAS sgemm, libm erf/exp — matches the float64 reference within 1e-7 (the
//       published self-check and the reference tests use it).
// int8: the four Linear layers of every block in int8 (int8_gemm.h) and vectorised GELU /
//       softmax (fast_math.h); attention products stay fp32. An approximation with a
//       documented bound against fp32 (docs/classifier.md "Speed").
enum class encoder_precision { fp32, int8 };

// int8 when this CPU has a SIMD int8 kernel (AVX-512 VNNI or AVX2), else fp32.
encoder_precision fastest_precision() noexcept;

core::result<bert_config> parse_bert_config(std::string_view json);
core::result<bert_config> load_bert_config(const std::filesystem::path& file);

class minilm_encoder {
 public:
  static core::result<minilm_encoder> create(const bert_config& cfg, tensor_map weights);
  static core::result<minilm_encoder> load(const std::filesystem::path& config_json,
                                           const std::filesystem::path& safetensors);

  // One sequence of token ids ([CLS] … [SEP]) → L2-normalised embedding of size hidden.
  std::vector<float> embed(std::span<const std::int32_t> ids,
                           encoder_precision p = encoder_precision::fp32) const;
  // Several sequences in one forward pass (micro-batching): the token rows of all sequences
  // are stacked, so every Linear is one larger sgemm; attention stays per sequence, so no
  // padding is needed. result[i] equals embed(batch[i]) up to fp32 summation order.
  std::vector<std::vector<float>> embed_batch(const std::vector<std::vector<std::int32_t>>& batch,
                                              encoder_precision p = encoder_precision::fp32) const;

  const bert_config& config() const noexcept { return cfg_; }

 private:
  struct layer {
    const float *wq, *bq, *wk, *bk, *wv, *bv, *wo, *bo, *ln1_g, *ln1_b, *wi, *bi, *wo2, *bo2, *ln2_g, *ln2_b;
    std::vector<float> wqkv, bqkv;  // Q, K, V fused into one [3h × h] Linear
    packed_int8 qkv_q, wo_q, wi_q, wo2_q;  // the int8 path's copies of the four Linears
  };
  // batch.size() sequences → out (batch.size() × hidden).
  void forward(std::span<const std::span<const std::int32_t>> batch, encoder_precision p, std::span<float> out) const;

  bert_config cfg_;
  tensor_map weights_;
  const float *word_ = nullptr, *pos_ = nullptr, *type_ = nullptr, *emb_ln_g_ = nullptr, *emb_ln_b_ = nullptr;
  std::vector<layer> layers_;
};

}  // namespace gi::classify
