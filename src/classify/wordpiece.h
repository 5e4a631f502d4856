#pragma once
// BERT uncased WordPiece tokenizer, as all-MiniLM-L6-v2 uses it (HF BertNormalizer +
// BertPreTokenizer + WordPiece; models/all-MiniLM-L6-v2/SOURCE.md "Tokenizer notes"):
//   clean (drop NUL, U+FFFD and category C* except \t\n\r; Unicode whitespace → ' ')
//   → spaces around CJK ideographs → NFD and drop Mn (accent strip) → per-character full
//   lower-casing → split on whitespace and on every punctuation character (ASCII punctuation
//   and category P*) → greedy longest-match WordPiece with "##" continuations; a word over 100
//   characters, or with an unmatched piece, is one [UNK] → [CLS] … [SEP], truncated to
//   max_len (256 for sentence-transformers) keeping the first max_len-2 pieces.
// Unicode tables come from ICU.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace gi::classify {

class wordpiece_tokenizer {
 public:
  static constexpr std::int32_t pad_id = 0, unk_id = 100, cls_id = 101, sep_id = 102;
  static constexpr std::size_t default_max_len = 256;
  static constexpr std::size_t max_word_chars = 100;

  // vocab.txt: one token per line, id = line number.
  static core::result<wordpiece_tokenizer> load(const std::filesystem::path& vocab_file);
  static core::result<wordpiece_tokenizer> from_vocab(std::string_view vocab_text);

  // Word pieces (strings) without [CLS]/[SEP] and without truncation.
  std::vector<std::string> tokenize(std::string_view text) const;
  // Ids with [CLS]/[SEP], truncated to max_len (>= 2). `untruncated`, if given, receives
  // the length before truncation (pieces + 2).
  std::vector<std::int32_t> encode(std::string_view text, std::size_t max_len = default_max_len,
                                   std::size_t* untruncated = nullptr) const;

  std::size_t vocab_size() const noexcept { return id_to_token_.size(); }
  const std::string& token(std::int32_t id) const { return id_to_token_.at(static_cast<std::size_t>(id)); }

 private:
  void wordpiece(const std::string& word, std::size_t n_chars, std::vector<std::int32_t>& ids) const;
  std::vector<std::string> basic_tokenize(std::string_view text) const;

  std::unordered_map<std::string, std::int32_t> vocab_;
  std::vector<std::string> id_to_token_;
};

}  // namespace gi::classify
