// MiniLM head training, head file, head + tail token budget, the classifier end to end on
// the synthetic encoder.
#include <gtest/gtest.h>

#include "classify/minilm_classifier.h"
#include "classify/shipped_model.h"
#include "support/test_support.h"

namespace gi::classify {
namespace {

std::filesystem::path fixture() { return test::source_dir() / "test/data/minilm-synthetic-test"; }

std::shared_ptr<const minilm_encoder_bundle> synthetic_bundle() {
  static auto b = std::make_shared<const minilm_encoder_bundle>(
      wordpiece_tokenizer::load(test::source_dir() / "models/all-MiniLM-L6-v2/vocab.txt").value(),
      minilm_encoder::load(fixture() / "config.json", fixture() / "model.safetensors").value(), 64);
  return b;
}

TEST(minilm_head, training_is_deterministic_and_file_round_trips) {
  std::vector<float> x;
  std::vector<int> y;
  for (int i = 0; i < 80; ++i) {  // separable toy data: feature (label) is hot
    std::vector<float> row(16, 0.0f);
    row[static_cast<std::size_t>(i % 8)] = 1.0f;
    x.insert(x.end(), row.begin(), row.end());
    y.push_back(i % 8);
  }
  head_train_options o;
  o.epochs = 5;
  auto a = train_head(x, y, 16, false, o);
  auto b = train_head(x, y, 16, false, o);
  EXPECT_EQ(a.serialize(), b.serialize());
  for (int c = 0; c < 8; ++c) {
    auto z = a.logits({x.data() + c * 16, 16});
    EXPECT_EQ(std::max_element(z.begin(), z.end()) - z.begin(), c);
  }
  auto back = minilm_head::parse(a.serialize());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->serialize(), a.serialize());
  std::string bad = a.serialize();
  bad[20] ^= 1;
  EXPECT_FALSE(minilm_head::parse(bad).has_value());
  EXPECT_FALSE(minilm_head::parse("GIMLHEAD").has_value());
}

TEST(minilm_classifier, budget_keeps_head_and_tail) {
  const auto& tok = synthetic_bundle()->tokenizer();
  std::string text = "start";
  for (int i = 0; i < 300; ++i) text += " word";
  text += " finish";
  auto ids = encode_with_budget(tok, text, 32);
  ASSERT_EQ(ids.size(), 32u);
  EXPECT_EQ(ids.front(), wordpiece_tokenizer::cls_id);
  EXPECT_EQ(ids.back(), wordpiece_tokenizer::sep_id);
  EXPECT_EQ(tok.token(ids[1]), "start");
  EXPECT_EQ(tok.token(ids[30]), "finish");
  EXPECT_EQ(encode_with_budget(tok, "short text", 32), tok.encode("short text"));
}

TEST(minilm_classifier, classifies_with_embedding_and_lexical_features) {
  auto lex = shipped_lexical_model().value();
  const auto f = head_features(*synthetic_bundle(), lex.get(), "Translate this into French: hello");
  ASSERT_EQ(f.size(), 64u + task_count);
  minilm_head h;
  h.embed_dim = 64;
  h.use_lexical = true;
  h.w.assign(h.n_features() * task_count, 0.0f);
  for (std::size_t c = 0; c < task_count; ++c) h.w[(64 + c) * task_count + c] = 1.0f;  // copy lexical
  minilm_classifier clf(synthetic_bundle(), h, lex);
  auto r = clf.classify("Translate this into French: hello");
  EXPECT_EQ(r.source, "minilm");
  EXPECT_EQ(r.task, lex->classify("Translate this into French: hello").task);
}

}  // namespace
}  // namespace gi::classify
