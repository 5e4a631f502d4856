#include "app/reloadable_handler.h"

#include "config/loader.h"

namespace gi::app {

reloadable_handler::reloadable_handler(std::shared_ptr<gateway_handler> first)
    : current_(std::move(first)) {}

std::shared_ptr<gateway_handler> reloadable_handler::current() const {
  return current_.load(std::memory_order_acquire);
}

void reloadable_handler::swap(std::shared_ptr<gateway_handler> next) {
  current_.store(std::move(next), std::memory_order_release);
}

boost::asio::awaitable<void> reloadable_handler::handle(server::chat_call& call) {
  // Held until this request ends, whatever reloads happen meanwhile: by the gateway
  // handler's own frame, not a forwarding coroutine's.
  return gateway_handler::handle_holding(current(), call);
}

std::optional<core::result<std::string>> reloadable_handler::route_explain(
    std::string_view task, const core::header_list& headers) {
  return current()->route_explain(task, headers);
}

core::result<std::string> reloadable_handler::reload(const std::string& path, const factory& make) {
  config::snapshot_ptr cfg;
  if (path.empty() || path == "<defaults>") {
    cfg = config::defaults();
  } else {
    auto r = config::load_file(path);
    if (!r) {
      return core::error(core::error_kind::invalid_request,
                         r.error().origin + ": " + r.error().to_string(), "config");
    }
    cfg = std::move(r).value();
  }
  auto next = make(std::move(cfg));
  // Latency history, circuits and cooldowns of unchanged endpoints carry over.
  if (auto prev = current()) next->router().adopt_live_state(prev->router());
  std::string version = next->router_version();
  swap(std::move(next));
  return version;
}

}  // namespace gi::app
