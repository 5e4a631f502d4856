#include "server/router.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <set>

#include "core/provider_kind.h"
#include "openai_api/openai_api.h"
#include "server/headers.h"
#include "server/request_headers.h"
#include "server/target_query.h"

namespace gi::server {

namespace asio = boost::asio;

namespace {

// /readyz?deep, ?deep=1 or ?deep=true asks for the deep checks.
bool is_deep_readyz(std::string_view target) {
  const auto q = query_of(target);
  const auto it = q.find("deep");
  return it != q.end() && (it->second.empty() || it->second == "1" || it->second == "true");
}

core::header_list json_headers() {
  return {{std::string(headers::content_type), std::string(headers::json_content_type)}};
}

std::string_view allowed_methods(route_id r) noexcept {
  switch (r) {
    case route_id::healthz:
    case route_id::readyz:
    case route_id::metrics:
    case route_id::models:
      return "GET";
    case route_id::chat_completions:
    case route_id::signup:
      return "POST";
    case route_id::account:
    case route_id::usage:
    case route_id::route_explain:
      return "GET";
    case route_id::admin:
    case route_id::not_found:
    case route_id::count_:
      return "";
  }
  return "";
}

}  // namespace

std::string_view route_label(route_id r) noexcept {
  switch (r) {
    case route_id::healthz: return "/healthz";
    case route_id::readyz: return "/readyz";
    case route_id::metrics: return "/metrics";
    case route_id::models: return "/v1/models";
    case route_id::chat_completions: return "/v1/chat/completions";
    case route_id::account: return "/v1/account";
    case route_id::usage: return "/v1/usage";
    case route_id::signup: return "/v1/signup";
    case route_id::admin: return "/admin";
    case route_id::route_explain: return "/v1/route/explain";
    case route_id::not_found: return "other";
    case route_id::count_: return "other";
  }
  return "other";
}

bool is_json_content_type(std::string_view v) noexcept {
  if (v == headers::json_content_type) return true;  // what nearly every client sends
  auto semi = v.find(';');
  auto media = v.substr(0, semi);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  return core::iequals(media, headers::json_content_type);
}

asio::awaitable<bool> send_error(response_writer& w, const core::error& e,
                                 core::header_list extra) {
  core::header_list h = json_headers();
  for (auto& kv : extra) h.push_back(std::move(kv));
  if (e.retry_after)
    h.emplace_back(std::string(headers::retry_after),
                   std::to_string((e.retry_after->count() + 999) / 1000));
  co_return co_await w.send(e.http_status(), std::move(h), openai_api::encode_error(e));
}

std::string build_models_json(const config::snapshot& cfg, std::int64_t created) {
  boost::json::array data;
  std::set<std::string> seen;
  auto add = [&](const std::string& id, std::string_view owner) {
    if (!seen.insert(id).second) return;
    boost::json::object m;
    m["id"] = id;
    m["object"] = "model";
    m["created"] = created;
    m["owned_by"] = owner;
    data.push_back(std::move(m));
  };
  add("auto", "gammainfra");
  for (auto task : task_names) add("auto:" + std::string(task), "gammainfra");
  for (const auto& ep : cfg.endpoints) {
    auto owner = core::to_string(ep.provider);
    add(ep.id, owner);
    for (const auto& alias : ep.aliases) add(alias, owner);
  }
  boost::json::object o;
  o["object"] = "list";
  o["data"] = std::move(data);
  return boost::json::serialize(o);
}

request_router::request_router(router_deps deps) : deps_(std::move(deps)) {
  models_json_ = build_models_json(*deps_.config, deps_.models_created);
}

route_id request_router::match(std::string_view target) noexcept {
  auto p = path_of(target);
  if (p == "/healthz") return route_id::healthz;
  if (p == "/readyz") return route_id::readyz;
  if (p == "/metrics") return route_id::metrics;
  if (p == "/v1/models") return route_id::models;
  if (p == "/v1/chat/completions") return route_id::chat_completions;
  if (p == "/v1/account") return route_id::account;
  if (p == "/v1/usage") return route_id::usage;
  if (p == "/v1/signup") return route_id::signup;
  if (p == "/v1/route/explain") return route_id::route_explain;
  if (p.rfind("/admin/", 0) == 0) return route_id::admin;
  return route_id::not_found;
}

bool request_router::authenticate(const incoming_request& req, core::request_context& ctx,
                                  core::error& err, auth::principal* who) const {
  auto h = core::find_header(req.headers, headers::authorization);
  auto r = deps_.auth->authenticate(h ? *h : std::string_view());
  if (!r) {
    err = std::move(r).error();
    return false;
  }
  ctx.key_id = r->key_id;
  if (who) *who = std::move(r).value();
  return true;
}

// Runs `f` (work that may block) on the blocking executor; the awaiting coroutine resumes
// on its own I/O thread with the result (co_spawn's completion goes to its executor).
template <class F>
asio::awaitable<std::invoke_result_t<F&>> request_router::on_blocking(F f) const {
  co_return co_await asio::co_spawn(
      deps_.blocking, [&f]() -> asio::awaitable<std::invoke_result_t<F&>> { co_return f(); },
      asio::use_awaitable);
}

asio::awaitable<void> request_router::handle(route_id route, incoming_request& req,
                                             core::request_context& ctx,
                                             response_writer& w) const {
  // The hot route runs in chat()'s frame alone: a dispatching coroutine around it would
  // cost a frame allocation per request.
  if (route == route_id::chat_completions && req.method == allowed_methods(route))
    return chat(req, ctx, w);
  return handle_other(route, req, ctx, w);
}

asio::awaitable<void> request_router::handle_other(route_id route, incoming_request& req,
                                                   core::request_context& ctx,
                                                   response_writer& w) const {
  // Errors are built in locals before co_await: GCC 12 miscompiles string literals in
  // co_await argument lists ("array used as initializer").
  bool accounts_route = route == route_id::account || route == route_id::usage ||
                        route == route_id::signup || route == route_id::admin;
  if (accounts_route && !deps_.accounts_api) route = route_id::not_found;
  if (route == route_id::not_found) {
    core::error e(core::error_kind::not_found,
                  "Unknown request URL: " + std::string(req.method) + " " +
                      std::string(path_of(req.target)) + ". Please check the URL and method.",
                  std::string(), std::string("unknown_url"));
    co_await send_error(w, e);
    co_return;
  }
  auto allowed = allowed_methods(route);
  if (route != route_id::admin && req.method != allowed) {
    core::error e(core::error_kind::method_not_allowed,
                  "Method " + std::string(req.method) + " is not allowed for " +
                      std::string(route_label(route)) + "; use " + std::string(allowed) + ".",
                  std::string(), std::string("method_not_allowed"));
    core::header_list allow{{std::string(headers::allow), std::string(allowed)}};
    co_await send_error(w, e, std::move(allow));
    co_return;
  }
  switch (route) {
    case route_id::healthz: {
      std::string body(R"({"status":"ok"})");
      co_await w.send(200, json_headers(), std::move(body));
      co_return;
    }
    case route_id::readyz: {
      auto rep = deps_.readiness->run();
      // `/readyz?deep=1`: also the deep checks (e.g. the store's quick_check), which may do
      // I/O under their own short deadline, on the blocking executor (not this I/O thread);
      // load balancers probe the cheap form.
      if (deps_.deep_readiness && is_deep_readyz(req.target)) {
        auto deep = co_await on_blocking([this] { return deps_.deep_readiness->run(); });
        rep.ready = rep.ready && deep.ready;
        for (auto& c : deep.components) rep.components.push_back(std::move(c));
      }
      co_await w.send(rep.ready ? 200 : 503, json_headers(), readiness_registry::to_json(rep));
      co_return;
    }
    case route_id::metrics: {
      core::header_list h{{std::string(headers::content_type),
                           std::string(telemetry::prometheus_content_type)}};
      co_await w.send(200, std::move(h), deps_.metrics->render());
      co_return;
    }
    case route_id::models: {
      core::error err;
      if (!authenticate(req, ctx, err)) {
        co_await send_error(w, err);
        co_return;
      }
      co_await w.send(200, json_headers(), models_json_);
      co_return;
    }
    case route_id::chat_completions:
      co_await chat(req, ctx, w);
      co_return;
    case route_id::route_explain:
      co_await route_explain(req, ctx, w);
      co_return;
    case route_id::account:
    case route_id::usage: {
      core::error err;
      auth::principal who;
      if (!authenticate(req, ctx, err, &who)) {
        co_await send_error(w, err);
        co_return;
      }
      api_request ar{req.method, req.target, req.headers, req.body};
      co_await answer_api(ar, &who, w);
      co_return;
    }
    case route_id::signup:
    case route_id::admin: {
      api_request ar{req.method, req.target, req.headers, req.body, req.remote};
      co_await answer_api(ar, nullptr, w);
      co_return;
    }
    case route_id::not_found:
    case route_id::count_:
      break;
  }
  core::error e(core::error_kind::internal, std::string("unrouted request"));
  co_await send_error(w, e);
}

// The account API answers on the blocking executor (store I/O); the reply is written back
// here, on the I/O thread.
asio::awaitable<void> request_router::answer_api(const api_request& ar, const auth::principal* who,
                                                 response_writer& w) const {
  auto reply = co_await on_blocking([this, &ar, who] { return deps_.accounts_api->respond(ar, who); });
  core::header_list h;
  h.emplace_back(std::string(headers::content_type), std::move(reply.content_type));
  co_await w.send(reply.status, std::move(h), std::move(reply.body));
}

// GET /v1/route/explain?task=<task>: authenticated like every /v1 route; the X-GammaInfra-*
// headers of this request shape the ranking as they would a chat request's.
asio::awaitable<void> request_router::route_explain(incoming_request& req,
                                                    core::request_context& ctx,
                                                    response_writer& w) const {
  core::error err;
  if (!authenticate(req, ctx, err)) {
    co_await send_error(w, err);
    co_return;
  }
  std::string task;
  if (auto q = query_of(req.target); q.contains("task")) task = std::move(q["task"]);
  auto opts = parse_gateway_headers(req.headers);
  if (!opts) {
    co_await send_error(w, opts.error());
    co_return;
  }
  auto body = deps_.handler->route_explain(task, req.headers);
  if (!body) {
    core::error e(core::error_kind::not_found, std::string("Route explain is not available."),
                  std::string(), std::string("unknown_url"));
    co_await send_error(w, e);
    co_return;
  }
  if (!*body) {
    co_await send_error(w, body->error());
    co_return;
  }
  co_await w.send(200, json_headers(), std::move(**body));
}

asio::awaitable<void> request_router::chat(incoming_request& req, core::request_context& ctx,
                                           response_writer& w) const {
  core::error err;
  if (!authenticate(req, ctx, err)) {
    co_await send_error(w, err);
    co_return;
  }
  auto ct = core::find_header(req.headers, headers::content_type);
  if (!ct || !is_json_content_type(*ct)) {
    std::string msg = "Content-Type must be application/json (got ";
    if (ct) {
      msg += '\'';
      msg.append(ct->data(), ct->size());
      msg += '\'';
    } else {
      msg += "none";
    }
    msg += ").";
    core::error e(core::error_kind::unsupported_media_type, std::move(msg),
                  std::string(headers::content_type), std::string("unsupported_media_type"));
    co_await send_error(w, e);
    co_return;
  }
  auto opts = parse_gateway_headers(req.headers);
  if (!opts) {
    co_await send_error(w, opts.error());
    co_return;
  }
  // Decoded in place: the request is not moved through a result into the call.
  chat_call call{ctx, {}, req.headers, w, std::move(*opts)};
  if (auto decoded = openai_api::decode_chat_request(req.body, call.request); !decoded) {
    co_await send_error(w, decoded.error());
    co_return;
  }
  auto budget = call.options.max_latency
                    ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          *call.options.max_latency)
                    : std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          deps_.config->server.request_timeout);
  ctx.deadline = ctx.received_at + budget;
  co_await deps_.handler->handle(call);
}

}  // namespace gi::server
