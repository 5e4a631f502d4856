#pragma once
// The chat pipeline behind POST /v1/chat/completions (design §4.3 steps 5–9): plan the
// attempts, execute them, and answer in OpenAI format with the X-GammaInfra-* headers —
// a whole JSON body, or an SSE stream whose status and headers go out at the commit point
// and whose cost and chain arrive in the final chunk and in HTTP trailers.
//
// Thread safety: one instance shared by all I/O threads; per-request state lives in
// handle()'s coroutine frame.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "auth/rate_limiter.h"
#include "billing/account_service.h"
#include "classify/service.h"
#include "config/config.h"
#include "core/clock.h"
#include "route/credentials.h"
#include "route/executor.h"
#include "server/chat_handler.h"
#include "server/request_headers.h"
#include "telemetry/metrics.h"
#include "upstream/client.h"

namespace gi::app {

class gateway_handler final : public server::chat_handler {
 public:
  gateway_handler(config::snapshot_ptr cfg, std::shared_ptr<upstream::client> client,
                  const core::clock& clk, std::shared_ptr<telemetry::metrics_registry> metrics,
                  route::credential_source::env_lookup env = {});

  boost::asio::awaitable<void> handle(server::chat_call& call) override;
  // handle() for a handler that may be swapped out meanwhile (reloadable_handler): `self`
  // lives in the request's own coroutine frame, so the forwarder needs no frame of its own
  // (a coroutine frame is a heap allocation per request).
  static boost::asio::awaitable<void> handle_holding(std::shared_ptr<gateway_handler> self,
                                                     server::chat_call& call);
  // GET /v1/route/explain with this gateway's live stats (route_explain.cc).
  std::optional<core::result<std::string>> route_explain(std::string_view task,
                                                         const core::header_list& headers) override;

  // Bills requests of store keys (issue 10): rate limits, 402 precheck, reservation,
  // settlement, request log. Call before serving; without it nothing is billed.
  void attach_accounts(std::shared_ptr<billing::account_service> accounts);

  // Classifies `model: auto` requests without X-GammaInfra-Task (design §4.8; the service
  // runs MiniLM off the I/O threads with a deadline). Without it they route the default
  // task. Call before serving (app/classifier_runtime.h wires it).
  void attach_classifier(std::shared_ptr<classify::service> classifier) { classifier_ = std::move(classifier); }

  // "<code version>+cfg.<config hash>" (X-GammaInfra-Router-Version).
  const std::string& router_version() const noexcept { return router_version_; }
  // The executor and its live routing state (stats, health): route explain, tests.
  route::executor& router() noexcept { return executor_; }

 private:
  // The pipeline; `keep_alive` (may be null) only holds this handler until the request ends.
  boost::asio::awaitable<void> serve(server::chat_call& call,
                                     std::shared_ptr<gateway_handler> keep_alive);
  void record_router_metrics(const route::execution_result& res);
  config::snapshot_ptr cfg_;
  std::shared_ptr<upstream::client> client_;
  const core::clock& clock_;
  std::shared_ptr<telemetry::metrics_registry> metrics_;
  route::credential_source creds_;
  // Provider-only tool-call state (Gemini thoughtSignature, DeepSeek reasoning_content,
  // providers.md §11.4), shared by all requests; declared before the executor that uses it.
  providers::tool_state_store tool_state_;
  route::executor executor_;
  std::string router_version_;
  std::shared_ptr<billing::account_service> accounts_;
  std::unique_ptr<auth::rate_limiter> limiter_;
  std::shared_ptr<classify::service> classifier_;
  // Metric cells per endpoint (index into the config's endpoints), so the hot path does
  // relaxed atomic updates and no label lookup: upstream_attempts_total by outcome, resolved
  // at construction; the router's attempt duration and circuit state, resolved on first use
  // (a series appears once its endpoint was tried).
  struct endpoint_cells {
    std::vector<telemetry::scalar_cell*> attempts;
    std::atomic<telemetry::histogram_cell*> attempt_duration{nullptr};
    std::atomic<telemetry::scalar_cell*> circuit_state{nullptr};
  };
  std::unique_ptr<endpoint_cells[]> endpoint_cells_;
};

// The code version compiled into the binary.
std::string_view code_version() noexcept;

// The router's view of the parsed X-GammaInfra-* headers (Task, Fallback, Preference,
// Cost-Quality, Region, Max-Latency-Ms).
route::plan_options route_plan_options(const server::gateway_options& o);

}  // namespace gi::app
