#pragma once
// The shipped default classifier: multinomial logistic regression over hashed lexical
// features (lexical_features.h), int8-quantised weights with a per-class scale.
//
// File format (little-endian, versioned; models/task-lexical-v1.bin):
//   "GILEXCLS" | u32 version=1 | u32 hash_bits, char_min, char_max, edge_words, flags
//   | u32 n_classes=8 | n × (u8 len, name) | f32 scale[8] | f32 bias[8]
//   | u32 meta_len, meta (JSON: seed, hyper-parameters, data hash)
//   | i8 weights[2^hash_bits × 8] (bucket-major) | u64 FNV-1a of everything before.
// A wrong magic, version, class list, size or checksum is a load error, never a crash.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.h"
#include "classify/lexical_features.h"
#include "core/result.h"

namespace gi::classify {

inline constexpr std::uint32_t lexical_format_version = 1;

// Float weights, as trained (bucket-major, task_count per bucket).
struct lexical_weights {
  feature_config features;
  std::vector<float> w;
  std::array<float, task_count> bias{};
  std::string meta;  // JSON text recorded in the file
};

class lexical_model final : public classifier {
 public:
  // Quantises trained weights (per-class symmetric int8).
  static lexical_model from_weights(const lexical_weights& w);
  static core::result<lexical_model> load(const std::filesystem::path& file);
  static core::result<lexical_model> parse(std::string_view bytes);

  std::string serialize() const;
  core::status<> save(const std::filesystem::path& file) const;

  classification classify(std::string_view text) const override;
  std::string_view name() const noexcept override { return "lexical"; }

  // Raw scores (logits) without softmax; for benchmarks and tests.
  std::array<float, task_count> logits(std::string_view text) const;

  const feature_config& features() const noexcept { return cfg_; }
  const std::string& meta() const noexcept { return meta_; }

 private:
  feature_config cfg_;
  std::vector<std::int8_t> q_;
  std::array<float, task_count> scale_{};
  std::array<float, task_count> bias_{};
  std::string meta_;
};

// Softmax in place.
void softmax(std::array<float, task_count>& v) noexcept;

}  // namespace gi::classify
