#pragma once
// GET /readyz: a small registry of named component checks. Modules register a check when
// they come up (config now; store and classifier later); a scrape runs every check and
// reports each one. Checks of the plain /readyz must be cheap and non-blocking (run() runs
// on an I/O thread): read an atomic flag the component maintains, never do I/O. The deep
// registry (`/readyz?deep=1`) is run with run_off_thread(), so its checks may do bounded I/O.
//
// Thread safety: all members may be called from any thread.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

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
  // run() on the registry's own thread (started on first use), for checks that may block
  // (the deep checks do bounded I/O): the awaiting I/O thread keeps serving meanwhile.
  boost::asio::awaitable<report> run_off_thread() const;

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
  // run_off_thread()'s thread; declared last so it is joined before the checks go.
  mutable std::unique_ptr<boost::asio::thread_pool> pool_;
};

}  // namespace gi::server
