#pragma once
// Request dispatch for the gateway's HTTP surface (design §3.1), independent of Beast: the
// session hands over a fully read request and a response_writer. Keeping Beast out of this
// file keeps the route logic cheap to compile and testable without sockets.
//
// Thread safety: immutable after construction; handle() may run on every I/O thread at once.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "auth/authenticator.h"
#include "config/config.h"
#include "core/error.h"
#include "core/http_types.h"
#include "core/request_context.h"
#include "server/api_handler.h"
#include "server/chat_handler.h"
#include "server/readiness.h"
#include "telemetry/metrics.h"

namespace gi::server {

// Route labels for metrics and logs; a closed set so label cardinality stays bounded.
enum class route_id : std::uint8_t {
  healthz,
  readyz,
  metrics,
  models,
  chat_completions,
  account,   // GET /v1/account
  usage,     // GET /v1/usage
  signup,    // POST /v1/signup
  admin,     // /admin/* (methods checked by the api handler)
  route_explain,  // GET /v1/route/explain (issue 8)
  not_found,
  count_,
};
std::string_view route_label(route_id r) noexcept;

struct incoming_request {
  std::string_view method;  // "GET", "POST", …
  std::string_view target;  // path + optional query
  const core::header_list& headers;
  std::string body;
  std::string_view remote = {};  // peer address, "" when unknown
};

struct router_deps {
  config::snapshot_ptr config;
  std::shared_ptr<const auth::authenticator> auth;
  std::shared_ptr<chat_handler> handler;
  std::shared_ptr<telemetry::metrics_registry> metrics;
  std::shared_ptr<readiness_registry> readiness;
  // Extra checks for `/readyz?deep=1` (may do bounded I/O). Null = none.
  std::shared_ptr<readiness_registry> deep_readiness;
  std::int64_t models_created = 0;  // unix seconds for /v1/models `created`
  // Account and admin endpoints (issue 10). Null = those routes answer 404.
  std::shared_ptr<api_handler> accounts_api;
  // Where work that may block runs (the account API's store calls, the deep readiness
  // checks), so that it never holds an I/O thread. Required when either is set.
  boost::asio::any_io_executor blocking;
};

class request_router {
 public:
  explicit request_router(router_deps deps);

  // Which route a path selects (method checked in handle()).
  static route_id match(std::string_view target) noexcept;

  // Answers the request through `w`. Never throws for bad input: every failure is an
  // OpenAI-shaped error response.
  boost::asio::awaitable<void> handle(route_id route, incoming_request& req,
                                      core::request_context& ctx, response_writer& w) const;

  // The /v1/models body (built once from the snapshot).
  const std::string& models_json() const noexcept { return models_json_; }

 private:
  // handle() for every route but an allowed POST /v1/chat/completions.
  boost::asio::awaitable<void> handle_other(route_id route, incoming_request& req,
                                            core::request_context& ctx, response_writer& w) const;
  boost::asio::awaitable<void> chat(incoming_request& req, core::request_context& ctx,
                                    response_writer& w) const;
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> on_blocking(F f) const;
  boost::asio::awaitable<void> answer_api(const api_request& ar, const auth::principal* who,
                                          response_writer& w) const;
  boost::asio::awaitable<void> route_explain(incoming_request& req, core::request_context& ctx,
                                             response_writer& w) const;
  // Authenticates `/v1/*`; on failure writes the 401 and returns false.
  bool authenticate(const incoming_request& req, core::request_context& ctx,
                    core::error& err, auth::principal* who = nullptr) const;

  router_deps deps_;
  std::string models_json_;
};

// Sends `e` as an OpenAI error body with the status of its kind.
boost::asio::awaitable<bool> send_error(response_writer& w, const core::error& e,
                                        core::header_list extra = {});

// True for `application/json` with optional parameters (`; charset=utf-8`), any case.
bool is_json_content_type(std::string_view v) noexcept;

// The /v1/models list for a snapshot: `auto`, `auto:<task>` for each task, every endpoint
// id and alias, in that order, without duplicates.
std::string build_models_json(const config::snapshot& cfg, std::int64_t created);

}  // namespace gi::server
