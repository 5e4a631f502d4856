#pragma once
// A strict scanner for the common HTTP/1.x message head, used in front of Beast's
// basic_parser on both sides of the proxy (the server's requests, the upstream client's
// responses).
//
// Why: Beast's parser validates byte by byte through several layers of callbacks, and the
// two heads of a proxied request were ~12 % of the gateway's instructions per request
// (bench/README.md, "Session-5"). This scanner accepts only a strict subset of the grammar
// (RFC 9112): CRLF line ends, token methods and field names, visible-ASCII targets and
// values, HTTP/1.0 or 1.1, at most one Content-Length, no Transfer-Encoding, a Connection
// field that is exactly "close" or "keep-alive". For anything else it answers `decline` and
// the caller feeds the same, unconsumed bytes to Beast, which accepts or rejects with its
// own error. The scanner therefore never accepts what Beast rejects nor reads a message
// differently (test/unit/server/http1_head_test.cc compares the two on generated inputs).
//
// Pure: no I/O, no allocation except the field list it fills.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/http_types.h"

namespace gi::core::http1 {

enum class scan_result {
  complete,   // the head is whole and inside the subset; `head` and the fields are filled
  need_more,  // no end of head yet within the limit; scan again with more bytes
  decline,    // outside the subset (or over the limit): let the full parser decide
};

struct head {
  std::string_view method;  // requests
  std::string_view target;  // requests
  int status = 0;           // responses
  int version = 11;         // 10 or 11
  std::size_t size = 0;     // bytes of the head, the empty line included
  std::uint64_t content_length = 0;  // 0 when absent
  bool has_content_length = false;
  bool chunked = false;  // responses: "Transfer-Encoding: chunked" (and no Content-Length)
  bool keep_alive = true;  // Beast's rule: 1.1 unless "close", 1.0 only with "keep-alive"
};

// `in` starts at the first byte of the message. Heads of `limit` bytes or more decline. On
// `complete`, `fields` has had the head's fields appended in order (values without the
// surrounding whitespace) and the string_views in `out` point into `in`.
scan_result scan_request(std::string_view in, std::size_t limit, head& out, header_list& fields);

// Only final answers with a Content-Length body or a plain chunked one are in the subset:
// 1xx, 204, 304, close-delimited bodies and other transfer codings decline. Not for answers
// to HEAD (no body despite the length).
scan_result scan_response(std::string_view in, std::size_t limit, head& out,
                          header_list& fields);

// The chunked transfer coding (RFC 9112 §7.1) of a body whose head scan_response accepted.
// A resumable state machine: feed the body bytes in any splits. Chunk extensions and trailer
// fields are skipped (a proxy of LLM answers has no use for them; trailer lines must still
// be well-formed fields); a malformed frame fails the body, it is not repaired.
class chunked_decoder {
 public:
  struct step {
    std::size_t used = 0;      // input bytes consumed
    std::size_t produced = 0;  // payload bytes written to `out`
  };
  // Decodes from `in` into `out` (up to `room` bytes). Stops when the input is used up, the
  // output is full, the body ended or the framing is malformed.
  step decode(std::string_view in, char* out, std::size_t room);
  bool done() const noexcept { return state_ == state::done; }
  bool failed() const noexcept { return state_ == state::failed; }

 private:
  enum class state {
    size,         // hex digits of the chunk size
    extension,    // after ';' up to the CR
    size_lf,      // the LF ending the size line
    data,         // `left_` payload bytes
    data_cr,      // CRLF after the payload
    data_lf,
    trailer,        // start of a trailer line or the final CRLF
    trailer_name,   // token up to ':'
    trailer_value,  // field value up to the CR
    trailer_lf,
    final_lf,
    done,
    failed,
  };
  state state_ = state::size;
  std::uint64_t left_ = 0;
  int digits_ = 0;
};

}  // namespace gi::core::http1
