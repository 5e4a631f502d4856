#include "classify/wordpiece.h"

#include <fstream>
#include <sstream>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

namespace gi::classify {

namespace {

bool is_cjk(UChar32 c) noexcept {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x2F800 && c <= 0x2FA1F);
}

// Rust char::is_whitespace (White_Space property) plus \t\n\r.
bool is_ws(UChar32 c) noexcept { return c == '\t' || c == '\n' || c == '\r' || u_isUWhiteSpace(c); }

// HF is_control: category Cc, Cf, Cs, Co, Cn except \t\n\r.
bool is_control(UChar32 c) noexcept {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  const auto t = u_charType(c);
  return t == U_CONTROL_CHAR || t == U_FORMAT_CHAR || t == U_SURROGATE || t == U_PRIVATE_USE_CHAR ||
         t == U_UNASSIGNED;
}

bool is_punct(UChar32 c) noexcept {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  return (U_GET_GC_MASK(c) & U_GC_P_MASK) != 0;
}

void append_utf8(std::string& out, UChar32 c) {
  char buf[4];
  std::int32_t i = 0;
  UBool err = false;
  U8_APPEND(buf, i, 4, c, err);
  if (!err) out.append(buf, static_cast<std::size_t>(i));
}

// UTF-8 → code points; invalid sequences become U+FFFD (then dropped by cleaning).
std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::int32_t i = 0;
  const auto n = static_cast<std::int32_t>(s.size());
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    out.push_back(c < 0 ? 0xFFFD : static_cast<char32_t>(c));
  }
  return out;
}

// Full (not simple) lower-case mapping of one code point, as Rust's char::to_lowercase.
void lower_into(UChar32 c, std::u32string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char32_t>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    return;
  }
  UChar src[2];
  std::int32_t len = 0;
  UBool err = false;
  U16_APPEND(src, len, 2, c, err);
  if (err) {
    out.push_back(static_cast<char32_t>(c));
    return;
  }
  UChar dst[8];
  UErrorCode status = U_ZERO_ERROR;
  const std::int32_t n = u_strToLower(dst, 8, src, len, "", &status);
  if (U_FAILURE(status)) {
    out.push_back(static_cast<char32_t>(u_tolower(c)));
    return;
  }
  for (std::int32_t i = 0; i < n;) {
    UChar32 d;
    U16_NEXT(dst, i, n, d);
    out.push_back(static_cast<char32_t>(d));
  }
}

}  // namespace

core::result<wordpiece_tokenizer> wordpiece_tokenizer::from_vocab(std::string_view text) {
  wordpiece_tokenizer t;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    t.vocab_.emplace(std::string(line), static_cast<std::int32_t>(t.id_to_token_.size()));
    t.id_to_token_.emplace_back(line);
    pos = nl + 1;
  }
  auto expect = [&](std::int32_t id, std::string_view tok) {
    return static_cast<std::size_t>(id) < t.id_to_token_.size() && t.id_to_token_[static_cast<std::size_t>(id)] == tok;
  };
  if (!expect(pad_id, "[PAD]") || !expect(unk_id, "[UNK]") || !expect(cls_id, "[CLS]") || !expect(sep_id, "[SEP]"))
    return core::error(core::error_kind::internal,
                       "vocab: special tokens not at the BERT ids ([PAD]=0 [UNK]=100 [CLS]=101 [SEP]=102)");
  return t;
}

core::result<wordpiece_tokenizer> wordpiece_tokenizer::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return core::error(core::error_kind::internal, "cannot open vocab " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return from_vocab(ss.str());
}

std::vector<std::string> wordpiece_tokenizer::basic_tokenize(std::string_view text) const {
  // Clean + CJK spacing.
  std::u32string cleaned;
  for (char32_t c : decode(text)) {
    const auto u = static_cast<UChar32>(c);
    if (c == 0 || c == 0xFFFD || is_control(u)) continue;
    if (is_ws(u)) {
      cleaned.push_back(U' ');
    } else if (is_cjk(u)) {
      cleaned.push_back(U' ');
      cleaned.push_back(c);
      cleaned.push_back(U' ');
    } else {
      cleaned.push_back(c);
    }
  }
  // NFD, strip Mn, lower-case.
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  std::u32string normed;
  normed.reserve(cleaned.size());
  UChar buf[U16_MAX_LENGTH * 8];
  for (char32_t c : cleaned) {
    const auto u = static_cast<UChar32>(c);
    icu::UnicodeString d;
    if (c < 0xC0 || U_FAILURE(status) || nfd->isInert(u)) {
      d = icu::UnicodeString(u);
    } else {
      UErrorCode st = U_ZERO_ERROR;
      d = nfd->normalize(icu::UnicodeString(u), st);
      if (U_FAILURE(st)) d = icu::UnicodeString(u);
    }
    const std::int32_t n = d.extract(buf, static_cast<std::int32_t>(sizeof buf / sizeof buf[0]), status);
    if (U_FAILURE(status)) status = U_ZERO_ERROR;
    for (std::int32_t i = 0; i < n;) {
      UChar32 cp;
      U16_NEXT(buf, i, n, cp);
      if (u_charType(cp) == U_NON_SPACING_MARK) continue;
      lower_into(cp, normed);
    }
  }
  // Split on whitespace and punctuation.
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(std::move(cur));
    cur.clear();
  };
  for (char32_t c : normed) {
    const auto u = static_cast<UChar32>(c);
    if (is_ws(u)) {
      flush();
    } else if (is_punct(u)) {
      flush();
      append_utf8(cur, u);
      flush();
    } else {
      append_utf8(cur, u);
    }
  }
  flush();
  return words;
}

void wordpiece_tokenizer::wordpiece(const std::string& word, std::size_t n_chars, std::vector<std::int32_t>& ids) const {
  if (n_chars > max_word_chars) {
    ids.push_back(unk_id);
    return;
  }
  const std::size_t mark = ids.size();
  std::size_t start = 0;
  std::string piece;
  while (start < word.size()) {
    std::size_t end = word.size();
    std::int32_t found = -1;
    while (end > start) {
      piece.assign(start > 0 ? "##" : "");
      piece.append(word, start, end - start);
      if (auto it = vocab_.find(piece); it != vocab_.end()) {
        found = it->second;
        break;
      }
      // Back off one code point (never split inside a UTF-8 sequence).
      do {
        --end;
      } while (end > start && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80);
    }
    if (found < 0) {
      ids.resize(mark);
      ids.push_back(unk_id);
      return;
    }
    ids.push_back(found);
    start = end;
  }
}

std::vector<std::int32_t> wordpiece_tokenizer::encode(std::string_view text, std::size_t max_len,
                                                      std::size_t* untruncated) const {
  std::vector<std::int32_t> ids{cls_id};
  for (const auto& w : basic_tokenize(text)) {
    std::size_t n_chars = 0;
    for (unsigned char c : w) n_chars += (c & 0xC0) != 0x80;
    wordpiece(w, n_chars, ids);
  }
  if (untruncated != nullptr) *untruncated = ids.size() + 1;
  if (max_len < 2) max_len = 2;
  if (ids.size() > max_len - 1) ids.resize(max_len - 1);
  ids.push_back(sep_id);
  return ids;
}

std::vector<std::string> wordpiece_tokenizer::tokenize(std::string_view text) const {
  std::vector<std::int32_t> ids;
  for (const auto& w : basic_tokenize(text)) {
    std::size_t n_chars = 0;
    for (unsigned char c : w) n_chars += (c & 0xC0) != 0x80;
    wordpiece(w, n_chars, ids);
  }
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (auto id : ids) out.push_back(id_to_token_[static_cast<std::size_t>(id)]);
  return out;
}

}  // namespace gi::classify
