#include "server/readiness.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace gi::server {

void readiness_registry::add(std::string component, check_fn check, details_fn details) {
  std::lock_guard lock(mu_);
  for (auto& e : checks_) {
    if (e.name == component) {
      e.check = std::move(check);
      e.details = std::move(details);
      return;
    }
  }
  checks_.push_back(entry{std::move(component), std::move(check), std::move(details)});
}

readiness_registry::report readiness_registry::run() const {
  std::vector<entry> checks;
  {
    std::lock_guard lock(mu_);
    checks = checks_;
  }
  report r;
  for (auto& e : checks) {
    std::string reason = e.check ? e.check() : std::string("no check");
    if (!reason.empty()) r.ready = false;
    r.components.emplace_back(e.name, reason.empty() ? std::string("ok") : std::move(reason));
    if (e.details) r.details.emplace_back(e.name, e.details());
  }
  return r;
}

std::string readiness_registry::to_json(const report& r) {
  boost::json::object components;
  for (const auto& [name, state] : r.components) components[name] = state;
  boost::json::object o;
  o["status"] = r.ready ? "ready" : "not_ready";
  o["components"] = std::move(components);
  if (!r.details.empty()) {
    boost::json::object details;
    for (const auto& [name, kv] : r.details) {
      boost::json::object d;
      for (const auto& [k, v] : kv) d[k] = v;
      details[name] = std::move(d);
    }
    o["details"] = std::move(details);
  }
  return boost::json::serialize(o);
}

}  // namespace gi::server
