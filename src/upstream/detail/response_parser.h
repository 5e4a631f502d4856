#pragma once
// HTTP/1.1 response parser for upstream replies: Beast's basic_parser (framing, chunked
// decoding, limits, keep-alive) with the head stored straight into our response_head fields
// and the body copied into a caller-provided buffer.
//
// Why not http::response_parser<buffer_body>: its basic_fields container allocates a node per
// header field, and the client then copied every field into a core::header_list again — two
// allocations and copies per field of every upstream reply (~3 % of a proxied request's
// instructions). Here each field is appended once.
//
// Body semantics are buffer_body's: set_buffer(data, size) before a read; the parser
// fills it, advances it, and reports http::error::need_buffer when it is full.
//
// response_parser puts core::http1's strict scanner in front: a plain final answer with a
// Content-Length body (non-streaming answers) or a chunked one (streams) is read without
// Beast; the scanner declines everything else (1xx, close-delimited bodies, unusual heads)
// and Beast's parser reads the same, still buffered bytes.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "core/http1_head.h"
#include "core/http_types.h"

namespace gi::upstream::detail {

class beast_response_parser final : public boost::beast::http::basic_parser<false> {
 public:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;

  int status() const noexcept { return status_; }
  int version() const noexcept { return version_; }  // 10 or 11
  const core::header_list& headers() const noexcept { return headers_; }
  core::header_list take_headers() noexcept { return std::move(headers_); }

  // Where the next body bytes go; `remaining()` is how much of it is still free.
  void set_buffer(char* data, std::size_t size) noexcept {
    data_ = data;
    size_ = size;
  }
  std::size_t remaining() const noexcept { return size_; }

 private:
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code& ec) override {
    ec = boost::beast::http::error::bad_method;  // never called for a response parser
  }
  void on_response_impl(int code, string_view, int version, error_code& ec) override {
    status_ = code;
    version_ = version;
    headers_.clear();  // a 1xx interim head is followed by the final one
    ec = {};
  }
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code& ec) override {
    headers_.emplace_back(std::string(name), std::string(value));
    ec = {};
  }
  void on_header_impl(error_code& ec) override { ec = {}; }
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code& ec) override {
    ec = {};
  }
  std::size_t on_body_impl(string_view body, error_code& ec) override {
    return copy_body(body, ec);
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code& ec) override { ec = {}; }
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return copy_body(body, ec);
  }
  void on_finish_impl(error_code& ec) override { ec = {}; }

  std::size_t copy_body(string_view in, error_code& ec) noexcept {
    if (data_ == nullptr) {
      ec = boost::beast::http::error::need_buffer;
      return 0;
    }
    const std::size_t n = std::min(in.size(), size_);
    if (n > 0) std::memcpy(data_, in.data(), n);
    data_ += n;
    size_ -= n;
    ec = n == in.size() ? error_code() : error_code(boost::beast::http::error::need_buffer);
    return n;
  }

  int status_ = 0;
  int version_ = 11;
  core::header_list headers_;
  char* data_ = nullptr;
  std::size_t size_ = 0;
};

class response_parser {
 public:
  using error_code = boost::system::error_code;

  response_parser(std::size_t header_limit, std::uint64_t body_limit, bool head_request)
      : header_limit_(header_limit), body_limit_(body_limit), head_request_(head_request) {
    beast_.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(header_limit, std::numeric_limits<std::uint32_t>::max())));
    beast_.body_limit(body_limit);
    if (head_request) beast_.skip(true);
  }

  // The fast path. `complete`: the head is taken (drop head_size() bytes from the buffer),
  // the body is read with put()/advance(). `decline`: use beast() for this answer.
  // `need_more`: scan again with more bytes.
  core::http1::scan_result scan_head(std::string_view buffered) {
    if (head_request_) return core::http1::scan_result::decline;  // a length but no body
    core::http1::head h;
    auto r = core::http1::scan_response(buffered, header_limit_, h, headers_);
    if (r != core::http1::scan_result::complete) return r;
    if (h.content_length > body_limit_) {  // Beast's body_limit error, classified by the caller
      headers_.clear();
      return core::http1::scan_result::decline;
    }
    fast_ = true;
    chunked_ = h.chunked;
    status_ = h.status;
    head_size_ = h.size;
    body_left_ = h.content_length;
    keep_alive_ = h.keep_alive;
    return r;
  }
  std::size_t head_size() const noexcept { return head_size_; }
  bool fast() const noexcept { return fast_; }
  // Fast path with a Content-Length body: bytes can be read straight into next().
  bool fast_length() const noexcept { return fast_ && !chunked_; }
  beast_response_parser& beast() noexcept { return beast_; }

  int status() const noexcept { return fast_ ? status_ : beast_.status(); }
  core::header_list take_headers() noexcept {
    return fast_ ? std::move(headers_) : beast_.take_headers();
  }
  bool keep_alive() const { return fast_ ? keep_alive_ : beast_.keep_alive(); }
  bool need_eof() const { return !fast_ && beast_.need_eof(); }
  bool is_done() const {
    return !fast_ ? beast_.is_done() : chunked_ ? chunks_.done() : body_left_ == 0;
  }
  bool got_some() const { return fast_ || beast_.got_some(); }
  // Body bytes still expected (fast path with a Content-Length only).
  std::uint64_t body_left() const noexcept { return body_left_; }

  void set_buffer(char* data, std::size_t size) noexcept {
    data_ = data;
    size_ = size;
    beast_.set_buffer(data, size);
  }
  std::size_t remaining() const noexcept { return fast_ ? size_ : beast_.remaining(); }
  char* next() const noexcept { return data_; }

  // Body bytes from `in` into the buffer; Beast's put() semantics (need_buffer when full).
  std::size_t put(boost::asio::const_buffer in, error_code& ec) {
    if (!fast_) return beast_.put(in, ec);
    if (chunked_) return put_chunked(in, ec);
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(in.size(), body_left_));
    const std::size_t n = std::min(want, size_);
    if (n > 0) std::memcpy(data_, in.data(), n);
    advance(n);
    ec = n == want ? error_code() : error_code(boost::beast::http::error::need_buffer);
    return n;
  }
  // `n` body bytes were read straight into next() (fast path).
  void advance(std::size_t n) noexcept {
    data_ += n;
    size_ -= n;
    body_left_ -= n;
  }

 private:
  std::size_t put_chunked(boost::asio::const_buffer in, error_code& ec) {
    namespace http = boost::beast::http;
    const auto r = chunks_.decode({static_cast<const char*>(in.data()), in.size()}, data_, size_);
    data_ += r.produced;
    size_ -= r.produced;
    body_size_ += r.produced;
    if (chunks_.failed()) ec = http::error::bad_chunk;
    else if (body_size_ > body_limit_) ec = http::error::body_limit;
    else if (!chunks_.done() && r.used < in.size()) ec = http::error::need_buffer;
    else ec = {};
    return r.used;
  }

  beast_response_parser beast_;
  core::http1::chunked_decoder chunks_;
  bool chunked_ = false;
  std::uint64_t body_size_ = 0;
  std::size_t header_limit_;
  std::uint64_t body_limit_;
  bool head_request_;
  bool fast_ = false;
  bool keep_alive_ = false;
  int status_ = 0;
  std::size_t head_size_ = 0;
  std::uint64_t body_left_ = 0;
  core::header_list headers_;
  char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace gi::upstream::detail
