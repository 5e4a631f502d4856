// GET /v1/route/explain on the gateway (issue 8 item 3): the same object as
// `gammainfra route --explain --json`, ranked with this gateway's live state (the 30 s
// latency snapshot, circuits, cooldowns, which keys it holds), plus per candidate the live
// counters behind the p50 so an operator can see why the order is what it is.

#include <boost/json/serialize.hpp>

#include "app/gateway_handler.h"
#include "app/route_cmd.h"
#include "route/endpoint_health.h"

namespace gi::app {

std::optional<core::result<std::string>> gateway_handler::route_explain(
    std::string_view task, const core::header_list& headers) {
  auto stats = executor_.stats().snapshot();
  auto health = executor_.health().view_all();
  route::routing_inputs live{stats.get(), &health};
  auto j = explain_task(*cfg_, task, headers, live,
                        [this](const config::endpoint_config& ep) { return creds_.has(ep); });
  if (!j) return core::result<std::string>(j.error());
  auto& o = *j;
  o["router_version"] = router_version_;
  o["stats_age_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                          clock_.steady_now() - stats->computed_at)
                          .count();
  if (auto* cands = o.if_contains("candidates"); cands && cands->is_array()) {
    for (auto& c : cands->as_array()) {
      auto& co = c.as_object();
      const auto* ep = cfg_->find_endpoint(co.at("endpoint").as_string());
      if (!ep) continue;
      auto idx = static_cast<std::size_t>(ep - cfg_->endpoints.data());
      const auto& es = stats->at(idx);
      boost::json::object l;
      l["samples"] = es.samples;
      l["errors"] = es.errors;
      l["timeouts"] = es.timeouts;
      l["p50_ms"] = es.p50.count();
      l["p90_ms"] = es.p90.count();
      l["p99_ms"] = es.p99.count();
      l["from_prior"] = es.from_prior;
      auto hv = executor_.health().view(idx);
      l["circuit"] = std::string(route::circuit_state_name(hv.circuit));
      l["cooling_down"] = hv.cooling_down;
      co["live"] = std::move(l);
    }
  }
  return core::result<std::string>(boost::json::serialize(o));
}

}  // namespace gi::app
