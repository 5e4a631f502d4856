#pragma once
// simdjson (DOM) counterparts of the wire.h readers, for the fast paths of the response and
// stream decoders. Each mirrors its wire.h twin exactly on the inputs it accepts and reports
// the rest as "not fast-path material" (false / -1) so the caller can hand the whole body
// to the general Boost.JSON path before it has changed any state.

#include <cstdint>
#include <optional>
#include <string_view>

#include <simdjson.h>

#include "core/chat_response.h"

namespace gi::providers::openai_compat::wire_simd {

namespace sj = simdjson::dom;

// wire::integer on an element: 1 = integer (in *out), 0 = not a number (wire::integer's
// nullopt), -1 = a double (wire::integer truncates it; never sent in practice, so left to
// the general path).
int integer(const sj::element& e, std::int64_t* out);

// An integer field as `wire::integer(...).value_or(0)` assigns it. False on a double.
bool read_int(const sj::element& e, std::int64_t& out);

// The string, or nullopt when `e` is not a string (wire::str).
inline std::optional<std::string_view> str(const sj::element& e) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return s;
}

// Parses `json` as one JSON object with `parser` (its buffers are reused; `o` is valid until
// the parser's next parse). False when it is not valid JSON or not an object.
inline bool parse_object(sj::parser& parser, std::string_view json, sj::object& o) {
  sj::element root;
  return parser.parse(json.data(), json.size()).get(root) == simdjson::SUCCESS &&
         root.get_object().get(o) == simdjson::SUCCESS;
}

// wire::usage on a usage object. False on a double count.
bool usage(const sj::object& o, core::usage& u);

}  // namespace gi::providers::openai_compat::wire_simd
