// The BERT WordPiece tokenizer against models/all-MiniLM-L6-v2/reference_tokens.jsonl
// (26 inputs checked against HF and transformers.js; SOURCE.md).
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <sstream>

#include "classify/wordpiece.h"
#include "support/test_support.h"

namespace gi::classify {
namespace {

const wordpiece_tokenizer& tok() {
  static const auto t = wordpiece_tokenizer::load(test::source_dir() / "models/all-MiniLM-L6-v2/vocab.txt").value();
  return t;
}

TEST(wordpiece, matches_reference_ids_for_every_input) {
  std::istringstream in(test::read_file(test::source_dir() / "models/all-MiniLM-L6-v2/reference_tokens.jsonl"));
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto v = boost::json::parse(line).as_object();
    const std::string id(v.at("id").as_string());
    const std::string text(v.at("text").as_string());
    std::vector<std::int32_t> expected;
    for (const auto& x : v.at("input_ids").as_array()) expected.push_back(static_cast<std::int32_t>(x.to_number<long>()));
    std::size_t untruncated = 0;
    EXPECT_EQ(tok().encode(text, 256, &untruncated), expected) << id;
    EXPECT_EQ(untruncated, static_cast<std::size_t>(v.at("n_tokens_untruncated").to_number<long>())) << id;
    if (const auto* toks = v.if_contains("tokens"); toks != nullptr && expected.size() < 256) {
      auto pieces = tok().tokenize(text);
      ASSERT_EQ(pieces.size() + 2, toks->as_array().size()) << id;
      for (std::size_t i = 0; i < pieces.size(); ++i) EXPECT_EQ(pieces[i], toks->as_array()[i + 1].as_string()) << id;
    }
    ++n;
  }
  EXPECT_EQ(n, 26);
}

TEST(wordpiece, truncation_keeps_cls_and_sep) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "hello world ";
  auto ids = tok().encode(text, 16);
  ASSERT_EQ(ids.size(), 16u);
  EXPECT_EQ(ids.front(), wordpiece_tokenizer::cls_id);
  EXPECT_EQ(ids.back(), wordpiece_tokenizer::sep_id);
}

TEST(wordpiece, invalid_utf8_and_long_words_do_not_crash) {
  auto ids = tok().encode(std::string("ab\xff\xfe cd \xe2\x82", 10));
  EXPECT_EQ(ids.front(), wordpiece_tokenizer::cls_id);
  EXPECT_EQ(tok().encode(std::string(101, 'a')), (std::vector<std::int32_t>{101, 100, 102}));
}

TEST(wordpiece, vocab_without_bert_specials_is_rejected) {
  EXPECT_FALSE(wordpiece_tokenizer::from_vocab("a\nb\nc\n").has_value());
}

}  // namespace
}  // namespace gi::classify
