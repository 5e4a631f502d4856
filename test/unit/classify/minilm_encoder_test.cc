// The C++ BERT forward pass against the float64 reference of the random-weight fixture
// (test/data/minilm-synthetic-test, README there). Tolerance: max |diff| <= 1e-5 and cosine
// >= 0.99999, as the fixture README suggests for fp32; onnxruntime fp32 reaches 4.5e-8, so
// 1e-5 leaves room for summation-order differences in OpenBLAS yet catches any real bug
// (a wrong GELU, LN eps or mask moves values by >= 1e-3).
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "classify/minilm_encoder.h"
#include "classify/published_check.h"
#include "classify/wordpiece.h"
#include "support/test_support.h"

namespace gi::classify {
namespace {

std::filesystem::path fixture() { return test::source_dir() / "test/data/minilm-synthetic-test"; }
std::filesystem::path real_dir() { return test::source_dir() / "models/all-MiniLM-L6-v2"; }

const minilm_encoder& synthetic() {
  static const auto e = minilm_encoder::load(fixture() / "config.json", fixture() / "model.safetensors").value();
  return e;
}
const wordpiece_tokenizer& tok() {
  static const auto t = wordpiece_tokenizer::load(real_dir() / "vocab.txt").value();
  return t;
}

TEST(minilm_encoder, matches_float64_reference) {
  std::istringstream in(test::read_file(fixture() / "reference.jsonl"));
  std::string line;
  int n = 0;
  double worst = 0, worst_cos = 1;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto v = boost::json::parse(line).as_object();
    const std::string text(v.at("text").as_string());
    std::vector<std::int32_t> want_ids;
    for (const auto& x : v.at("input_ids").as_array()) want_ids.push_back(static_cast<std::int32_t>(x.to_number<long>()));
    const auto ids = tok().encode(text);
    ASSERT_EQ(ids, want_ids) << v.at("id");
    const auto emb = synthetic().embed(ids);
    const auto& ref = v.at("embedding").as_array();
    ASSERT_EQ(emb.size(), ref.size());
    double dot = 0, na = 0, nb = 0, maxdiff = 0;
    for (std::size_t j = 0; j < emb.size(); ++j) {
      const double r = ref[j].to_number<double>();
      maxdiff = std::max(maxdiff, std::fabs(r - emb[j]));
      dot += r * emb[j];
      na += r * r;
      nb += static_cast<double>(emb[j]) * emb[j];
    }
    const double cos = dot / std::sqrt(na * nb);
    EXPECT_LE(maxdiff, 1e-5) << v.at("id");
    EXPECT_GE(cos, 0.99999) << v.at("id");
    EXPECT_NEAR(std::sqrt(nb), 1.0, 1e-6);
    worst = std::max(worst, maxdiff);
    worst_cos = std::min(worst_cos, cos);
    ++n;
  }
  EXPECT_EQ(n, 26);
  RecordProperty("max_abs_diff", std::to_string(worst));
  std::printf("synthetic reference: 26 inputs, max |diff| %.3g, min cosine %.10f\n", worst, worst_cos);
}

TEST(minilm_encoder, batch_equals_single) {
  std::vector<std::vector<std::int32_t>> b{tok().encode("hello world"), tok().encode("a much longer sentence here")};
  auto out = synthetic().embed_batch(b);
  ASSERT_EQ(out.size(), 2u);
  for (std::size_t s = 0; s < 2; ++s) {
    const auto one = synthetic().embed(b[s]);
    ASSERT_EQ(out[s].size(), one.size());
    for (std::size_t j = 0; j < one.size(); ++j) EXPECT_NEAR(out[s][j], one[j], 1e-6) << s << ":" << j;
  }
  EXPECT_TRUE(synthetic().embed_batch({}).empty());
}

TEST(minilm_encoder, synthetic_weights_presented_as_real_model_are_refused) {
  auto r = verify_published_file(synthetic(), tok(), real_dir() / "published_checks.json");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("refusing"), std::string::npos) << r.error().message;
  // The synthetic weights under the real config: shape validation names the tensor.
  auto e = minilm_encoder::load(real_dir() / "config.json", fixture() / "model.safetensors");
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("embeddings.word_embeddings.weight: shape [30522,64]"), std::string::npos)
      << e.error().message;
}

TEST(safetensors, corrupt_files_are_clear_errors) {
  const std::string good = test::read_file(fixture() / "model.safetensors");
  auto trunc = parse_safetensors(std::string_view(good).substr(0, good.size() - 1000));
  ASSERT_FALSE(trunc.has_value());
  EXPECT_NE(trunc.error().message.find("truncated"), std::string::npos) << trunc.error().message;
  EXPECT_FALSE(parse_safetensors("").has_value());
  EXPECT_FALSE(parse_safetensors(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8)).has_value());
  std::string garbage = good;
  garbage[9] = '!';  // break the JSON header
  EXPECT_FALSE(parse_safetensors(garbage).has_value());
  // A missing tensor names it.
  auto w = parse_safetensors(good).value();
  w.erase("encoder.layer.1.output.dense.bias");
  auto cfg = load_bert_config(fixture() / "config.json").value();
  auto e = minilm_encoder::create(cfg, std::move(w));
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("missing tensor encoder.layer.1.output.dense.bias"), std::string::npos);
}

TEST(bert_config, rejects_unsupported_settings) {
  EXPECT_FALSE(parse_bert_config("{}").has_value());
  EXPECT_FALSE(parse_bert_config(R"({"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":3,
    "intermediate_size":256,"vocab_size":10,"max_position_embeddings":8,"type_vocab_size":2,"hidden_act":"gelu"})")
                   .has_value());
  EXPECT_FALSE(parse_bert_config(R"({"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":2,
    "intermediate_size":256,"vocab_size":10,"max_position_embeddings":8,"type_vocab_size":2,"hidden_act":"relu"})")
                   .has_value());
  auto c = load_bert_config(real_dir() / "config.json");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->hidden, 384u);
  EXPECT_EQ(c->layers, 6u);
}

}  // namespace
}  // namespace gi::classify
