#pragma once
// The seam for the account and admin endpoints (design §3.1, issue 10): GET /v1/account,
// GET /v1/usage, POST /v1/signup and everything under /admin/. The router authenticates the
// `/v1/*` ones (the principal is passed in) and leaves /v1/signup and /admin/* (admin bearer
// token) to the handler. Implemented in app (accounts_api.h); absent = those routes are 404.

#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "core/http_types.h"

namespace gi::server {

struct api_request {
  std::string_view method;
  std::string_view target;  // path + query
  const core::header_list& headers;
  const std::string& body;
  std::string_view remote = {};  // peer address (per-address signup limit), "" when unknown
};

// An endpoint's answer; the router writes it.
struct api_reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class api_handler {
 public:
  virtual ~api_handler() = default;
  // `who` is non-null for /v1/account and /v1/usage (already authenticated). Runs on the
  // server's blocking thread, never on an I/O thread: it may wait on the store (a write
  // waits for SQLite's lock up to the busy timeout; the usage page flushes pending writes).
  virtual api_reply respond(const api_request& req, const auth::principal* who) = 0;
};

}  // namespace gi::server
