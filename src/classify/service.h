#pragma once
// The classifier service the chat pipeline calls (design §4.8, issue 9 §6).
//
// * The primary classifier (MiniLM when installed) runs on the service's own worker
//   threads, never on the caller's (I/O) thread.
// * A bounded queue: when it is full the request is answered at once from the lexical model
//   (source "fallback"); each request also has a deadline after which it is answered from
//   the lexical model (source "fallback") and the late primary result only fills the cache.
// * An LRU cache keyed by a 64-bit hash of the input text (plus its length) answers repeats
//   without queueing.
// * Without a primary (lexical only) the lexical model answers inline on the caller's
//   thread: it is ~tens of µs for a 500-token prompt, cheaper than a thread hop.
//
// Thread safety: every public member may be called from any thread. Callbacks run on a
// worker thread, the deadline thread or the calling thread (cache hit, overload, lexical
// only); they must not block. async_classify() re-dispatches to the handler's executor.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>

#include "classify/classifier.h"
#include "classify/lexical_model.h"
#include "core/chat_request.h"

namespace gi::classify {

struct service_options {
  std::size_t threads = 1;
  std::size_t queue_capacity = 64;
  std::chrono::milliseconds deadline{40};
  std::size_t cache_capacity = 4096;
  // A worker takes up to this many queued requests into one primary forward pass
  // (throughput under concurrency; latency of a lone request is unchanged).
  std::size_t max_batch = 8;
};

// Counters for metrics (telemetry maps them to Prometheus; see docs/classifier.md).
struct service_stats {
  std::uint64_t requests = 0, cache_hits = 0, fallback_overload = 0, fallback_deadline = 0;
  std::uint64_t queue_depth = 0;
  std::array<std::uint64_t, task_count> labels{};
};

// Why a request was answered from the lexical model instead of the primary.
enum class fallback_reason { none, overload, deadline };

// One answered request, for metrics (telemetry/metrics.h classifier_* series).
struct service_event {
  const classification& result;
  double seconds = 0;            // submit to answer
  bool cache_hit = false;
  fallback_reason fallback = fallback_reason::none;
  std::size_t queue_depth = 0;   // queued primary requests after this answer
};

// Per-result hook for metrics. Runs on whichever thread answers (see the callback rule).
using service_observer = std::function<void(const service_event&)>;

class service {
 public:
  using callback = std::function<void(classification)>;

  // `primary` may be null (lexical only). `lexical` must not be null.
  service(std::shared_ptr<const lexical_model> lexical, std::shared_ptr<const classifier> primary,
          service_options opt = {}, service_observer observer = {});
  ~service();
  service(const service&) = delete;
  service& operator=(const service&) = delete;

  void classify(std::string text, callback cb);

  // Asio completion-token form (use_awaitable, deferred, a handler): signature
  // void(classification); the handler runs on its associated executor.
  template <class Token>
  auto async_classify(std::string text, Token&& token) {
    return boost::asio::async_initiate<Token, void(classification)>(
        [this](auto handler, std::string t) {
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          classify(std::move(t), [h](classification c) {
            auto ex = boost::asio::get_associated_executor(*h);
            boost::asio::dispatch(ex, [h, c = std::move(c)]() mutable { (*h)(std::move(c)); });
          });
        },
        token, std::move(text));
  }

  // "minilm" when a primary is loaded, else "lexical" (for /readyz).
  std::string_view active() const noexcept;
  service_stats stats() const;
  // Answers whatever is queued from the lexical model and joins the threads; later requests
  // are answered from the lexical model at once (source "fallback").
  void stop();
  bool stopped() const;

 private:
  struct request;
  void worker();
  void deadline_loop();
  void answer(const std::shared_ptr<request>& r, classification c, bool cache_hit,
              fallback_reason why = fallback_reason::none);
  bool cache_get(std::uint64_t key, classification& out);
  void cache_put(std::uint64_t key, const classification& c);
  static bool later(const std::shared_ptr<request>& a, const std::shared_ptr<request>& b);

  std::shared_ptr<const lexical_model> lexical_;
  std::shared_ptr<const classifier> primary_;
  service_options opt_;
  service_observer observer_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<request>> queue_;
  std::vector<std::shared_ptr<request>> deadlines_;  // min-heap on deadline
  std::condition_variable deadline_cv_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::thread deadline_thread_;

  std::mutex cache_mu_;
  std::list<std::pair<std::uint64_t, classification>> lru_;
  std::unordered_map<std::uint64_t, decltype(lru_)::iterator> index_;

  std::atomic<std::size_t> queue_depth_{0};  // mirrors queue_.size() without taking mu_
  std::atomic<std::uint64_t> requests_{0}, cache_hits_{0}, fallback_overload_{0}, fallback_deadline_{0};
  std::array<std::atomic<std::uint64_t>, task_count> labels_{};
};

// Cache key: 64-bit hash of the text mixed with its length.
std::uint64_t text_key(std::string_view text) noexcept;

// What the classifier sees of a chat request: the last user turn (head + tail, at most
// `max_user_bytes`), then optionally a slice of the system prompt and of the previous turn.
// The task dataset has single-turn prompts only, so the extra context could not be shown to
// help; both slices default to 0 (docs/classifier.md).
struct input_options {
  std::size_t max_user_bytes = 8192;
  std::size_t system_bytes = 0;
  std::size_t previous_turn_bytes = 0;
};
std::string task_input(const std::vector<core::message>& messages, const input_options& opt = {});

}  // namespace gi::classify
