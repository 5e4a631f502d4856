#include "core/json_reader.h"

#include "core/ascii.h"

namespace gi::core {

bool json_reader::string_slow(std::string_view& s) {
  const char* start = ++p_;  // past the opening quote
  const char* run = start;   // start of the bytes not yet copied (once unescaping)
  char* out0 = nullptr;      // start of the unescaped copy, once an escape was seen
  for (;;) {
    p_ = json_string_stops::find(p_, end_, high_);
    if (p_ == end_) return false;
    const char c = *p_;
    if (c == '"') {
      if (out0 == nullptr) {
        s = std::string_view(start, static_cast<std::size_t>(p_ - start));
      } else {
        std::memcpy(out_, run, static_cast<std::size_t>(p_ - run));
        out_ += p_ - run;
        s = std::string_view(out0, static_cast<std::size_t>(out_ - out0));
      }
      ++p_;
      return true;
    }
    if (c != '\\') return false;  // unescaped control character
    if (out0 == nullptr) out0 = out_;
    std::memcpy(out_, run, static_cast<std::size_t>(p_ - run));
    out_ += p_ - run;
    if (++p_ == end_) return false;
    switch (*p_++) {
      case '"': *out_++ = '"'; break;
      case '\\': *out_++ = '\\'; break;
      case '/': *out_++ = '/'; break;
      case 'b': *out_++ = '\b'; break;
      case 'f': *out_++ = '\f'; break;
      case 'n': *out_++ = '\n'; break;
      case 'r': *out_++ = '\r'; break;
      case 't': *out_++ = '\t'; break;
      case 'u':
        if (!unicode()) return false;
        break;
      default: return false;
    }
    run = p_;
  }
}

// After `\u`: four hex digits, a surrogate pair as two escapes; written as UTF-8. At most
// as many bytes are written as were read, so the scratch buffer cannot overflow.
bool json_reader::unicode() {
  auto hex4 = [this](std::uint32_t& cp) {
    if (end_ - p_ < 4) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = core::hex_value(p_[i]);
      if (h < 0) return false;
      cp = cp << 4 | static_cast<std::uint32_t>(h);
    }
    p_ += 4;
    return true;
  };
  std::uint32_t cp = 0;
  if (!hex4(cp)) return false;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // lone low surrogate
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    std::uint32_t lo = 0;
    if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
    p_ += 2;
    if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  }
  if (cp < 0x80) {
    *out_++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out_++ = static_cast<char>(0xC0 | cp >> 6);
    *out_++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out_++ = static_cast<char>(0xE0 | cp >> 12);
    *out_++ = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    *out_++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out_++ = static_cast<char>(0xF0 | cp >> 18);
    *out_++ = static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    *out_++ = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    *out_++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return true;
}

// No exponent and at most 18 digits: within that, every JSON reader agrees on the value.
bool json_reader::number(std::string_view& token) {
  const char* const first = p_;
  if (p_ < end_ && *p_ == '-') ++p_;
  const char* digits = p_;
  if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
  if (*p_ == '0') {
    ++p_;
  } else {
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  std::ptrdiff_t n = p_ - digits;
  if (p_ < end_ && *p_ == '.') {
    const char* frac = ++p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    if (p_ == frac) return false;
    n += p_ - frac;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) return false;
  token = std::string_view(first, static_cast<std::size_t>(p_ - first));
  return n <= 18;
}

bool json_reader::skip() {
  switch (peek()) {
    case '"': {
      std::string_view s;
      return string(s);
    }
    case '{': return members([this](std::string_view) { return skip(); });
    case '[': return elements([this] { return skip(); });
    case 't': return literal("true");
    case 'f': return literal("false");
    case 'n': return literal("null");
    default: return number();
  }
}

}  // namespace gi::core
