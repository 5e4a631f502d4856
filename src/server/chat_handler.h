#pragma once
// The seam between the HTTP server and the request pipeline (route/executor). The server
// reads, limits, authenticates and decodes; the handler decides where the request goes and
// writes the response through `response_writer`, either whole or as a chunked stream with
// trailers.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/chat_request.h"
#include "core/http_types.h"
#include "core/request_context.h"
#include "core/result.h"
#include "server/request_headers.h"

namespace gi::server {

// Writes one HTTP response. Implemented by the server's session; used from the session's
// strand only.
class response_writer {
 public:
  virtual ~response_writer() = default;
  // A complete response. Adds Content-Length, X-GammaInfra-Request-Id, Date.
  virtual boost::asio::awaitable<bool> send(int status, core::header_list headers,
                                            std::string body) = 0;
  // Starts a chunked response (Transfer-Encoding: chunked) announcing `trailer_names` in a
  // `Trailer:` header. Returns false when the client is gone.
  virtual boost::asio::awaitable<bool> begin_stream(int status, core::header_list headers,
                                                    std::vector<std::string> trailer_names) = 0;
  // begin_stream() in two steps, for a stream whose head is known before its commit point:
  // stage_stream() builds the head now and sends nothing (a later send() or begin_stream()
  // replaces it, so an error answer is still possible); begin_staged_stream() adds the
  // `late` headers and Date and starts the stream as begin_stream() would. False when the
  // client is gone or nothing is staged. Not a coroutine: it writes nothing (the head leaves
  // with the first chunk), and the commit point should not pay a coroutine frame for it.
  virtual void stage_stream(int status, const core::header_list& headers,
                            const std::vector<std::string>& trailer_names) = 0;
  virtual bool begin_staged_stream(const core::header_list& late) = 0;
  // One chunk. Returns false when the client is gone (the caller must cancel upstream work).
  virtual boost::asio::awaitable<bool> write_chunk(std::string_view data) = 0;
  // Last chunk plus trailers.
  virtual boost::asio::awaitable<bool> end_stream(core::header_list trailers) = 0;
  // True once a write failed or the peer closed.
  virtual bool client_gone() const = 0;
};

struct chat_call {
  core::request_context& ctx;
  core::chat_request request;
  const core::header_list& headers;  // incoming request headers
  response_writer& writer;
  gateway_options options;  // X-GammaInfra-* request headers, parsed and validated once

};

class chat_handler {
 public:
  virtual ~chat_handler() = default;
  virtual boost::asio::awaitable<void> handle(chat_call& call) = 0;
  // GET /v1/route/explain (issue 8 item 3): the ranked candidates of `task` (empty = the
  // default task) for a request carrying `headers`, with every score term and the live
  // stats, as a JSON body. nullopt = not supported (404); an error = 400 naming the input.
  virtual std::optional<core::result<std::string>> route_explain(std::string_view task,
                                                                 const core::header_list& headers) {
    (void)task;
    (void)headers;
    return std::nullopt;
  }
};

}  // namespace gi::server
