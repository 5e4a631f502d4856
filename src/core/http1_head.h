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
  bool keep_alive = true;  // Beast's rule: 1.1 unless "close", 1.0 only with "keep-alive"
};

// `in` starts at the first byte of the message. Heads of `limit` bytes or more decline. On
// `complete`, `fields` has had the head's fields appended in order (values without the
// surrounding whitespace) and the string_views in `out` point into `in`.
scan_result scan_request(std::string_view in, std::size_t limit, head& out, header_list& fields);

// Only final answers with a Content-Length body are in the subset: 1xx, 204, 304, chunked
// and close-delimited bodies decline. Not for answers to HEAD (no body despite the length).
scan_result scan_response(std::string_view in, std::size_t limit, head& out,
                          header_list& fields);

}  // namespace gi::core::http1
