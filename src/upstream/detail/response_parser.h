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

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "core/http_types.h"

namespace gi::upstream::detail {

class response_parser final : public boost::beast::http::basic_parser<false> {
 public:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;

  int status() const noexcept { return status_; }
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
  void on_response_impl(int code, string_view, int, error_code& ec) override {
    status_ = code;
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
  core::header_list headers_;
  char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace gi::upstream::detail
