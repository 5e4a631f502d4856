#include "classify/minilm_classifier.h"

#include <cmath>

#include "classify/published_check.h"

namespace gi::classify {

std::vector<std::int32_t> encode_with_budget(const wordpiece_tokenizer& tok, std::string_view text,
                                             std::size_t max_tokens) {
  auto ids = tok.encode(text, std::size_t{1} << 30);
  if (max_tokens < 4) max_tokens = 4;
  if (ids.size() <= max_tokens) return ids;
  const std::size_t pieces = max_tokens - 2, tail = pieces / 4, head = pieces - tail;
  std::vector<std::int32_t> out;
  out.reserve(max_tokens);
  out.insert(out.end(), ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(1 + head));
  out.insert(out.end(), ids.end() - static_cast<std::ptrdiff_t>(1 + tail), ids.end());
  return out;
}

bool minilm_present(const minilm_layout& layout) {
  std::error_code ec;
  return std::filesystem::exists(layout.model_dir(), ec) || std::filesystem::exists(layout.head(), ec);
}

core::result<std::shared_ptr<const classifier>> load_minilm_classifier(const minilm_layout& layout,
                                                                       std::shared_ptr<const lexical_model> lexical) {
  minilm_options mo;
  mo.self_check = false;  // the lock (written after the self-check passed) pins the bytes
  auto bundle = minilm_encoder_bundle::load(layout, mo);
  if (!bundle) return std::move(bundle).error();
  auto head = minilm_head::load(layout.head());
  if (!head)
    return core::error(core::error_kind::internal,
                       head.error().message + " (train it with `gammainfra train-classifier --encoder minilm`)");
  return std::shared_ptr<const classifier>(
      std::make_shared<minilm_classifier>(std::move(bundle).value(), std::move(head).value(), std::move(lexical)));
}

core::result<std::shared_ptr<const minilm_encoder_bundle>> minilm_encoder_bundle::load(const minilm_layout& layout,
                                                                                       const minilm_options& opt) {
  if (opt.verify_lock) {
    if (auto s = verify_lock(layout.model_dir()); !s) return std::move(s).error();
  }
  auto tok = wordpiece_tokenizer::load(layout.vocab());
  if (!tok) return std::move(tok).error();
  auto enc = minilm_encoder::load(layout.config(), layout.weights());
  if (!enc) return std::move(enc).error();
  auto b = std::make_shared<minilm_encoder_bundle>(std::move(tok).value(), std::move(enc).value(), opt.max_tokens,
                                                  opt.precision);
  if (opt.self_check) {
    const auto checks = opt.published_checks.empty()
                            ? std::filesystem::path("models/all-MiniLM-L6-v2/published_checks.json")
                            : opt.published_checks;
    if (auto s = verify_published_file(b->encoder(), b->tokenizer(), checks); !s) return std::move(s).error();
  }
  return std::shared_ptr<const minilm_encoder_bundle>(std::move(b));
}

std::vector<float> minilm_encoder_bundle::embed(std::string_view text) const {
  return enc_.embed(encode_with_budget(tok_, text, max_tokens_), precision_);
}

std::vector<float> head_features(const minilm_encoder_bundle& enc, const lexical_model* lexical,
                                 std::string_view text) {
  auto f = enc.embed(text);
  if (lexical != nullptr) {
    auto p = lexical->classify(text).scores;
    for (float x : p) f.push_back(std::log(std::max(x, 1e-6f)));
  }
  return f;
}

minilm_classifier::minilm_classifier(std::shared_ptr<const minilm_encoder_bundle> enc, minilm_head head,
                                     std::shared_ptr<const lexical_model> lexical)
    : enc_(std::move(enc)), head_(std::move(head)), lexical_(std::move(lexical)) {}

std::vector<float> minilm_classifier::features(std::string_view text) const {
  return head_features(*enc_, head_.use_lexical ? lexical_.get() : nullptr, text);
}

classification minilm_classifier::classify(std::string_view text) const {
  classification c;
  const auto f = features(text);
  c.scores = head_.logits(f);
  softmax(c.scores);
  c.source = "minilm";
  finish(c);
  return c;
}

std::vector<classification> minilm_classifier::classify_batch(const std::vector<std::string_view>& texts) const {
  std::vector<std::vector<std::int32_t>> ids;
  ids.reserve(texts.size());
  for (auto t : texts) ids.push_back(enc_->ids(t));
  auto emb = enc_->encoder().embed_batch(ids, enc_->precision());
  std::vector<classification> out;
  out.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto& f = emb[i];
    if (head_.use_lexical && lexical_) {
      auto p = lexical_->classify(texts[i]).scores;
      for (float x : p) f.push_back(std::log(std::max(x, 1e-6f)));
    }
    classification c;
    c.scores = head_.logits(f);
    softmax(c.scores);
    c.source = "minilm";
    finish(c);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace gi::classify
