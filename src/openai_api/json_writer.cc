#include "openai_api/json_writer.h"

#include <array>
#include <charconv>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace gi::openai_api::json_out {

namespace {

// 0 = copy as-is; otherwise the short escape letter, or 'u' for \u00XX.
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 'u';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}
constexpr auto escape_table = make_escape_table();

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  const char* run = p;  // start of the pending run of bytes that need no escaping
  while (p != end) {
    const char e = escape_table[static_cast<unsigned char>(*p)];
    if (e == 0) {
      ++p;
      continue;
    }
    out.append(run, static_cast<std::size_t>(p - run));
    if (e == 'u') {
      static constexpr char hex[] = "0123456789abcdef";
      const auto c = static_cast<unsigned char>(*p);
      const char buf[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
      out.append(buf, 6);
    } else {
      const char buf[2] = {'\\', e};
      out.append(buf, 2);
    }
    run = ++p;
  }
  out.append(run, static_cast<std::size_t>(end - run));
}

void append_string(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  append_escaped(out, s);
  out.push_back('"');
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 24 bytes always fit an int64
  out.append(buf, static_cast<std::size_t>(ptr - buf));
}

void append_value(std::string& out, const boost::json::value& v) {
  out += boost::json::serialize(v);
}

void append_object(std::string& out, const boost::json::object& o) {
  out += boost::json::serialize(o);
}

}  // namespace gi::openai_api::json_out
