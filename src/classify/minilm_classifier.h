#pragma once
// The MiniLM task classifier: WordPiece → MiniLM encoder → head (minilm_head.h), optionally
// with the lexical model's log-probabilities as extra head features.
//
// Input budget: long prompts keep their first and last word pieces (head + tail): the ask
// is usually at one end (data/task_prompts/README.md), and the encoder's cost grows with
// the token count. The default budget of 128 tokens keeps a forward at ~30 ms on one core.

#include <filesystem>
#include <memory>
#include <vector>

#include "classify/classifier.h"
#include "classify/lexical_model.h"
#include "classify/minilm_encoder.h"
#include "classify/minilm_head.h"
#include "classify/model_store.h"
#include "classify/wordpiece.h"

namespace gi::classify {

struct minilm_options {
  std::size_t max_tokens = 128;  // including [CLS]/[SEP]
  bool verify_lock = true;       // re-hash files against minilm.lock
  bool self_check = true;        // published-value check (needs published_checks.json)
  std::filesystem::path published_checks;  // default: models/all-MiniLM-L6-v2/published_checks.json
  // Forward pass used for classification and head training (the self-check always runs
  // fp32): the int8 fast path where the CPU has an int8 kernel (docs/classifier.md "Speed").
  encoder_precision precision = fastest_precision();
};

// Ids for the encoder with a head + tail budget (first 3/4, last 1/4 of the pieces).
std::vector<std::int32_t> encode_with_budget(const wordpiece_tokenizer& tok, std::string_view text,
                                             std::size_t max_tokens);

class minilm_encoder_bundle {
 public:
  // Loads tokenizer + encoder from an installed model dir, verifying lock and self-check.
  static core::result<std::shared_ptr<const minilm_encoder_bundle>> load(const minilm_layout& layout,
                                                                         const minilm_options& opt);
  // For tests: from explicit parts (no lock, no self-check).
  minilm_encoder_bundle(wordpiece_tokenizer tok, minilm_encoder enc, std::size_t max_tokens,
                        encoder_precision precision = encoder_precision::fp32)
      : tok_(std::move(tok)), enc_(std::move(enc)), max_tokens_(max_tokens), precision_(precision) {}

  std::vector<float> embed(std::string_view text) const;
  std::vector<std::int32_t> ids(std::string_view text) const { return encode_with_budget(tok_, text, max_tokens_); }
  const wordpiece_tokenizer& tokenizer() const noexcept { return tok_; }
  const minilm_encoder& encoder() const noexcept { return enc_; }
  encoder_precision precision() const noexcept { return precision_; }

 private:
  wordpiece_tokenizer tok_;
  minilm_encoder enc_;
  std::size_t max_tokens_;
  encoder_precision precision_;
};

class minilm_classifier final : public classifier {
 public:
  minilm_classifier(std::shared_ptr<const minilm_encoder_bundle> enc, minilm_head head,
                    std::shared_ptr<const lexical_model> lexical);

  // embedding ⊕ lexical log-probabilities (when the head uses them).
  std::vector<float> features(std::string_view text) const;
  classification classify(std::string_view text) const override;
  // One encoder forward for the whole batch (minilm_encoder::embed_batch).
  std::vector<classification> classify_batch(const std::vector<std::string_view>& texts) const override;
  std::string_view name() const noexcept override { return "minilm"; }

 private:
  std::shared_ptr<const minilm_encoder_bundle> enc_;
  minilm_head head_;
  std::shared_ptr<const lexical_model> lexical_;
};

// Whether any MiniLM file (model dir or trained head) is present in the data dir: "auto"
// then means the user meant to enable MiniLM, and a load failure deserves a warning.
bool minilm_present(const minilm_layout& layout);

// The MiniLM classifier from an installed data dir: lock-verified files (the lock was
// written after the published self-check passed) and the trained head. The error says
// what is missing or wrong.
core::result<std::shared_ptr<const classifier>> load_minilm_classifier(const minilm_layout& layout,
                                                                       std::shared_ptr<const lexical_model> lexical);

// Head features for one text given a bundle and (optionally) a lexical model.
std::vector<float> head_features(const minilm_encoder_bundle& enc, const lexical_model* lexical,
                                 std::string_view text);

}  // namespace gi::classify
