#pragma once
// The task head on MiniLM sentence embeddings: multinomial logistic regression over
// [embedding (hidden dims) ⊕ lexical-model log-probabilities (8)]. The lexical part lets the
// head keep what the n-gram model knows (position of the ask, code tokens) while the
// embedding adds meaning; `use_lexical=false` gives the embedding-only head.
//
// File (little-endian): "GIMLHEAD" | u32 version=1 | u32 embed_dim | u32 use_lexical |
// u32 n_classes=8 | f32 w[(embed_dim + 8·use_lexical) × 8] | f32 bias[8] | u64 FNV-1a.

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "classify/classifier.h"
#include "core/result.h"

namespace gi::classify {

struct minilm_head {
  std::uint32_t embed_dim = 0;
  bool use_lexical = true;
  std::vector<float> w;  // feature-major: w[f * task_count + c]
  std::array<float, task_count> bias{};

  std::size_t n_features() const noexcept { return embed_dim + (use_lexical ? task_count : 0); }
  // features = embedding ⊕ (lexical log-probabilities when use_lexical)
  std::array<float, task_count> logits(std::span<const float> features) const;

  std::string serialize() const;
  static core::result<minilm_head> parse(std::string_view bytes);
  static core::result<minilm_head> load(const std::filesystem::path& file);
  core::status<> save(const std::filesystem::path& file) const;
};

struct head_train_options {
  std::uint32_t epochs = 30;
  float learning_rate = 0.05f;
  float l2 = 1e-4f;
  std::uint64_t seed = 1234;
};

// rows: n × n_features (row-major); deterministic for a fixed seed.
minilm_head train_head(const std::vector<float>& rows, const std::vector<int>& labels, std::uint32_t embed_dim,
                       bool use_lexical, const head_train_options& opt,
                       const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

}  // namespace gi::classify
