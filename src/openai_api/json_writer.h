#pragma once
// Hand-written JSON output for the hot encode paths (responses and SSE chunks). Appends
// into a caller-owned std::string so a stream reuses one buffer; no DOM is built. The
// escaping rules are RFC 8259 §7: `"`, `\` and U+0000..U+001F must be escaped; everything
// else (including non-ASCII UTF-8) is copied as-is. Inputs are UTF-8 already validated by
// whichever JSON parser produced them.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace gi::openai_api::json_out {

// Appends `s` as a quoted, escaped JSON string.
void append_string(std::string& out, std::string_view s);
// Appends the escaped body of `s` without the surrounding quotes.
void append_escaped(std::string& out, std::string_view s);
void append_int(std::string& out, std::int64_t v);
// Serialises an arbitrary JSON value (cold paths: logprobs, x_gammainfra).
void append_value(std::string& out, const boost::json::value& v);
void append_object(std::string& out, const boost::json::object& o);

inline void append_raw(std::string& out, std::string_view s) { out.append(s); }

}  // namespace gi::openai_api::json_out
