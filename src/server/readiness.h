#pragma once
// GET /readyz: a small registry of named component checks. Modules register a check when
// they come up (config now; store and classifier later); a scrape runs every check and
// reports each one. Checks must be cheap and non-blocking (they run on an I/O thread): read
// an atomic flag the component maintains, never do I/O.
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

  // Adds or replaces the check named `component`.
  void add(std::string component, check_fn check);

  struct report {
    bool ready = true;
    // component -> "ok" or the reason, in registration order.
    std::vector<std::pair<std::string, std::string>> components;
  };
  report run() const;

  // {"status":"ready"|"not_ready","components":{"config":"ok",...}}
  static std::string to_json(const report& r);

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, check_fn>> checks_;
};

}  // namespace gi::server
