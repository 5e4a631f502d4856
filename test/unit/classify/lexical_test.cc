// The shipped lexical classifier: file format, corruption, determinism, shipped accuracy.
#include <gtest/gtest.h>

#include <set>

#include "classify/dataset.h"
#include "classify/lexical_train.h"
#include "support/test_support.h"

namespace gi::classify {
namespace {

std::filesystem::path shipped_model() { return test::source_dir() / "models/task-lexical-v1.bin"; }

std::vector<example> subset(std::size_t per_class) {
  auto all = load_jsonl(test::source_dir() / "data/task_prompts/train.jsonl", true).value();
  std::vector<example> out;
  std::array<std::size_t, task_count> seen{};
  for (auto& e : all)
    if (seen[static_cast<std::size_t>(e.label)]++ < per_class) out.push_back(e);
  return out;
}

lexical_train_options small_options() {
  lexical_train_options o;
  o.features.hash_bits = 14;
  o.epochs = 3;
  return o;
}

TEST(lexical_features, deterministic_and_in_range) {
  feature_config cfg;
  cfg.hash_bits = 12;
  std::vector<std::uint32_t> a, b;
  const std::string text = "Summarize the following article:\n\nThe quick brown fox. 東京は大きい。 Done?";
  for_each_feature(text, cfg, [&](std::uint32_t x) { a.push_back(x); });
  for_each_feature(text, cfg, [&](std::uint32_t x) { b.push_back(x); });
  EXPECT_EQ(a, b);
  ASSERT_FALSE(a.empty());
  for (auto x : a) EXPECT_LT(x, 1u << 12);
  // Position tags add tagged copies of the edge words and of the first/last sentence.
  feature_config plain = cfg;
  plain.edge_words = 0;
  plain.sentence_tags = false;
  const auto tagged_n = for_each_feature("summarize this. ok", cfg, [](std::uint32_t) {});
  const auto plain_n = for_each_feature("summarize this. ok", plain, [](std::uint32_t) {});
  EXPECT_EQ(tagged_n, plain_n + 4 /*first*/ + 4 /*last*/ + 3 /*first sentence*/ + 1 /*last sentence*/);
  EXPECT_EQ(for_each_feature("", cfg, [](std::uint32_t) {}), 2u);  // length + line buckets
}

TEST(lexical_train, fixed_seed_gives_bit_identical_model) {
  const auto data = subset(40);
  const auto o = small_options();
  const auto m1 = lexical_model::from_weights(train_lexical(data, o)).serialize();
  const auto m2 = lexical_model::from_weights(train_lexical(data, o)).serialize();
  EXPECT_EQ(m1, m2);
  auto o2 = o;
  o2.seed = 99;
  EXPECT_NE(m1, lexical_model::from_weights(train_lexical(data, o2)).serialize());
}

TEST(lexical_model, round_trips_and_rejects_corruption) {
  const auto data = subset(20);
  const auto m = lexical_model::from_weights(train_lexical(data, small_options()));
  const std::string bytes = m.serialize();
  auto back = lexical_model::parse(bytes);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->serialize(), bytes);
  EXPECT_EQ(back->classify("Write a Python function that reverses a list").scores,
            m.classify("Write a Python function that reverses a list").scores);

  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x5A;
  auto r1 = lexical_model::parse(flipped);
  ASSERT_FALSE(r1.has_value());
  EXPECT_NE(r1.error().message.find("checksum"), std::string::npos);
  EXPECT_FALSE(lexical_model::parse(bytes.substr(0, bytes.size() - 100)).has_value());
  EXPECT_FALSE(lexical_model::parse("GILEXCLS").has_value());
  EXPECT_FALSE(lexical_model::parse("not a model at all").has_value());
  auto missing = lexical_model::load("/nonexistent/model.bin");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
}

TEST(lexical_model, probabilities_sum_to_one_and_label_is_argmax) {
  auto m = lexical_model::load(shipped_model());
  ASSERT_TRUE(m.has_value()) << m.error().message;
  for (std::string_view t : std::initializer_list<std::string_view>{"", "hi", "Translate 'good morning' into French.", std::string_view("\0\xff", 2)}) {
    auto c = m->classify(t);
    float sum = 0;
    for (float p : c.scores) sum += p;
    EXPECT_NEAR(sum, 1.0f, 1e-5f);
    EXPECT_EQ(c.source, "lexical");
    EXPECT_GE(task_index(c.task), 0);
  }
  EXPECT_EQ(m->classify("Translate 'good morning' into French.").task, "translation");
  EXPECT_EQ(m->classify("Write a Python function that returns the n-th Fibonacci number.").task, "code");
}

// The accuracy bar for the committed default model.
TEST(lexical_model, shipped_model_meets_dev_targets) {
  auto m = lexical_model::load(shipped_model());
  ASSERT_TRUE(m.has_value()) << m.error().message;
  auto dev = load_jsonl(test::source_dir() / "data/task_prompts/dev.jsonl", true);
  ASSERT_TRUE(dev.has_value());
  std::vector<int> gold, pred;
  for (const auto& e : *dev) {
    gold.push_back(e.label);
    pred.push_back(task_index(m->classify(e.text).task));
  }
  const auto r = evaluate(gold, pred);
  EXPECT_EQ(r.n, 1200u);
  EXPECT_GE(r.accuracy, 0.925) << format_report(r);
  EXPECT_GE(r.macro_f1, 0.925) << format_report(r);
  EXPECT_GE(r.f1[static_cast<std::size_t>(task_index("extraction"))], 0.85);
  EXPECT_GE(r.f1[static_cast<std::size_t>(task_index("summarize"))], 0.85);
}

TEST(dataset, bad_lines_are_errors_naming_the_line) {
  test::temp_dir d;
  test::write_file(d.path() / "a.jsonl", "{\"text\":\"x\",\"label\":\"code\"}\n{\"text\":\"y\",\"label\":\"poetry\"}\n");
  auto r = load_jsonl(d.path() / "a.jsonl", true);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find(":2:"), std::string::npos);
  test::write_file(d.path() / "b.jsonl", "{\"text\":\"x\"}\n");
  EXPECT_FALSE(load_jsonl(d.path() / "b.jsonl", true).has_value());
  ASSERT_TRUE(load_jsonl(d.path() / "b.jsonl", false).has_value());
  test::write_file(d.path() / "c.jsonl", "[1,2]\n");
  EXPECT_FALSE(load_jsonl(d.path() / "c.jsonl", false).has_value());
}

TEST(dataset, evaluate_counts_confusion_and_f1) {
  const auto r = evaluate({0, 0, 1, 1}, {0, 1, 1, 1});
  EXPECT_DOUBLE_EQ(r.accuracy, 0.75);
  EXPECT_EQ(r.confusion[0][1], 1);
  EXPECT_NEAR(r.f1[0], 2.0 / 3.0, 1e-12);
  EXPECT_NE(format_report(r).find("accuracy: 0.7500"), std::string::npos);
}

}  // namespace
}  // namespace gi::classify
