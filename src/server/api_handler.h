#pragma once
// The seam for the account and admin endpoints (design §3.1, issue 10): GET /v1/account,
// GET /v1/usage, POST /v1/signup and everything under /admin/. The router authenticates the
// `/v1/*` ones (the principal is passed in) and leaves /v1/signup and /admin/* (admin bearer
// token) to the handler. Implemented in app (accounts_api.h); absent = those routes are 404.

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "auth/authenticator.h"
#include "core/http_types.h"
#include "core/request_context.h"
#include "server/chat_handler.h"

namespace gi::server {

struct api_request {
  std::string_view method;
  std::string_view target;  // path + query
  const core::header_list& headers;
  const std::string& body;
  std::string_view remote = {};  // peer address (per-address signup limit), "" when unknown
};

class api_handler {
 public:
  virtual ~api_handler() = default;
  // `who` is non-null for /v1/account and /v1/usage (already authenticated).
  virtual boost::asio::awaitable<void> handle(const api_request& req, const auth::principal* who,
                                              core::request_context& ctx, response_writer& w) = 0;
};

}  // namespace gi::server
