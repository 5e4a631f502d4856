#include "app/gateway_handler.h"

#include <charconv>

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>

#include "app/request_billing.h"
#include "billing/cost.h"
#include "openai_api/openai_api.h"
#include "openai_api/sse_encoder.h"
#include "route/plan.h"
#include "server/headers.h"
#include "server/request_headers.h"

#ifndef GI_VERSION
#define GI_VERSION "0.1.0"
#endif

namespace gi::app {

namespace hdr = server::headers;
using namespace std::chrono;

std::string_view code_version() noexcept { return GI_VERSION; }

route::plan_options route_plan_options(const server::gateway_options& o) {
  route::plan_options po;
  po.task = o.task;
  po.fallback = o.fallback.value_or(true);
  if (o.preference) {
    switch (*o.preference) {
      case server::preference::balanced: po.ranking.pref = route::preference::balanced; break;
      case server::preference::latency: po.ranking.pref = route::preference::latency; break;
      case server::preference::cost: po.ranking.pref = route::preference::cost; break;
      case server::preference::quality: po.ranking.pref = route::preference::quality; break;
    }
  }
  po.ranking.cost_quality = o.cost_quality;
  po.ranking.regions = o.regions;
  po.ranking.budget = o.max_latency;
  if (o.hedge) {
    route::hedge_request h;
    switch (o.hedge->m) {
      case server::hedge_setting::mode::off: h.mode = config::hedge_config::mode::off; break;
      case server::hedge_setting::mode::on: h.mode = config::hedge_config::mode::on; break;
      case server::hedge_setting::mode::delay: h.mode = config::hedge_config::mode::delay; break;
    }
    h.delay = o.hedge->delay;
    po.hedge = h;
  }
  return po;
}

namespace {

// "0.042": milliseconds with 3 decimals, from nanoseconds.
std::string format_ms(nanoseconds ns) {
  if (ns.count() < 0) ns = nanoseconds(0);
  const long long us = duration_cast<microseconds>(ns).count();
  // to_chars, not snprintf: this runs on every response and printf parsing was ~1 % of
  // a request's instructions.
  char buf[32];
  char* p = std::to_chars(buf, buf + 24, us / 1000).ptr;
  const long long frac = us % 1000;
  *p++ = '.';
  *p++ = static_cast<char>('0' + frac / 100);
  *p++ = static_cast<char>('0' + frac / 10 % 10);
  *p++ = static_cast<char>('0' + frac % 10);
  return std::string(buf, p);
}

// `fam`'s series for one endpoint, resolved on first use and read from `slot` after that.
template <class Cell, class Family>
Cell& cached_cell(std::atomic<Cell*>& slot, Family& fam, const std::string& endpoint_id) {
  if (Cell* c = slot.load(std::memory_order_acquire)) return *c;
  Cell& c = fam.with({endpoint_id});
  slot.store(&c, std::memory_order_release);
  return c;
}

std::string_view outcome_label(route::attempt_outcome o) {
  switch (o) {
    case route::attempt_outcome::ok: return "ok";
    case route::attempt_outcome::error: return "error";
    case route::attempt_outcome::timeout: return "timeout";
    case route::attempt_outcome::ttft_timeout: return "ttft-timeout";
    case route::attempt_outcome::stall: return "stall";
    case route::attempt_outcome::budget: return "budget";
    case route::attempt_outcome::cancelled: return "cancelled";
    case route::attempt_outcome::skipped: return "skipped";
  }
  return "error";
}

// Room for every header a response of this handler can carry (content type, endpoint,
// chain, cost, credit, three rate limits, overhead, hedged, router version, task, task
// source): one allocation instead of the vector doubling four times, each growth moving
// the pairs built so far.
constexpr std::size_t max_response_headers = 14;

constexpr std::size_t outcome_count = static_cast<std::size_t>(route::attempt_outcome::skipped) + 1;

struct request_state {
  const config::snapshot& cfg;
  server::chat_call& call;
  const core::clock& clock;
  const std::string& router_version;
  route::plan plan;
  std::string response_id;
  std::int64_t created = 0;
  bool billed = false;  // a store key: Credit-Remaining in headers, final chunk, trailers

  void add_common(core::header_list& h) const {
    h.emplace_back(hdr::router_version, router_version);
    if (!plan.task.empty()) {
      h.emplace_back(hdr::task_out, plan.task);
      h.emplace_back(hdr::task_source, plan.task_source);
    }
  }
  nanoseconds overhead(nanoseconds upstream_wait) const {
    return clock.steady_now() - call.ctx.received_at - upstream_wait;
  }
};

// Writes the SSE stream once the executor commits. When the upstream sends a role-only
// preamble first (most do), the encoder, the preamble's bytes and most of the head are made
// then (stage()), and the commit adds only the chain, the overhead and the first content.
class sse_sink final : public route::stream_sink {
 public:
  explicit sse_sink(request_state& st) : st_(st) {}

  std::uint64_t stage(const config::endpoint_config& ep,
                      std::span<const core::stream_event> held) override {
    staged_ticket_ = ++tickets_;
    staged_ep_ = &ep;
    staged_n_ = held.size();
    encoder_.reset();
    make_encoder(ep, held);
    staged_bytes_.clear();
    for (const auto& e : held) encoder_->on_event(e, staged_bytes_);
    core::header_list h;
    h.reserve(max_response_headers);
    add_early_headers(ep, h);
    st_.call.writer.stage_stream(200, h, trailer_names());
    return staged_ticket_;
  }

  boost::asio::awaitable<bool> commit(const config::endpoint_config& ep,
                                      const std::vector<route::attempt_record>& attempts,
                                      nanoseconds upstream_wait, std::uint64_t staged) override {
    endpoint_ = &ep;
    // A ticket from an earlier attempt or the other racer of a hedge does not count.
    const bool use_stage = staged != 0 && staged == staged_ticket_ && staged_ep_ == &ep;
    staged_ticket_ = 0;
    core::header_list h;
    h.reserve(max_response_headers);
    if (!use_stage) {
      encoder_.reset();
      staged_bytes_.clear();
      add_early_headers(ep, h);
    }
    if (st_.call.ctx.byok.empty()) {
      h.emplace_back(hdr::fallback_chain, route::format_chain(attempts));
    } else {  // a copy: the executor's records stay unmarked until the request ends
      auto marked = attempts;
      route::mark_byok_attempts(st_.cfg, marked, st_.call.ctx.byok);
      h.emplace_back(hdr::fallback_chain, route::format_chain(marked));
    }
    h.emplace_back(hdr::overhead_ms, format_ms(st_.overhead(upstream_wait)));
    if (hedged_) h.emplace_back(hdr::hedged, "true");
    if (use_stage) {
      skip_ = staged_n_;
      co_return st_.call.writer.begin_staged_stream(h);
    }
    // (Built outside the co_await: GCC 12 miscompiles braced lists in coroutine calls.)
    auto names = trailer_names();
    co_return co_await st_.call.writer.begin_stream(200, std::move(h), std::move(names));
  }

  boost::asio::awaitable<bool> events(std::span<const core::stream_event> evs) override {
    if (!encoder_) make_encoder(*endpoint_, evs);
    buf_.clear();
    if (skip_ > 0) {  // the staged events lead the first call after the commit
      buf_.swap(staged_bytes_);
      evs = evs.subspan(std::min(skip_, evs.size()));
      skip_ = 0;
    }
    for (const auto& e : evs) encoder_->on_event(e, buf_);
    if (buf_.empty()) co_return true;
    co_return co_await st_.call.writer.write_chunk(buf_);
  }

  void hedge_launched() override { hedged_ = true; }

  openai_api::sse_encoder* encoder() { return encoder_ ? &*encoder_ : nullptr; }
  std::string& buffer() { return buf_; }

 private:
  // The `model` of every chunk: the upstream's own (its stream start), else the endpoint's.
  void make_encoder(const config::endpoint_config& ep, std::span<const core::stream_event> evs) {
    openai_api::response_meta meta;
    meta.id = st_.response_id;
    meta.created = st_.created;
    meta.model = ep.model;
    for (const auto& e : evs)
      if (auto* s = std::get_if<core::stream_start>(&e); s && !s->model.empty()) {
        meta.model = s->model;
        break;
      }
    encoder_.emplace(std::move(meta), st_.call.request.wants_stream_usage());
  }

  // The head's fields that do not depend on the commit moment.
  void add_early_headers(const config::endpoint_config& ep, core::header_list& h) const {
    h.emplace_back(hdr::content_type, "text/event-stream");
    h.emplace_back("Cache-Control", "no-cache");
    h.emplace_back(hdr::endpoint, ep.id);
    st_.add_common(h);
  }

  std::vector<std::string> trailer_names() const {
    std::vector<std::string> names;
    names.reserve(3);
    names.emplace_back(hdr::cost_usd);
    names.emplace_back(hdr::fallback_chain);
    if (st_.billed) names.emplace_back(hdr::credit_remaining_usd);
    return names;
  }

  request_state& st_;
  const config::endpoint_config* endpoint_ = nullptr;
  std::optional<openai_api::sse_encoder> encoder_;
  std::string buf_;
  bool hedged_ = false;
  // stage(): the ticket it returned, for which endpoint, how many events it encoded.
  std::uint64_t tickets_ = 0;
  std::uint64_t staged_ticket_ = 0;
  const config::endpoint_config* staged_ep_ = nullptr;
  std::size_t staged_n_ = 0;
  std::string staged_bytes_;
  std::size_t skip_ = 0;  // staged events at the front of the next events() call
};

}  // namespace

gateway_handler::gateway_handler(config::snapshot_ptr cfg, std::shared_ptr<upstream::client> client,
                                 const core::clock& clk,
                                 std::shared_ptr<telemetry::metrics_registry> metrics,
                                 route::credential_source::env_lookup env)
    : cfg_(std::move(cfg)),
      client_(std::move(client)),
      clock_(clk),
      metrics_(std::move(metrics)),
      creds_(*cfg_, std::move(env)),
      executor_(cfg_, *client_, creds_, clk, &tool_state_, route::executor_options_from(*cfg_)),
      router_version_(std::string(code_version()) + "+cfg." + cfg_->hash) {
  endpoint_cells_ = std::make_unique<endpoint_cells[]>(cfg_->endpoints.size());
  for (std::size_t i = 0; i < cfg_->endpoints.size(); ++i)
    for (std::size_t o = 0; o < outcome_count; ++o)
      endpoint_cells_[i].attempts.push_back(&metrics_->upstream_attempts_total.with(
          {cfg_->endpoints[i].id, std::string(outcome_label(static_cast<route::attempt_outcome>(o)))}));
}

void gateway_handler::attach_accounts(std::shared_ptr<billing::account_service> accounts) {
  accounts_ = std::move(accounts);
  limiter_ = std::make_unique<auth::rate_limiter>(clock_);
}

void gateway_handler::record_router_metrics(const route::execution_result& res) {
  for (const auto& a : res.attempts) {
    if (a.outcome == route::attempt_outcome::skipped) continue;
    const auto* ep = cfg_->find_endpoint(a.endpoint_id);
    if (ep == nullptr) continue;
    const auto idx = static_cast<std::size_t>(ep - cfg_->endpoints.data());
    auto& cells = endpoint_cells_[idx];
    cells.attempts[static_cast<std::size_t>(a.outcome)]->inc();
    if (!a.elapsed) continue;
    cached_cell(cells.attempt_duration, metrics_->router_attempt_duration_seconds, a.endpoint_id)
        .observe(duration<double>(*a.elapsed).count());
    cached_cell(cells.circuit_state, metrics_->router_circuit_state, a.endpoint_id)
        .set(static_cast<std::int64_t>(executor_.health().view(idx).circuit));
  }
  if (res.budget_exhausted) metrics_->router_budget_exhausted_total.get().inc();
  if (res.same_endpoint_retries > 0)
    metrics_->router_same_endpoint_retries_total.get().inc(res.same_endpoint_retries);
  if (res.hedged) {
    metrics_->router_hedges_launched_total.get().inc();
    if (res.hedge_won) metrics_->router_hedges_won_total.get().inc();
    metrics_->router_hedge_waste_nano_usd_total.get().inc(res.hedge_waste.nanos());
  }
}

boost::asio::awaitable<void> gateway_handler::handle(server::chat_call& call) {
  return serve(call, nullptr);
}

boost::asio::awaitable<void> gateway_handler::handle_holding(std::shared_ptr<gateway_handler> self,
                                                             server::chat_call& call) {
  gateway_handler& h = *self;
  return h.serve(call, std::move(self));
}

boost::asio::awaitable<void> gateway_handler::serve(server::chat_call& call,
                                                    std::shared_ptr<gateway_handler> keep_alive) {
  (void)keep_alive;  // a coroutine parameter: destroyed with the frame, after every local
  // X-GammaInfra-* headers were parsed and validated once, by the server.
  route::plan_options po = route_plan_options(call.options);
  // BYOK (issue 10 §5): the caller's per-request provider keys; stored keys join after
  // admission. They replace the gateway's key for their provider's endpoints.
  call.ctx.byok = std::move(call.options.byok);

  request_state st{*cfg_, call, clock_, router_version_, {}, "chatcmpl-" + call.ctx.request_id,
                   core::unix_seconds(clock_.system_now())};

  auto send_error = [&](const core::error& err, const std::vector<route::attempt_record>* attempts,
                        nanoseconds upstream_wait, bool hedged = false) -> boost::asio::awaitable<void> {
    core::header_list h;
    h.reserve(max_response_headers);
    h.emplace_back(hdr::content_type, hdr::json_content_type);
    if (attempts && !attempts->empty())
      h.emplace_back(hdr::fallback_chain, route::format_chain(*attempts));
    if (err.retry_after) {
      auto secs = (err.retry_after->count() + 999) / 1000;
      h.emplace_back(hdr::retry_after, std::to_string(std::max<long long>(secs, 1)));
    }
    h.emplace_back(hdr::overhead_ms, format_ms(st.overhead(upstream_wait)));
    if (hedged) h.emplace_back(hdr::hedged, "true");
    st.add_common(h);
    co_await call.writer.send(err.http_status(), std::move(h), openai_api::encode_error(err));
  };

  // Accounts (issue 10): key policy, rate limit and the 402 precheck before any upstream
  // work; the reservation once the plan is known.
  auto send_refusal = [&](billing_refusal& r) -> boost::asio::awaitable<void> {
    core::header_list h;
    h.reserve(max_response_headers);
    h.emplace_back(hdr::content_type, hdr::json_content_type);
    if (r.error.retry_after) {
      auto secs = (r.error.retry_after->count() + 999) / 1000;
      h.emplace_back(hdr::retry_after, std::to_string(std::max<long long>(secs, 1)));
    }
    for (auto& kv : r.headers) h.push_back(std::move(kv));
    st.add_common(h);
    co_await call.writer.send(r.error.http_status(), std::move(h), openai_api::encode_error(r.error));
  };
  std::optional<request_billing> bill;
  if (accounts_) {
    bill.emplace(*accounts_, cfg_->accounts, *limiter_, call.ctx, call.request);
    st.billed = bill->active();
    if (auto refused = bill->admit()) {
      co_await send_refusal(*refused);
      co_return;
    }
  }
  if (bill) bill->add_stored_byok(call.ctx.byok);

  // `model: auto` without X-GammaInfra-Task: classify, after admission (a refused request
  // costs no classification). Lexical answers inline; MiniLM runs on the service's workers
  // and past its deadline the lexical model answers (source "fallback").
  std::string classified_by;
  if (classifier_ && !po.task && call.request.model == "auto") {
    std::string text = classify::task_input(call.request.messages);
    if (!text.empty()) {
      auto c = co_await classifier_->async_classify(std::move(text), boost::asio::use_awaitable);
      if (config::is_known_task(c.task)) {
        po.task = std::move(c.task);
        classified_by = std::move(c.source);
      }
    }
  }

  // Live ranking inputs: the 30 s latency snapshot (a shared_ptr load) and health now.
  auto stats = executor_.stats().snapshot();
  auto health = executor_.health().view_all();
  route::routing_inputs live{stats.get(), &health};
  // routing.latency.live: false = a static ordered fallback (the configured chain order).
  const route::routing_inputs* live_inputs = cfg_->routing.latency.live ? &live : nullptr;
  const auto& byok = call.ctx.byok;
  auto planned = route::make_plan(
      *cfg_, call.request, po,
      [this, &byok](const config::endpoint_config& ep) { return creds_.has(ep, byok); }, live_inputs);
  if (planned && !classified_by.empty()) planned->task_source = std::move(classified_by);

  if (!planned) {
    co_await send_error(planned.error(), nullptr, nanoseconds(0));
    co_return;
  }
  st.plan = std::move(*planned);
  if (bill) {
    if (auto refused = bill->reserve(st.plan, call.ctx.byok)) {
      co_await send_refusal(*refused);
      co_return;
    }
  }

  std::optional<sse_sink> sink;
  if (call.request.stream) sink.emplace(st);
  // Initialised, not assigned: the awaited result is built in place (no move-assignment of
  // the whole result and destruction of a temporary).
  route::execution_result res =
      co_await executor_.run(call.request, call.ctx, st.plan, sink ? &*sink : nullptr);

  record_router_metrics(res);

  route::mark_byok_attempts(*cfg_, res.attempts, call.ctx.byok);
  if (res.error && !res.committed)
    if (auto rejected = route::byok_rejection(*cfg_, res.attempts)) res.error = std::move(*rejected);
  std::string chain = route::format_chain(res.attempts);
  // BYOK winner: the BYOK fee instead of the provider price (design §4.6).
  core::money cost = charged_cost(res, call.ctx.byok, cfg_->accounts.byok_fee);
  // Settle before answering (the balance header includes this request); a client that went
  // away mid-stream is charged for what the upstream reported or was estimated so far.
  core::money remaining;
  if (bill && bill->active()) {
    int status = res.committed ? 200 : res.error ? res.error->http_status() : res.response ? 200 : 500;
    remaining = bill->settle(res, cost, st.plan, status, st.overhead(res.upstream_wait));
  }

  if (call.request.stream && res.committed) {
    auto* enc = sink->encoder();
    std::string& buf = sink->buffer();
    buf.clear();
    if (res.client_gone) {
      metrics_->gateway_overhead_seconds.get().observe(
          duration<double>(st.overhead(res.upstream_wait)).count());
      co_return;
    }
    if (enc == nullptr) {
      // Committed, but every delivered event was bookkeeping: create the encoder so the
      // client still gets a well-formed ending (error event or final chunk).
      if (!co_await sink->events({})) co_return;
      enc = sink->encoder();
    }
    if (res.error) {
      enc->error(*res.error, buf);
    } else {
      boost::json::object x;
      x["cost_usd"] = cost.to_string();
      x["endpoint"] = res.winner->id;
      x["fallback_chain"] = chain;
      if (st.billed) x["credit_remaining_usd"] = remaining.to_string();
      enc->finish_stream(res.usage, std::move(x), buf);
    }
    if (!buf.empty() && !co_await call.writer.write_chunk(buf)) co_return;
    core::header_list trailers;
    trailers.reserve(3);
    trailers.emplace_back(hdr::cost_usd, cost.to_string());
    trailers.emplace_back(hdr::fallback_chain, chain);
    if (st.billed) trailers.emplace_back(hdr::credit_remaining_usd, remaining.to_string());
    co_await call.writer.end_stream(std::move(trailers));
    metrics_->gateway_overhead_seconds.get().observe(
        duration<double>(st.overhead(res.upstream_wait)).count());
    co_return;
  }

  if (res.error || !res.response) {
    core::error err = res.error ? *res.error
                                : core::error(core::error_kind::internal, "no response produced");
    co_await send_error(err, &res.attempts, res.upstream_wait, res.hedged);
    co_return;
  }

  openai_api::response_meta meta;
  meta.id = st.response_id;
  meta.created = st.created;
  meta.model = res.response->model.empty() ? res.winner->model : res.response->model;
  auto& resp = *res.response;
  if (!resp.usage && res.usage) resp.usage = res.usage;
  std::string body = openai_api::encode_chat_response(resp, meta);

  auto overhead = st.overhead(res.upstream_wait);
  core::header_list h;
  h.reserve(max_response_headers);
  h.emplace_back(hdr::content_type, hdr::json_content_type);
  h.emplace_back(hdr::endpoint, res.winner->id);
  h.emplace_back(hdr::fallback_chain, chain);
  h.emplace_back(hdr::cost_usd, cost.to_string());
  if (st.billed) h.emplace_back(hdr::credit_remaining_usd, remaining.to_string());
  if (bill) bill->add_rate_headers(h);
  h.emplace_back(hdr::overhead_ms, format_ms(overhead));
  if (res.hedged) h.emplace_back(hdr::hedged, "true");
  st.add_common(h);
  metrics_->gateway_overhead_seconds.get().observe(duration<double>(overhead).count());
  co_await call.writer.send(200, std::move(h), std::move(body));
}

}  // namespace gi::app
