#pragma once
// Config reload without dropping in-flight requests (issue 8 item 6). The server holds this
// chat handler; it forwards every request to the current gateway_handler, which it holds
// as an atomically swapped std::shared_ptr. A request takes its own reference at the start
// and finishes on that handler (its config snapshot, executor, router version) even if a
// reload swaps in a new one meanwhile; the old handler is destroyed when its last request
// ends. Reload covers what the gateway handler owns — endpoints, chains, `routing:` knobs,
// upstream timeouts, and therefore X-GammaInfra-Router-Version; listener, server limits and
// auth keys stay as started (restart to change them). The new handler takes over the live
// latency history, circuits and cooldowns of every endpoint that still names the same
// upstream (same id, provider, model, URL); new or changed endpoints start fresh.
//
// Thread safety: handle()/route_explain() from any I/O thread; swap()/reload() from any
// thread (serve calls them from its signal thread).

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "app/gateway_handler.h"
#include "core/result.h"
#include "server/chat_handler.h"

namespace gi::app {

class reloadable_handler final : public server::chat_handler {
 public:
  explicit reloadable_handler(std::shared_ptr<gateway_handler> first);

  boost::asio::awaitable<void> handle(server::chat_call& call) override;
  std::optional<core::result<std::string>> route_explain(std::string_view task,
                                                         const core::header_list& headers) override;

  std::shared_ptr<gateway_handler> current() const;
  // Atomically replaces the handler new requests go to.
  void swap(std::shared_ptr<gateway_handler> next);

  // Builds a handler for a new config (serve wires accounts and the classifier into it).
  using factory = std::function<std::shared_ptr<gateway_handler>(config::snapshot_ptr)>;
  // Loads `path` (empty = the built-in defaults), builds a handler with `make` and swaps it
  // in. Returns the new router version; a config error leaves the running config in place.
  core::result<std::string> reload(const std::string& path, const factory& make);

 private:
  std::atomic<std::shared_ptr<gateway_handler>> current_;
};

}  // namespace gi::app
