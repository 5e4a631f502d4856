#include "app/route_cmd.h"

#include <filesystem>
#include <ostream>

#include <boost/json/serialize.hpp>

#include "app/gateway_handler.h"
#include "config/loader.h"
#include "core/clock.h"
#include "route/endpoint_health.h"
#include "route/explain.h"
#include "route/latency_stats.h"
#include "server/request_headers.h"

namespace gi::app {

int run_route_cmd(const route_options& opts, std::ostream& out, std::ostream& err) {
  if (!opts.explain) {
    err << "error: route: only --explain is supported\n";
    return 2;
  }
  if (!opts.gateway.empty()) {
    err << "error: route --explain --gateway is not implemented yet; query GET "
           "/v1/route/explain?task=<task> on the gateway instead\n";
    return 2;
  }
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
  auto parsed = server::parse_gateway_headers(headers);
  if (!parsed) {
    err << "error: " << parsed.error().message << '\n';
    return 2;
  }
  auto po = route_plan_options(*parsed);
  core::chat_request req;
  req.model = "auto:" + opts.task;
  core::message m;
  m.role = core::role::user;
  m.content = std::string("explain");
  req.messages.push_back(std::move(m));

  const auto& clk = core::system_clock_source::instance();
  route::latency_stats stats(cfg->endpoints.size(), clk);  // empty: every p50 is the prior
  route::endpoint_health health(cfg->endpoints.size(), clk);
  auto snap = stats.snapshot();
  auto hv = health.view_all();
  route::routing_inputs live{snap.get(), &hv};
  // No key check: explain what the router would do with every endpoint's key configured.
  auto p = route::make_plan(*cfg, req, po, {}, &live);
  if (!p) {
    err << "error: " << p.error().message << '\n';
    return 2;
  }
  if (opts.json) {
    out << boost::json::serialize(route::explain_json(*p, po.ranking)) << '\n';
  } else {
    out << route::explain_text(*p, po.ranking);
    out << "(offline: p50 from priors; no live stats, circuits or cooldowns)\n";
  }
  return 0;
}

}  // namespace gi::app
