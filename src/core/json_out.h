#pragma once
// Direct JSON output for hot encode paths: appends into a caller-owned std::string, no DOM.
// Used by the OpenAI-family upstream request encoder (providers/openai_compat); the same
// writer for the client-facing response and SSE encoders (openai_api).
//
// Escaping follows RFC 8259 §7: `"`, `\` and U+0000..U+001F are escaped; every other byte
// (including non-ASCII UTF-8) is copied as-is. Inputs are UTF-8 already validated by the
// parser that produced them. Runs that need no escaping are scanned 8 bytes at a time and
// copied with one append.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace gi::core::json_out {

// Appends the escaped body of `s` without the surrounding quotes.
void append_escaped(std::string& out, std::string_view s);
// Appends `s` as a quoted, escaped JSON string.
inline void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  append_escaped(out, s);
  out.push_back('"');
}
void append_int(std::string& out, std::int64_t v);
void append_uint(std::string& out, std::uint64_t v);
// Shortest round-trip form; always reads back as a double (integral values get ".0"). Not
// finite (never produced by a JSON parser): NaN -> null, ±inf -> ±1e99999, as Boost.JSON's
// serializer writes them.
void append_double(std::string& out, double v);
// A string literal's bytes (length known at compile time: no strlen per call).
template <std::size_t N>
inline void append_literal(std::string& out, const char (&s)[N]) {
  out.append(s, N - 1);
}
inline void append_bool(std::string& out, bool v) {
  if (v) append_literal(out, "true");
  else append_literal(out, "false");
}
// Any JSON value, written directly (no boost::json::serialize round trip): used for the
// subtrees the canonical request keeps as JSON (tool schemas, response_format, pass-through).
void append_value(std::string& out, const boost::json::value& v);
void append_object(std::string& out, const boost::json::object& o);

// `,"key":` — or `"key":` right after an opening brace. `first` tracks the object.
inline void append_key(std::string& out, bool& first, std::string_view key) {
  if (!first) out.push_back(',');
  first = false;
  append_string(out, key);
  out.push_back(':');
}

}  // namespace gi::core::json_out
