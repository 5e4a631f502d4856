#pragma once
// Hashed lexical features for the shipped task classifier (design §4.8).
//
// One forward pass over the bytes, no allocation: words (ASCII lower-cased; any byte >= 0x80
// is a word byte, so CJK runs and other scripts stay whole), single punctuation characters as
// tokens, word bigrams, byte n-grams inside words (robust to morphology, code identifiers and
// scripts without spaces), and position-tagged copies of the words that carry the ask: the
// first and last `edge_words` words and the words of the first and last sentence. The ask
// ("Summarize…", "…list the people as JSON") sits at either end of the prompt; tagging the
// ends lets a linear model tell extraction from summarize over the same document, which a
// bag of words cannot (data/task_prompts/README.md, "Extraction vs summarize").
//
// Every feature is a bucket in [0, 2^hash_bits). The hash is fixed (FNV-1a + murmur3
// finaliser), so a model file means the same thing on every platform.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

namespace gi::classify {

struct feature_config {
  std::uint32_t hash_bits = 18;
  std::uint32_t char_min = 3;  // byte n-grams inside words, padded with '<' '>' (0 = off)
  std::uint32_t char_max = 5;
  std::uint32_t edge_words = 12;  // first/last N tokens get their own tagged copies (0 = off)
  bool word_bigrams = true;
  bool sentence_tags = true;  // words of the first and last sentence get tagged copies
  friend bool operator==(const feature_config&, const feature_config&) = default;
};

namespace detail {

inline constexpr std::uint64_t fnv_offset = 1469598103934665603ULL;
inline constexpr std::uint64_t fnv_prime = 1099511628211ULL;

constexpr std::uint64_t fmix64(std::uint64_t k) noexcept {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

enum : std::uint64_t {
  tag_word = 1, tag_bigram, tag_char, tag_first, tag_last, tag_first_sent, tag_last_sent,
  tag_length, tag_lines
};

constexpr bool is_word_byte(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}
constexpr bool is_space(unsigned char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool is_sentence_end(unsigned char c) noexcept {
  return c == '.' || c == '!' || c == '?' || c == '\n';
}
constexpr unsigned char lower(unsigned char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + 32) : c;
}

// Start offset of the last sentence: skip trailing blanks and terminators, then back up to
// the previous terminator.
inline std::size_t last_sentence_start(std::string_view t) noexcept {
  std::size_t e = t.size();
  while (e > 0 && (is_space(static_cast<unsigned char>(t[e - 1])) ||
                   is_sentence_end(static_cast<unsigned char>(t[e - 1])) || t[e - 1] == ':'))
    --e;
  while (e > 0 && !is_sentence_end(static_cast<unsigned char>(t[e - 1]))) --e;
  return e;
}

}  // namespace detail

// Calls sink(bucket) once per feature occurrence; returns the number of occurrences.
template <class Sink>
std::uint32_t for_each_feature(std::string_view text, const feature_config& cfg, Sink&& sink) {
  using namespace detail;
  const std::uint32_t shift = 64 - cfg.hash_bits;
  std::uint32_t n = 0;
  auto emit = [&](std::uint64_t h, std::uint64_t tag) {
    sink(static_cast<std::uint32_t>(fmix64(h ^ (tag * 0x9E3779B97F4A7C15ULL)) >> shift));
    ++n;
  };
  const std::size_t last_start = cfg.sentence_tags ? last_sentence_start(text) : text.size();
  constexpr std::size_t ring_cap = 32;
  std::array<std::uint64_t, ring_cap> ring{};
  const std::size_t edge = std::min<std::size_t>(cfg.edge_words, ring_cap);
  std::size_t n_tokens = 0, n_lines = 0;
  std::uint64_t prev = 0;
  bool in_first_sentence = true;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  // Padded word buffer for byte n-grams; longer words only get n-grams of their first 254 bytes.
  std::array<unsigned char, 256> buf{};
  while (i < size) {
    unsigned char c = p[i];
    if (is_space(c)) {
      if (c == '\n') {
        ++n_lines;
        in_first_sentence = false;
      }
      ++i;
      continue;
    }
    const std::size_t start = i;
    std::uint64_t h = fnv_offset;
    bool word = is_word_byte(c);
    if (word) {
      std::size_t len = 0;
      buf[len++] = '<';
      while (i < size && is_word_byte(p[i])) {
        unsigned char b = lower(p[i]);
        h = (h ^ b) * fnv_prime;
        if (len < buf.size() - 1) buf[len++] = b;
        ++i;
      }
      buf[len++] = '>';
      if (cfg.char_min > 0) {
        for (std::size_t s = 0; s + cfg.char_min <= len; ++s) {
          std::uint64_t g = fnv_offset;
          const std::size_t end = std::min<std::size_t>(len, s + cfg.char_max);
          for (std::size_t j = s; j < end; ++j) {
            g = (g ^ buf[j]) * fnv_prime;
            if (j + 1 - s >= cfg.char_min) emit(g, tag_char);
          }
        }
      }
    } else {
      h = (h ^ c) * fnv_prime;
      ++i;
    }
    emit(h, tag_word);
    if (cfg.word_bigrams && n_tokens > 0) emit(prev * 31 + h, tag_bigram);
    if (n_tokens < edge) emit(h, tag_first);
    if (cfg.sentence_tags) {
      if (in_first_sentence) emit(h, tag_first_sent);
      if (start >= last_start) emit(h, tag_last_sent);
      if (!word && is_sentence_end(c)) in_first_sentence = false;
    }
    if (edge > 0) ring[n_tokens % ring_cap] = h;
    prev = h;
    ++n_tokens;
  }
  if (edge > 0) {
    const std::size_t k = std::min(edge, n_tokens);
    for (std::size_t j = n_tokens - k; j < n_tokens; ++j) emit(ring[j % ring_cap], tag_last);
  }
  std::uint64_t len_bucket = 0;
  for (std::size_t t = n_tokens; t > 0; t >>= 1) ++len_bucket;
  emit(len_bucket, tag_length);
  emit(std::min<std::size_t>(n_lines, 8), tag_lines);
  return n;
}

}  // namespace gi::classify
