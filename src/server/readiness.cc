#include "server/readiness.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace gi::server {

void readiness_registry::add(std::string component, check_fn check) {
  std::lock_guard lock(mu_);
  for (auto& [name, fn] : checks_) {
    if (name == component) {
      fn = std::move(check);
      return;
    }
  }
  checks_.emplace_back(std::move(component), std::move(check));
}

readiness_registry::report readiness_registry::run() const {
  std::vector<std::pair<std::string, check_fn>> checks;
  {
    std::lock_guard lock(mu_);
    checks = checks_;
  }
  report r;
  for (auto& [name, fn] : checks) {
    std::string reason = fn ? fn() : std::string("no check");
    if (!reason.empty()) r.ready = false;
    r.components.emplace_back(name, reason.empty() ? std::string("ok") : std::move(reason));
  }
  return r;
}

std::string readiness_registry::to_json(const report& r) {
  boost::json::object components;
  for (const auto& [name, state] : r.components) components[name] = state;
  boost::json::object o;
  o["status"] = r.ready ? "ready" : "not_ready";
  o["components"] = std::move(components);
  return boost::json::serialize(o);
}

}  // namespace gi::server
