#pragma once
// The common chat.completion.chunk shape (text / reasoning / refusal / string-argument
// tool-call deltas, finish_reason, usage) as views, read by the stream decoder's fast paths
// without building a tree. Two readers fill the same view: scan_chunk, a purpose-built
// scanner for the common shape that declines anything it is not sure about, and
// scan_chunk_simd on simdjson's DOM, which declines less. Both read every object once, a
// repeated key's last value winning as in the Boost.JSON tree, and neither touches decoder
// state, so a decline costs only the time spent: the caller moves on to the next reader
// (and finally to the general Boost.JSON path) with the same bytes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/chat_response.h"

namespace simdjson::dom {
class parser;
}

namespace gi::providers::openai_compat {

// fast_tool and fast_choice have no member initialisers on purpose: a view's arrays are
// left unset (zeroing them cost more than reading a typical chunk) and a reader assigns
// `fast_tool{}` / `fast_choice{}` (all zero) to each entry it counts before filling it.
struct fast_tool {
  bool object;      // non-object entries are skipped (and not counted for positions)
  int index_kind;   // wire_simd::integer result for `index`
  std::int64_t index;
  std::optional<std::string_view> id;
  bool function;  // `function` is an object
  std::optional<std::string_view> name;
  std::string_view arguments;  // "" when absent or null
};

struct fast_choice {
  bool object;
  int index_kind;
  std::int64_t index;
  bool delta;  // `delta` is an object
  bool role;
  std::optional<std::string_view> reasoning_content, reasoning, content, refusal, finish_reason;
  std::size_t first_tool, tool_count;  // into fast_chunk_view::tools
};

inline constexpr std::size_t max_choices = 4;
inline constexpr std::size_t max_tools = 8;

struct fast_chunk_view {
  std::optional<std::string_view> id, model, fingerprint;
  std::int64_t created = 0;
  std::array<fast_choice, max_choices> choices;  // the first choice_count are set
  std::size_t choice_count = 0;
  std::array<fast_tool, max_tools> tools;  // the first tool_count are set
  std::size_t tool_count = 0;
  std::optional<core::usage> usage;

  // A fresh view's state again, for a view kept across chunks (the arrays need nothing).
  void clear() {
    id.reset();
    model.reset();
    fingerprint.reset();
    created = 0;
    choice_count = tool_count = 0;
    usage.reset();
  }
};

// What scan_chunk keeps of a stream's previous chunk: its bytes up to the root's "choices"
// key and the root fields read from them. A stream's chunks repeat that head (id, object,
// created, model, fingerprint: ~190 of a typical ~250 bytes) byte for byte, so a chunk that
// starts with the same bytes resumes reading at "choices" after one memcmp.
struct chunk_memo {
  struct span {
    std::size_t offset = 0, size = 0;
  };
  bool valid = false;
  std::string head;
  std::optional<span> id, model, fingerprint;
  std::int64_t created = 0;
  std::optional<core::usage> usage;
  bool non_ascii = false;  // the head holds bytes >= 0x80 (UTF-8 still to be checked)

  // The previous chunk whole (read and UTF-8-checked), when it held one choice whose delta's
  // `content` was a plain string and nothing in it was escaped, with what was read from it.
  // Text chunks differ only in that string's bytes: a chunk equal to this one but for them
  // reads the same but for `content`, after two memcmps and a look over the new text.
  struct whole_chunk {
    bool valid = false;
    std::string bytes;
    std::size_t content_offset = 0, content_size = 0;  // the text, between its quotes
    std::optional<span> id, model, fingerprint;
    std::int64_t created = 0;
    std::optional<core::usage> usage;
    fast_choice choice{};  // string views unset: they are the spans below
    std::optional<span> reasoning_content, reasoning, refusal, finish_reason;
  } whole;

  // Chunks read by reusing `whole` / resuming after `head` (the tests check both happen).
  std::size_t reused = 0, resumed = 0;
};

// Reads `json` into `v` (fresh or clear()ed) when it is one JSON object of the common chunk
// shape that this scanner fully understands; strings with escapes are unescaped into
// `scratch`, which must hold json.size() bytes and outlive the views. False declines: `v`
// is then unspecified and the caller retries with scan_chunk_simd. `memo`, when given, is
// the stream's chunk_memo: read and updated, never required (the result is the same
// without it).
bool scan_chunk(std::string_view json, char* scratch, fast_chunk_view& v,
                chunk_memo* memo = nullptr);

// The same on simdjson's DOM (views into `parser`'s buffers, valid until its next parse).
// False declines to the general path: invalid JSON, x_groq, errors, Mistral content
// arrays, non-string arguments, non-integer numbers, more than max_choices / max_tools.
bool scan_chunk_simd(simdjson::dom::parser& parser, std::string_view json, fast_chunk_view& v);

}  // namespace gi::providers::openai_compat
