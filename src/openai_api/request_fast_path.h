#pragma once
// Fast path of decode_chat_request for the common request shape: a model, plain-text
// messages (system / developer / user / assistant with string content and an optional
// name) and the scalar sampling fields (temperature, top_p, penalties, max_tokens /
// max_completion_tokens, n, seed, stop, user, stream, stream_options.include_usage).
//
// Why: the general path parses into a Boost.JSON DOM first (~11 instructions per byte of a
// chat request, most of the decode) because tools, schemas and pass-through fields must end
// up as JSON values. A request without any of those needs no DOM: a purpose-built reader
// (core/json_reader.h, shared with the stream chunk scanner) reads it straight into
// core::chat_request in one pass. It replaced simdjson's On-Demand parser, whose builtin
// implementation in this build is its scalar fallback: warm both take ~1.1 µs for the 1 KB
// bench request (micro_bench bm_decode_chat_request/2), cold the reader is ~1 µs faster.
//
// It only answers when the result is certain to equal the general path's. Anything else —
// any other field, a null where the general path would need to decide, a value outside the
// accepted range, a number with an exponent or more than 15 significant digits (Boost.JSON
// and correctly rounded parsing can differ there), a duplicate key, invalid JSON, a body
// over `fast_max_bytes` — returns nullopt and the general path decodes the body from
// scratch (and words the error, with its JSON path, when there is one). The golden and
// differential tests require both paths to agree on every body the fast path takes.

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/chat_request.h"
#include "core/result.h"

namespace gi::openai_api::detail {

inline constexpr std::size_t fast_max_bytes = 64 * 1024;

std::optional<core::chat_request> decode_chat_request_fast(std::string_view body);
// The same into `out` (default-constructed); on false `out` holds partial values and must
// be reset before another decoder fills it.
bool decode_chat_request_fast(std::string_view body, core::chat_request& out);

// The general path alone (Boost.JSON DOM): what decode_chat_request falls back to. Exposed
// for the differential tests.
core::result<core::chat_request> decode_chat_request_general(std::string_view body);

}  // namespace gi::openai_api::detail
