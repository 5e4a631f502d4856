#pragma once
// HTTP/1.1 request parser for the server: Beast's basic_parser (framing, chunked bodies,
// header and body limits, keep-alive rules) with the request line, the header fields and the
// body stored straight into the forms the router consumes.
//
// Why not http::request_parser<string_body>: its basic_fields container allocates a node per
// field, and the session then copied every field into a core::header_list again — two
// allocations and copies per field of every request. Here each field is appended once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "core/http1_head.h"
#include "core/http_types.h"

namespace gi::server {

class request_parser final : public boost::beast::http::basic_parser<true> {
 public:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;

  std::string_view method() const noexcept { return method_; }
  std::string_view target() const noexcept { return target_; }
  int version() const noexcept { return version_; }  // 10 or 11
  const core::header_list& headers() const noexcept { return headers_; }
  // The first field named `name` (case-insensitive), or "".
  std::string_view field(std::string_view name) const {
    return core::find_header(headers_, name).value_or(std::string_view());
  }
  std::string& body() noexcept { return body_; }
  // Beast's keep-alive rule, for either path.
  bool keeps_alive() const noexcept { return whole_ ? whole_keep_alive_ : keep_alive(); }

  // The fast path: when the whole request — head and Content-Length body — is already in
  // `buffered` and its head is inside core::http1's strict subset, takes it without Beast
  // and returns the bytes used. Returns 0 and changes nothing otherwise: the caller runs
  // Beast's parser over the same bytes, which also produces every error answer (limits,
  // malformed heads). A request with Expect also goes to Beast, which answers 100-continue.
  std::size_t take_whole(std::string_view buffered, std::size_t header_limit,
                         std::uint64_t body_limit) {
    core::http1::head h;
    if (core::http1::scan_request(buffered, header_limit, h, headers_) !=
        core::http1::scan_result::complete)
      return 0;
    if (h.content_length > body_limit || h.content_length > buffered.size() - h.size ||
        core::find_header(headers_, "expect")) {
      headers_.clear();
      return 0;
    }
    method_.assign(h.method);
    target_.assign(h.target);
    version_ = h.version;
    body_.assign(buffered.data() + h.size, static_cast<std::size_t>(h.content_length));
    whole_ = true;
    whole_keep_alive_ = h.keep_alive;
    return h.size + static_cast<std::size_t>(h.content_length);
  }

 private:
  void on_request_impl(boost::beast::http::verb, string_view method, string_view target,
                       int version, error_code& ec) override {
    method_.assign(method.data(), method.size());
    target_.assign(target.data(), target.size());
    version_ = version;
    headers_.reserve(16);
    ec = {};
  }
  void on_response_impl(int, string_view, int, error_code& ec) override {
    ec = boost::beast::http::error::bad_version;  // never called for a request parser
  }
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code& ec) override {
    headers_.emplace_back(std::string(name), std::string(value));
    ec = {};
  }
  void on_header_impl(error_code& ec) override { ec = {}; }
  // basic_parser has already refused a Content-Length above body_limit, so the
  // reservation is bounded by the configured limit.
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override {
    if (length) body_.reserve(static_cast<std::size_t>(*length));
    ec = {};
  }
  std::size_t on_body_impl(string_view s, error_code& ec) override {
    body_.append(s.data(), s.size());
    ec = {};
    return s.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code& ec) override { ec = {}; }
  std::size_t on_chunk_body_impl(std::uint64_t, string_view s, error_code& ec) override {
    body_.append(s.data(), s.size());
    ec = {};
    return s.size();
  }
  void on_finish_impl(error_code& ec) override { ec = {}; }

  std::string method_;
  std::string target_;
  int version_ = 11;
  core::header_list headers_;
  std::string body_;
  bool whole_ = false;  // taken by take_whole(); Beast's state is unused then
  bool whole_keep_alive_ = false;
};

}  // namespace gi::server
