#pragma once
// GET /readyz: a small registry of named component checks. Modules register a check when
// they come up (config now; store and classifier later); a scrape runs every check and
// reports each one. Checks of the plain /readyz must be cheap and non-blocking (run() runs
// on an I/O thread): read an atomic flag the component maintains, never do I/O. The router
// runs the deep registry (`/readyz?deep=1`) on the server's blocking thread, so its checks
// may do bounded I/O.
//
// Thread safety: all members may be called from any thread.

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>


namespace gi::server {

class readiness_registry {
 public:
  // Returns an empty string when ready, else a short reason ("loading", "unreachable").
  using check_fn = std::function<std::string()>;

  // Key/value facts about a component shown beside its state (e.g. which classifier model
  // is loaded); same cheapness rule as checks.
  using details_fn = std::function<std::vector<std::pair<std::string, std::string>>()>;

  // Adds or replaces the check named `component` (and its details, when given).
  void add(std::string component, check_fn check, details_fn details = {});

  struct report {
    bool ready = true;
    // component -> "ok" or the reason, in registration order.
    std::vector<std::pair<std::string, std::string>> components;
    // component -> its details, for components that have them.
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> details;
  };
  report run() const;

  // {"status":"ready"|"not_ready","components":{"config":"ok",...}}, plus
  // "details":{"classifier":{"model":"lexical",...}} when a component has details.
  static std::string to_json(const report& r);

 private:
  mutable std::mutex mu_;
  struct entry {
    std::string name;
    check_fn check;
    details_fn details;
  };
  std::vector<entry> checks_;
};

}  // namespace gi::server
