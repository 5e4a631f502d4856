#pragma once
// Executes a plan (design §4.3 step 6, §4.5 "Execution"): encode for each attempt's
// dialect, send through the upstream client, cascade on failures that allow fallback, and —
// for streams — hold everything back until the commit point (the first upstream event that
// carries content, a tool call or reasoning). Before the commit point a failure cascades
// invisibly; after it, a failure is reported to the sink as a mid-stream error and the
// stream ends (never a silent truncation).
//
// Thread safety: an executor is shared by all I/O threads (it holds only immutable config
// and thread-safe collaborators); one run() call belongs to one request coroutine.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/config.h"
#include "core/chat_request.h"
#include "core/chat_response.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/money.h"
#include "core/request_context.h"
#include "core/stream_event.h"
#include "providers/tool_state_store.h"
#include "route/attempt_log.h"
#include "route/credentials.h"
#include "route/endpoint_health.h"
#include "route/latency_stats.h"
#include "route/plan.h"
#include "upstream/client.h"

namespace gi::route {

// Receives a stream once it commits. Implemented by the HTTP handler.
class stream_sink {
 public:
  virtual ~stream_sink() = default;
  // The commit point: send status and headers. `attempts` is the chain so far, ending with
  // the committing attempt (outcome ok); `upstream_wait` is the time this request has spent
  // waiting on upstreams so far (X-GammaInfra-Overhead-Ms excludes it). Return false if the
  // client is gone.
  // `staged` is the ticket of this attempt's latest stage() (0: none).
  virtual boost::asio::awaitable<bool> commit(const config::endpoint_config& ep,
                                              const std::vector<attempt_record>& attempts,
                                              std::chrono::nanoseconds upstream_wait,
                                              std::uint64_t staged) = 0;
  // Before the commit point, each time an attempt's held-back events grow (a role-only
  // preamble, usually at once after the request): the sink may encode them and build the
  // response head now, while the attempt waits for its first content, so that the commit
  // has only what depends on the commit itself left to do (chain, overhead). A paced stream
  // reaches the commit after the machine sat idle, when every instruction runs from cold
  // caches (bench/README.md, "time to first content"). Returns a ticket for commit(), 0 when
  // nothing was staged; a later stage() (the next attempt, the other racer of a hedge)
  // invalidates earlier tickets.
  virtual std::uint64_t stage(const config::endpoint_config& ep,
                              std::span<const core::stream_event> held) {
    (void)ep;
    (void)held;
    return 0;
  }
  // Events after the commit (the first call also carries the held-back preamble; events a
  // valid ticket staged are its first ones).
  virtual boost::asio::awaitable<bool> events(std::span<const core::stream_event> evs) = 0;
  // A hedge was launched for this request (before the commit: X-GammaInfra-Hedged).
  virtual void hedge_launched() {}
};

struct execution_result {
  // The answering endpoint (nullptr when every attempt failed).
  const config::endpoint_config* winner = nullptr;
  std::vector<attempt_record> attempts;
  // Non-stream success.
  std::optional<core::chat_response> response;
  // Final usage of the winner (stream or not); estimated when the upstream gave none.
  std::optional<core::usage> usage;
  bool usage_estimated = false;
  // Streams: the response was committed to the client.
  bool committed = false;
  // Failure: before commit, the error to answer with; after commit, the mid-stream error.
  std::optional<core::error> error;
  // Client went away mid-stream (nothing more can be sent).
  bool client_gone = false;
  // Time spent waiting on upstreams (for X-GammaInfra-Overhead-Ms = total - this).
  std::chrono::nanoseconds upstream_wait{0};
  // Router events for metrics.
  bool budget_exhausted = false;
  std::uint32_t same_endpoint_retries = 0;
  // Hedging (issue 8 item 5): a hedge was launched (X-GammaInfra-Hedged: true); it won the
  // race; the estimated cost of the cancelled loser (not billed; metrics and request log).
  bool hedged = false;
  bool hedge_won = false;
  core::money hedge_waste;
};

// Router knobs of the executor (issue 8 items 2 and 4).
struct executor_options {
  latency_stats_options stats;
  health_options health;
  // 429/503 without Retry-After: retries of the same endpoint before cascading, each after
  // a jittered backoff (retry_backoff × [0.5, 1.5)) that must fit the remaining budget.
  std::uint32_t same_endpoint_retries = 1;
  std::chrono::milliseconds retry_backoff{200};
  // Uniform [0,1) source for the jitter; default a per-executor PRNG (tests inject one).
  std::function<double()> random;
};

// The router knobs of `routing.latency` (window, refresh, min samples, prior).
executor_options executor_options_from(const config::snapshot& cfg);

class executor {
 public:
  executor(config::snapshot_ptr cfg, upstream::client& client, const credential_source& creds,
           const core::clock& clk, providers::tool_state_store* tool_state = nullptr,
           executor_options opts = {});
  ~executor();
  executor(const executor&) = delete;
  executor& operator=(const executor&) = delete;

  // `sink` must be non-null iff req.stream.
  boost::asio::awaitable<execution_result> run(const core::chat_request& req,
                                               core::request_context& ctx, const plan& p,
                                               stream_sink* sink);

  const config::snapshot& config() const noexcept { return *cfg_; }
  // Live routing state (indices parallel config().endpoints): the planner reads the stats
  // snapshot and health views; the executor records every attempt into them.
  latency_stats& stats() noexcept { return stats_; }
  endpoint_health& health() noexcept { return health_; }

  // A config reload: takes over `old`'s latency history, circuits and cooldowns for every
  // endpoint that still means the same upstream (same id, provider, model and URL), so the
  // new config neither routes on priors nor sends traffic back to an endpoint whose circuit
  // is open. Endpoints that are new or changed start fresh. Returns how many were taken over.
  std::size_t adopt_live_state(const executor& old) noexcept;

 private:
  struct endpoint_runtime;
  struct attempt_state;
  // A candidate ready to send: encoded, authorized, circuit slot acquired.
  struct prepared {
    std::size_t idx = 0;
    const config::endpoint_config* ep = nullptr;
    providers::target tgt;
    core::upstream_request enc;
  };
  // One run()'s bookkeeping across candidates.
  struct run_state {
    run_state(execution_result& r, stats_snapshot_ptr s) : res(r), snap(std::move(s)) {}
    execution_result& res;
    stats_snapshot_ptr snap;
    std::optional<core::error> translation_error;
    std::optional<core::error> last_error;
    bool any_ran = false;
    std::int64_t min_context = 0;  // after a context-length failure: need a larger window
    std::uint32_t hedges_left = 0;
  };
  struct race_result {
    std::optional<core::error> err;
    const config::endpoint_config* ep = nullptr;  // the winner, or the last to fail
  };
  // Checks live state and encodes; a skipped candidate is appended to `skips`.
  std::optional<prepared> prepare(const planned_attempt& pa, const core::chat_request& req,
                                  core::request_context& ctx, run_state& st,
                                  std::vector<attempt_record>& skips);
  // One candidate with its bounded same-endpoint retries; records stats and health.
  boost::asio::awaitable<std::optional<core::error>> run_candidate(
      const core::chat_request& req, core::request_context& ctx, const prepared& pr,
      execution_result& res, stream_sink* sink, const stats_snapshot& snap);
  // executor_hedge.cc: the hedge delay for this leader (nullopt = do not hedge), and the
  // leader-vs-hedge race. `i` is the plan position; it advances past the hedge candidate.
  std::optional<std::chrono::milliseconds> hedge_delay(const plan& p, const prepared& leader,
                                                       const core::request_context& ctx,
                                                       const stats_snapshot& snap) const;
  boost::asio::awaitable<race_result> run_race(const core::chat_request& req,
                                               core::request_context& ctx, const plan& p,
                                               std::size_t& i, prepared leader,
                                               std::chrono::milliseconds delay, run_state& st,
                                               stream_sink* sink);
  // A non-stream attempt's answer (run_candidate awaits it): decode, records, usage.
  std::optional<core::error> finish_unary(const core::chat_request& req, attempt_state& a,
                                          core::result<upstream::http_response>& r);
  boost::asio::awaitable<std::optional<core::error>> run_stream(const core::chat_request& req,
                                                                attempt_state& a,
                                                                stream_sink& sink);

  double next_random() noexcept;

  config::snapshot_ptr cfg_;
  upstream::client& client_;
  const credential_source& creds_;
  const core::clock& clock_;
  providers::tool_state_store* tool_state_;
  std::vector<endpoint_runtime> endpoints_;  // parallel to cfg_->endpoints
  executor_options opts_;
  latency_stats stats_;
  endpoint_health health_;
  std::atomic<std::uint64_t> rng_state_;
};

// Rough token estimate (≈4 characters per token) for requests whose upstream reported no
// usage: billing must never see an empty usage.
core::usage estimate_usage(const core::chat_request& req, std::size_t output_chars);

}  // namespace gi::route
