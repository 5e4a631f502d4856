#include "app/route_cmd.h"

#include <cstdlib>
#include <filesystem>
#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "app/gateway_handler.h"
#include "config/loader.h"
#include "core/clock.h"
#include "route/endpoint_health.h"
#include "route/explain.h"
#include "route/latency_stats.h"
#include "server/headers.h"
#include "server/request_headers.h"
#include "upstream/client.h"

namespace gi::app {

core::result<boost::json::object> explain_task(const config::snapshot& cfg, std::string_view task,
                                               const core::header_list& headers,
                                               const route::routing_inputs& live,
                                               const route::credential_check& has_key,
                                               std::string_view image_url) {
  auto parsed = server::parse_gateway_headers(headers);
  if (!parsed) return parsed.error();
  auto po = route_plan_options(*parsed);
  po.ranking.always_score = true;  // explain shows every candidate's terms
  std::string t = task.empty() ? cfg.routing.default_task : std::string(task);
  if (!config::is_known_task(t))
    return core::invalid_request("Unknown task '" + t + "'; expected one of reasoning, code, creative, "
                                 "rewrite, chat, extraction, summarize, translation", "task");
  core::chat_request req;
  req.model = "auto:" + t;
  core::message m;
  m.role = core::role::user;
  m.content = std::string("explain");
  if (!image_url.empty())
    m.content = std::vector<core::content_part>{core::text_part{"explain"},
                                                core::image_part{std::string(image_url), ""}};
  req.messages.push_back(std::move(m));
  auto p = route::make_plan(cfg, req, po, has_key, &live);
  if (!p) return p.error();
  return route::explain_json(*p, po.ranking);
}

namespace {

// GET <gateway>/v1/route/explain?task=T with the -H headers.
int explain_via_gateway(const route_options& opts, const core::header_list& headers,
                        std::ostream& out, std::ostream& err) {
  auto url = upstream::parse_target_url(opts.gateway);
  if (!url) {
    err << "error: --gateway '" << opts.gateway << "': " << url.error().message << '\n';
    return 2;
  }
  std::string key = opts.api_key;
  if (key.empty())
    if (const char* e = std::getenv("GAMMAINFRA_API_KEY")) key = e;
  if (key.empty()) {
    err << "error: --gateway needs an API key: --api-key or $GAMMAINFRA_API_KEY\n";
    return 2;
  }
  core::upstream_request req;
  req.method = "GET";
  req.path = url->request_target("/v1/route/explain?task=" + opts.task);
  req.headers = headers;
  req.headers.emplace_back(std::string(server::headers::authorization), "Bearer " + key);
  upstream::client_options co;
  upstream::client client(co);
  upstream::phase_deadlines d;
  d.total = std::chrono::seconds(10);
  d.ttfb = std::chrono::seconds(10);
  boost::asio::io_context ioc(1);
  std::optional<core::result<upstream::http_response>> resp;
  boost::asio::co_spawn(ioc, client.send(*url, req, d),
                        [&](std::exception_ptr, core::result<upstream::http_response> r) {
                          resp.emplace(std::move(r));
                        });
  ioc.run();
  client.close_idle();
  if (!resp || !*resp) {
    err << "error: " << opts.gateway << ": " << (resp ? resp->error().message : "no answer") << '\n';
    return 1;
  }
  const auto& r = **resp;
  if (r.status != 200) {
    err << "error: " << opts.gateway << " answered " << r.status << ": " << r.body << '\n';
    return 1;
  }
  boost::system::error_code ec;
  auto j = boost::json::parse(r.body, ec);
  if (ec || !j.is_object()) {
    err << "error: " << opts.gateway << ": the answer is not a JSON object\n";
    return 1;
  }
  if (opts.json) {
    out << r.body << '\n';
  } else {
    out << route::explain_text(j.as_object());
    out << "(live: " << opts.gateway;
    if (auto* v = j.as_object().if_contains("router_version"); v && v->is_string())
      out << ", router " << v->as_string().c_str();
    out << ")\n";
  }
  return 0;
}

}  // namespace

int run_route_cmd(const route_options& opts, std::ostream& out, std::ostream& err) {
  if (!opts.explain) {
    err << "error: route: only --explain is supported\n";
    return 2;
  }
  core::header_list headers;
  for (const auto& h : opts.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos) {
      err << "error: -H '" << h << "': expected 'Name: value'\n";
      return 2;
    }
    auto value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    headers.emplace_back(h.substr(0, colon), value);
  }
  if (!opts.gateway.empty() && !opts.image_url.empty()) {
    err << "error: route: --image-url is offline only (not with --gateway)\n";
    return 2;
  }
  if (!opts.gateway.empty()) return explain_via_gateway(opts, headers, out, err);

  config::snapshot_ptr cfg;
  std::string file = opts.config;
  if (file.empty() && std::filesystem::exists("gammainfra.yaml")) file = "gammainfra.yaml";
  if (file.empty()) {
    cfg = config::defaults();
  } else {
    auto r = config::load_file(file);
    if (!r) {
      err << "error: " << r.error().origin << ": " << r.error().to_string() << '\n';
      return 1;
    }
    cfg = std::move(r).value();
  }
  const auto& clk = core::system_clock_source::instance();
  // Empty: every p50 is the prior.
  route::latency_stats stats(cfg->endpoints.size(), clk, route::executor_options_from(*cfg).stats);
  route::endpoint_health health(cfg->endpoints.size(), clk);
  auto snap = stats.snapshot();
  auto hv = health.view_all();
  route::routing_inputs live{snap.get(), &hv};
  // No key check: explain what the router would do with every endpoint's key configured.
  auto j = explain_task(*cfg, opts.task, headers, live, {}, opts.image_url);
  if (!j) {
    err << "error: " << j.error().message << '\n';
    return 2;
  }
  if (opts.json) {
    out << boost::json::serialize(*j) << '\n';
  } else {
    out << route::explain_text(*j);
    out << "(offline: p50 from priors; no live stats, circuits or cooldowns)\n";
  }
  return 0;
}

}  // namespace gi::app
