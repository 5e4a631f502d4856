#include "core/http1_head.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/ascii.h"

namespace gi::core::http1 {

namespace {

enum char_class : std::uint8_t {
  tchar = 1,   // RFC 9110 §5.6.2 token character
  vchar = 2,   // visible ASCII 0x21-0x7E
  fvalue = 4,  // inside a field value or reason phrase: VCHAR, SP, HTAB
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0x21; c <= 0x7E; ++c) t[static_cast<std::size_t>(c)] = vchar | fvalue;
  t[' '] = fvalue;
  t['\t'] = fvalue;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] |= tchar;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] |= tchar;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] |= tchar;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] |= tchar;
  return t;
}
constexpr auto classes = make_classes();

inline bool is(char c, char_class k) { return (classes[static_cast<unsigned char>(c)] & k) != 0; }

// The first byte at or after `p` that is not VCHAR or SP (a CR, HTAB, CTL, DEL or obs-text),
// 16 bytes per step while they lie before `end`. Field values and targets are most of a
// head's bytes; a table lookup per byte was the scanner's main cost.
inline const char* skip_printable(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i below = _mm_set1_epi8(0x1F);
  const __m128i del = _mm_set1_epi8(0x7F);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: obs-text (0x80-0xFF) is negative and fails "> 0x1F" like the CTLs.
    const __m128i ok = _mm_andnot_si128(_mm_cmpeq_epi8(v, del), _mm_cmpgt_epi8(v, below));
    const unsigned bad = ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xFFFFu;
    if (bad != 0) return p + __builtin_ctz(bad);
    p += 16;
  }
#else
  (void)end;
#endif
  while (static_cast<unsigned char>(*p) >= 0x20 && static_cast<unsigned char>(*p) < 0x7F) ++p;
  return p;
}

// Where the head ends (one past "\r\n\r\n"), 0 if not within `limit` bytes.
std::size_t find_end(std::string_view in, std::size_t limit) {
  const std::string_view window = in.substr(0, limit);
  const auto at = window.find("\r\n\r\n");
  return at == std::string_view::npos ? 0 : at + 4;
}

// "HTTP/1.0" or "HTTP/1.1" at `p`: 10 or 11, else 0.
int version_at(const char* p) {
  if (std::string_view(p, 7) != "HTTP/1.") return 0;
  return p[7] == '1' ? 11 : p[7] == '0' ? 10 : 0;
}

// The header fields from `p` to the final empty line at `end - 2`. False when a line is
// outside the subset.
bool scan_fields(const char* p, const char* end, bool allow_chunked, head& out,
                 header_list& fields) {
  bool close = false;
  bool keep_alive = false;
  const char* const last = end - 2;  // the final "\r\n"
  // Growing the list moves every string already in it; heads rarely have more fields.
  fields.reserve(fields.size() + 16);
  while (p != last) {
    const char* const name_begin = p;
    while (is(*p, tchar)) ++p;  // stops at the ':' or any other byte (a CR at the latest)
    if (p == name_begin || *p != ':') return false;
    const std::string_view name(name_begin, static_cast<std::size_t>(p - name_begin));
    ++p;
    while (*p == ' ' || *p == '\t') ++p;
    const char* const value_begin = p;
    for (;;) {
      p = skip_printable(p, end);
      if (*p != '\t') break;
      ++p;
    }
    if (p[0] != '\r' || p[1] != '\n') return false;  // bare CR/LF, CTL or obs-text
    const char* value_end = p;
    while (value_end != value_begin && (value_end[-1] == ' ' || value_end[-1] == '\t'))
      --value_end;
    p += 2;
    // A line starting with whitespace is an obs-fold continuation: its own rules.
    if (p != last && (*p == ' ' || *p == '\t')) return false;
    const std::string_view value(value_begin, static_cast<std::size_t>(value_end - value_begin));

    switch (name.size()) {
      case 10:  // connection
        if (iequals(name, "connection")) {
          // Repeats combine as a token list, whose rules differ per version: the full parser.
          if (close || keep_alive) return false;
          if (iequals(value, "close")) close = true;
          else if (iequals(value, "keep-alive")) keep_alive = true;
          else return false;  // token lists, "upgrade": the full parser
        }
        break;
      case 14:  // content-length
        if (iequals(name, "content-length")) {
          // One plain decimal: no lists, no repeats, no overflow (Beast's own rules for
          // those differ in detail, so they are left to it).
          if (out.has_content_length || value.empty() || value.size() > 15) return false;
          std::uint64_t n = 0;
          for (char c : value) {
            if (c < '0' || c > '9') return false;
            n = n * 10 + static_cast<std::uint64_t>(c - '0');
          }
          out.content_length = n;
          out.has_content_length = true;
        }
        break;
      case 16:  // proxy-connection (Beast reads it like Connection)
        if (iequals(name, "proxy-connection")) return false;
        break;
      case 17:  // transfer-encoding
        if (iequals(name, "transfer-encoding")) {
          // Only a lone "chunked"; a repeat, other codings or a Content-Length as well
          // (conflicting framing) are the full parser's to judge.
          if (!allow_chunked || out.chunked || !iequals(value, "chunked")) return false;
          out.chunked = true;
        }
        break;
      case 7:  // upgrade
        if (iequals(name, "upgrade")) return false;
        break;
      default:
        break;
    }
    fields.emplace_back(std::string(name), std::string(value));
  }
  if (out.chunked && out.has_content_length) return false;
  out.keep_alive = out.version >= 11 ? !close : keep_alive;
  return true;
}

// Undo a partial append when a later line declines: the caller's list is left as it was.
struct field_guard {
  header_list& fields;
  std::size_t mark;
  bool keep = false;
  ~field_guard() {
    if (!keep) fields.resize(mark);
  }
};

}  // namespace

scan_result scan_request(std::string_view in, std::size_t limit, head& out, header_list& fields) {
  const std::size_t size = find_end(in, limit);
  if (size == 0) return in.size() >= limit ? scan_result::decline : scan_result::need_more;
  out = head{};
  out.size = size;
  const char* p = in.data();
  const char* const end = p + size;

  // request-line = method SP request-target SP HTTP-version CRLF
  const char* const method_begin = p;
  while (is(*p, tchar)) ++p;
  if (p == method_begin || *p != ' ') return scan_result::decline;
  out.method = std::string_view(method_begin, static_cast<std::size_t>(p - method_begin));
  const char* const target_begin = ++p;
  while (is(*p, vchar)) ++p;
  if (p == target_begin || *p != ' ') return scan_result::decline;
  out.target = std::string_view(target_begin, static_cast<std::size_t>(p - target_begin));
  ++p;
  if (end - p < 10 || (out.version = version_at(p)) == 0 || p[8] != '\r' || p[9] != '\n')
    return scan_result::decline;
  p += 10;

  field_guard guard{fields, fields.size()};
  if (!scan_fields(p, end, false, out, fields)) return scan_result::decline;
  guard.keep = true;
  return scan_result::complete;
}

scan_result scan_response(std::string_view in, std::size_t limit, head& out,
                          header_list& fields) {
  const std::size_t size = find_end(in, limit);
  if (size == 0) return in.size() >= limit ? scan_result::decline : scan_result::need_more;
  out = head{};
  out.size = size;
  const char* p = in.data();
  const char* const end = p + size;

  // status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
  if (end - p < 15 || (out.version = version_at(p)) == 0 || p[8] != ' ') return scan_result::decline;
  p += 9;
  for (int i = 0; i < 3; ++i) {
    if (p[i] < '0' || p[i] > '9') return scan_result::decline;
    out.status = out.status * 10 + (p[i] - '0');
  }
  if (p[3] != ' ') return scan_result::decline;
  p += 4;
  while (is(*p, fvalue)) ++p;
  if (p[0] != '\r' || p[1] != '\n') return scan_result::decline;
  p += 2;
  // Bodies framed by something else than a Content-Length: the full parser.
  if (out.status < 200 || out.status > 599 || out.status == 204 || out.status == 304)
    return scan_result::decline;

  field_guard guard{fields, fields.size()};
  if (!scan_fields(p, end, true, out, fields) || !(out.has_content_length || out.chunked))
    return scan_result::decline;
  guard.keep = true;
  return scan_result::complete;
}

chunked_decoder::step chunked_decoder::decode(std::string_view in, char* out, std::size_t room) {
  step r;
  const char* p = in.data();
  const char* const end = p + in.size();
  while (p != end && state_ != state::done && state_ != state::failed) {
    if (state_ == state::data) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(
          {left_, static_cast<std::uint64_t>(end - p), room - r.produced}));
      if (n == 0) break;  // the output is full
      std::memcpy(out + r.produced, p, n);
      r.produced += n;
      p += n;
      left_ -= n;
      if (left_ == 0) state_ = state::data_cr;
      continue;
    }
    const char c = *p++;
    // A fixed byte of the framing, then `next`.
    auto expect = [&](char want, state next) { state_ = c == want ? next : state::failed; };
    switch (state_) {
      case state::size: {
        const int v = hex_value(c);
        if (v >= 0) {
          if (++digits_ > 15) state_ = state::failed;  // over 2^60 bytes: nonsense
          left_ = left_ * 16 + static_cast<std::uint64_t>(v);
        } else if (digits_ == 0) {
          state_ = state::failed;
        } else if (c == ';') {
          state_ = state::extension;
        } else if (c == '\r') {
          state_ = state::size_lf;
        } else {
          state_ = state::failed;
        }
        break;
      }
      case state::extension:
        if (c == '\r') state_ = state::size_lf;
        else if (c == '\n') state_ = state::failed;
        break;
      case state::size_lf:
        if (c != '\n') state_ = state::failed;
        else state_ = left_ == 0 ? state::trailer : state::data;
        digits_ = 0;
        break;
      case state::data_cr:
        expect('\r', state::data_lf);
        break;
      case state::data_lf:
        expect('\n', state::size);
        break;
      case state::trailer:
        state_ = c == '\r' ? state::final_lf : is(c, tchar) ? state::trailer_name : state::failed;
        break;
      case state::trailer_name:
        if (c == ':') state_ = state::trailer_value;
        else if (!is(c, tchar)) state_ = state::failed;
        break;
      case state::trailer_value:
        if (c == '\r') state_ = state::trailer_lf;
        else if (!is(c, fvalue)) state_ = state::failed;
        break;
      case state::trailer_lf:
        expect('\n', state::trailer);
        break;
      case state::final_lf:
        expect('\n', state::done);
        break;
      case state::data:
      case state::done:
      case state::failed:
        break;
    }
  }
  r.used = static_cast<std::size_t>(p - in.data());
  return r;
}

}  // namespace gi::core::http1
