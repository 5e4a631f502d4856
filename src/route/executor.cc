#include "route/executor.h"

#include <algorithm>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "providers/bedrock/event_stream.h"
#include "providers/registry.h"
#include "upstream/options_from_config.h"
#include "upstream/sse_framer.h"

namespace gi::route {

using namespace std::chrono;

struct executor::endpoint_runtime {
  const providers::adapter* adapter = nullptr;
  std::optional<upstream::target_url> url;
  providers::target target;
  upstream::phase_deadlines deadlines;
};

struct executor::attempt_state {
  const config::endpoint_config& ep;
  const endpoint_runtime& rt;
  // The prepared request outlives every attempt on it (retries reuse it): referenced, not
  // copied — it carries the whole encoded body.
  const providers::target& tgt;
  const core::upstream_request& req;
  upstream::phase_deadlines deadlines;
  core::request_context& ctx;
  execution_result& res;
  steady_clock::time_point started;
  std::optional<milliseconds> ttft;  // streams: time to the commit point
};

namespace {

milliseconds ms_since(const core::clock& clk, steady_clock::time_point t) {
  return duration_cast<milliseconds>(clk.steady_now() - t);
}

bool is_2xx(int status) { return status >= 200 && status < 300; }

// An attempt that ran out of time because the whole request's budget was spent is a
// `budget` outcome (504), not an endpoint timeout.
bool budget_spent(const core::request_context& ctx, const core::clock& clk) {
  return ctx.deadline && clk.steady_now() >= *ctx.deadline;
}

attempt_record failure_record(const config::endpoint_config& ep, const core::error& err,
                              milliseconds elapsed) {
  auto rec = record_failure(ep.id, err, elapsed);
  return rec;
}

std::string describe(const std::vector<attempt_record>& attempts) {
  return format_chain(attempts);
}

std::size_t text_size(const core::chat_response& r) {
  std::size_t n = 0;
  for (const auto& c : r.choices) {
    if (c.content) n += c.content->size();
    if (c.reasoning) n += c.reasoning->size();
    for (const auto& t : c.tool_calls) n += t.name.size() + t.arguments.size();
  }
  return n;
}

// Failures that say nothing about the endpoint's health (the caller's request, or us).
bool endpoint_at_fault(const core::error& e) {
  using k = core::error_kind;
  for (k x : {k::rate_limited, k::overloaded, k::timeout, k::upstream_5xx, k::truncated,
              k::connect, k::tls, k::protocol, k::auth})
    if (e.kind == x) return true;
  return false;
}

bool same_endpoint_retryable(const core::error& e) {
  return (e.kind == core::error_kind::rate_limited || e.kind == core::error_kind::overloaded) &&
         !e.retry_after;
}

}  // namespace

executor_options executor_options_from(const config::snapshot& cfg) {
  executor_options o;
  const auto& l = cfg.routing.latency;
  o.stats.window = l.window;
  o.stats.refresh = l.refresh;
  o.stats.min_samples = l.min_samples;
  o.stats.prior.p50 = l.prior_p50;
  o.stats.prior.p90 = l.prior_p90;
  o.stats.prior.p99 = l.prior_p99;
  return o;
}

core::usage estimate_usage(const core::chat_request& req, std::size_t output_chars) {
  std::size_t in_chars = 0;
  for (const auto& m : req.messages) {
    in_chars += m.joined_text_size() + 4;
    for (const auto& t : m.tool_calls) in_chars += t.name.size() + t.arguments.size();
  }
  core::usage u;
  u.prompt_tokens = static_cast<std::int64_t>((in_chars + 3) / 4);
  u.completion_tokens = static_cast<std::int64_t>((output_chars + 3) / 4);
  return u;
}

executor::executor(config::snapshot_ptr cfg, upstream::client& client,
                   const credential_source& creds, const core::clock& clk,
                   providers::tool_state_store* tool_state, executor_options opts)
    : cfg_(std::move(cfg)),
      client_(client),
      creds_(creds),
      clock_(clk),
      tool_state_(tool_state),
      opts_(std::move(opts)),
      stats_(cfg_->endpoints.size(), clk, opts_.stats),
      health_(cfg_->endpoints.size(), clk, opts_.health),
      rng_state_(0x9e3779b97f4a7c15ULL ^
                 static_cast<std::uint64_t>(clk.steady_now().time_since_epoch().count())) {
  endpoints_.reserve(cfg_->endpoints.size());
  for (const auto& ep : cfg_->endpoints) {
    endpoint_runtime rt;
    rt.adapter = providers::find_adapter(ep.provider);
    std::string base = ep.base_url.empty() ? config::default_base_url(ep.provider, ep.aws_region)
                                           : ep.base_url;
    if (auto u = upstream::parse_target_url(base)) rt.url = *u;
    rt.target.model = ep.model;
    rt.target.region = ep.aws_region.empty() ? ep.region : ep.aws_region;
    if (rt.url) rt.target.host = rt.url->host_header();  // SigV4 signs the Host (§9.3)
    rt.target.request_stream_usage = true;
    rt.deadlines = upstream::deadlines_from_config(cfg_->upstream, &ep);
    endpoints_.push_back(std::move(rt));
  }
}

std::size_t executor::adopt_live_state(const executor& old) noexcept {
  std::vector<std::optional<std::size_t>> from(cfg_->endpoints.size());
  std::size_t n = 0;
  const auto& prev = old.cfg_->endpoints;
  for (std::size_t i = 0; i < cfg_->endpoints.size(); ++i) {
    const auto& ep = cfg_->endpoints[i];
    const auto* o = old.cfg_->find_endpoint(ep.id);
    if (o == nullptr || o->id != ep.id || o->provider != ep.provider || o->model != ep.model ||
        o->base_url != ep.base_url || o->aws_region != ep.aws_region)
      continue;
    from[i] = static_cast<std::size_t>(o - prev.data());
    ++n;
  }
  if (n == 0) return 0;
  stats_.adopt(old.stats_, from);  // false (nothing copied) for another window geometry
  health_.adopt(old.health_, from);
  return n;
}

executor::~executor() = default;

double executor::next_random() noexcept {
  if (opts_.random) return opts_.random();
  // splitmix64 over an atomic counter: lock-free, good enough for backoff jitter.
  std::uint64_t z = rng_state_.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / 9007199254740992.0;
}

std::optional<executor::prepared> executor::prepare(const planned_attempt& pa,
                                                    const core::chat_request& req,
                                                    core::request_context& ctx, run_state& st,
                                                    std::vector<attempt_record>& skips) {
  const auto& ep = *pa.endpoint;
  auto skip = [&](std::string reason) -> std::optional<prepared> {
    attempt_record r;
    r.endpoint_id = ep.id;
    r.outcome = attempt_outcome::skipped;
    r.detail = std::move(reason);
    skips.push_back(std::move(r));
    return std::nullopt;
  };
  if (!pa.skip_reason.empty()) {
    if (pa.skip_reason == "budget")
      st.last_error = core::error(core::error_kind::budget_exhausted,
                                  "no endpoint's p50 fits the latency budget");
    return skip(pa.skip_reason);
  }
  if (st.min_context > 0 && ep.context_window <= st.min_context) return skip("context");
  if (budget_spent(ctx, clock_)) {
    st.last_error = core::error(core::error_kind::budget_exhausted,
                                "X-GammaInfra-Max-Latency-Ms budget exhausted");
    return skip("budget");
  }
  auto idx = static_cast<std::size_t>(&ep - cfg_->endpoints.data());
  if (idx >= endpoints_.size()) return skip("incapable");
  // Live state may have changed since the plan was made (earlier attempts of this or
  // other requests): re-check cooldown, circuit and the p50-vs-remaining-budget rule.
  if (health_.view(idx).cooling_down) return skip("cooldown");
  if (ctx.deadline) {
    auto left = duration_cast<milliseconds>(ctx.remaining(clock_.steady_now()));
    if (!st.snap->at(idx).from_prior && st.snap->at(idx).p50 > left) {
      st.last_error = core::error(core::error_kind::budget_exhausted,
                                  "no endpoint's p50 fits the remaining budget");
      return skip("budget");
    }
  }
  const auto& rt = endpoints_[idx];
  if (rt.adapter == nullptr || !rt.url) return skip("incapable");
  // The caller's key when BYOK (issue 10); else the gateway's, not copied.
  std::optional<providers::credentials> byok_creds;
  const providers::credentials* creds = creds_.resolve(ep, ctx.byok, byok_creds);
  if (creds == nullptr) return skip("no-key");
  prepared pr;
  pr.idx = idx;
  pr.ep = &ep;
  pr.tgt = rt.target;
  pr.tgt.tool_state = tool_state_;
  pr.tgt.now = clock_.system_now();
  auto enc = rt.adapter->encode(req, pr.tgt);
  if (!enc) {
    if (!st.translation_error) st.translation_error = enc.error();
    return skip("incapable");
  }
  if (!rt.adapter->authorize(*enc, *creds, clock_.system_now())) return skip("no-key");
  if (!ctx.traceparent.empty()) enc->headers.emplace_back("traceparent", ctx.traceparent);
  if (!ctx.client_request_id.empty())
    enc->headers.emplace_back("X-Request-Id", ctx.client_request_id);
  if (!health_.try_acquire(idx)) return skip("circuit-open");
  pr.enc = std::move(*enc);
  return pr;
}

boost::asio::awaitable<std::optional<core::error>> executor::run_candidate(
    const core::chat_request& req, core::request_context& ctx, const prepared& pr,
    execution_result& res, stream_sink* sink, const stats_snapshot& snap) {
  const auto& ep = *pr.ep;
  const auto idx = pr.idx;
  const auto& rt = endpoints_[idx];
  std::optional<core::error> err;
  for (std::uint32_t retry = 0;; ++retry) {
    auto deadlines = rt.deadlines;
    if (ctx.deadline) {
      // Rounded up: the attempt's deadline must not fire before the request's, or a spent
      // budget would be reported as an endpoint timeout.
      auto left = std::chrono::ceil<milliseconds>(ctx.remaining(clock_.steady_now()));
      deadlines.total = std::min(deadlines.total, std::max(left, milliseconds(1)));
      deadlines.ttfb = std::min(deadlines.ttfb, deadlines.total);
    }
    attempt_state a{ep, rt, pr.tgt, pr.enc, deadlines, ctx, res, clock_.steady_now(), std::nullopt};
    // (No co_await inside ?: — GCC 12 destroys such temporaries twice.)
    if (req.stream) {
      err = co_await run_stream(req, a, *sink);
    } else {
      // Awaited here rather than in a run_unary coroutine: one frame allocation less per
      // request.
      auto t0 = clock_.steady_now();
      auto r = co_await client_.send(*rt.url, pr.enc, a.deadlines);
      res.upstream_wait += clock_.steady_now() - t0;
      err = finish_unary(req, a, r);
    }
    auto elapsed = ms_since(clock_, a.started);
    if (!err) {
      std::optional<std::int64_t> out_tokens;
      if (!req.stream && res.usage && !res.usage_estimated) out_tokens = res.usage->completion_tokens;
      stats_.record_success(idx, a.ttft.value_or(elapsed), out_tokens);
      health_.on_success(idx);
      break;
    }
    if (res.client_gone || upstream::is_cancelled(*err)) {
      health_.release_probe(idx);
      break;
    }
    if (err->kind == core::error_kind::timeout || err->kind == core::error_kind::budget_exhausted) {
      stats_.record_timeout(idx);
    } else if (endpoint_at_fault(*err)) {
      stats_.record_error(idx);
    }
    if (endpoint_at_fault(*err) && err->kind != core::error_kind::rate_limited) {
      const auto& es = snap.at(idx);
      health_.on_failure(idx, es.error_rate(), es.attempts());
    } else {
      health_.release_probe(idx);
    }
    if (err->retry_after) health_.set_cooldown(idx, *err->retry_after);
    if (res.committed || retry >= opts_.same_endpoint_retries || !same_endpoint_retryable(*err))
      break;
    // Bounded retry of the same endpoint with jittered backoff, only inside the budget.
    auto backoff = duration_cast<milliseconds>(opts_.retry_backoff * (0.5 + next_random()));
    if (ctx.deadline && ctx.remaining(clock_.steady_now()) <= backoff + snap.at(idx).p50) break;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(backoff);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) break;
    ++res.same_endpoint_retries;
  }
  co_return err;
}

boost::asio::awaitable<execution_result> executor::run(const core::chat_request& req,
                                                       core::request_context& ctx,
                                                       const plan& p, stream_sink* sink) {
  execution_result res;
  run_state st{res, stats_.snapshot()};
  // A capability the plan found missing (plan::incapable_error) answers like an encoder's
  // error when nothing runs.
  st.translation_error = p.incapable_error;
  st.hedges_left = p.fallback ? cfg_->routing.hedge.max_per_request : 0;

  for (std::size_t i = 0; i < p.attempts.size(); ++i) {
    auto pr = prepare(p.attempts[i], req, ctx, st, res.attempts);
    if (!pr) continue;
    st.any_ran = true;
    std::optional<core::error> err;
    const config::endpoint_config* ep = pr->ep;
    auto delay = st.hedges_left > 0 ? hedge_delay(p, *pr, ctx, *st.snap) : std::nullopt;
    if (delay) {
      auto r = co_await run_race(req, ctx, p, i, std::move(*pr), *delay, st, sink);
      err = std::move(r.err);
      ep = r.ep;
    } else {
      err = co_await run_candidate(req, ctx, *pr, res, sink, *st.snap);
    }
    if (!err) {
      if (!res.winner) res.winner = ep;
      co_return res;
    }
    if (res.committed || res.client_gone) {
      res.error = std::move(*err);
      co_return res;
    }
    if (err->kind == core::error_kind::budget_exhausted) {
      st.last_error = std::move(*err);
      continue;
    }
    if (!p.fallback) {
      res.error = std::move(*err);
      co_return res;
    }
    if (!err->fallback_allowed()) {
      res.error = std::move(*err);
      co_return res;
    }
    if (err->kind == core::error_kind::context_length) st.min_context = ep->context_window;
    st.last_error = std::move(*err);
  }

  auto& translation_error = st.translation_error;
  auto& last_error = st.last_error;
  if (!st.any_ran && translation_error) {
    res.error = std::move(*translation_error);
  } else if (last_error && last_error->kind == core::error_kind::budget_exhausted) {
    res.budget_exhausted = true;
    res.error = core::error(core::error_kind::budget_exhausted,
                            "The X-GammaInfra-Max-Latency-Ms budget was exhausted or no endpoint "
                            "can answer within it; attempts: " + describe(res.attempts),
                            "X-GammaInfra-Max-Latency-Ms", "latency_budget_exceeded");
  } else if (!st.any_ran) {
    bool all_incapable = !res.attempts.empty() &&
                         std::all_of(res.attempts.begin(), res.attempts.end(), [](const attempt_record& r) {
                           return r.detail == "incapable" || r.detail == "region" || r.detail == "context";
                         });
    if (all_incapable) {
      res.error = core::error(core::error_kind::no_capable_endpoint,
                              "No endpoint in the chain can serve this request: " +
                                  describe(res.attempts),
                              "", "no_capable_endpoint");
    } else {
      res.error = core::error(core::error_kind::all_attempts_failed,
                              "No endpoint in the chain is available: " + describe(res.attempts),
                              "", "no_available_endpoint");
    }
  } else if (last_error && last_error->kind == core::error_kind::context_length) {
    // Nothing larger was left to try: the caller's prompt is too long (design §3.4).
    res.error = std::move(*last_error);
  } else {
    core::error e(core::error_kind::all_attempts_failed,
                  "Every upstream attempt failed: " + describe(res.attempts), "",
                  "all_attempts_failed");
    if (last_error) e.retry_after = last_error->retry_after;
    res.error = std::move(e);
  }
  co_return res;
}

std::optional<core::error> executor::finish_unary(const core::chat_request& req, attempt_state& a,
                                                  core::result<upstream::http_response>& r) {
  auto fail = [&](core::error err) -> std::optional<core::error> {
    if (err.kind == core::error_kind::timeout && budget_spent(a.ctx, clock_)) {
      err = core::error(core::error_kind::budget_exhausted,
                        "X-GammaInfra-Max-Latency-Ms budget exhausted during " + a.ep.id);
    }
    a.res.attempts.push_back(failure_record(a.ep, err, ms_since(clock_, a.started)));
    return err;
  };
  if (!r) return fail(std::move(r).error());
  auto& resp = *r;
  if (!is_2xx(resp.status)) {
    return fail(a.rt.adapter->classify_error(resp.status, resp.headers, resp.body));
  }
  auto dec = a.rt.adapter->decode(a.tgt, resp.status, resp.headers, resp.body);
  if (!dec) return fail(std::move(dec).error());
  attempt_record ok;
  ok.endpoint_id = a.ep.id;
  ok.elapsed = ms_since(clock_, a.started);
  a.res.attempts.push_back(std::move(ok));
  if (dec->usage) {
    a.res.usage = dec->usage;
  } else {
    a.res.usage = estimate_usage(req, text_size(*dec));
    a.res.usage_estimated = true;
  }
  a.res.response = std::move(*dec);
  return std::nullopt;
}

boost::asio::awaitable<std::optional<core::error>> executor::run_stream(
    const core::chat_request& req, attempt_state& a, stream_sink& sink) {
  auto& res = a.res;
  std::size_t output_chars = 0;
  std::size_t ok_index = 0;  // position of this attempt's record once committed
  auto fail = [&](core::error err) -> std::optional<core::error> {
    if (err.kind == core::error_kind::timeout && budget_spent(a.ctx, clock_)) {
      err = core::error(core::error_kind::budget_exhausted,
                        "X-GammaInfra-Max-Latency-Ms budget exhausted during " + a.ep.id);
    }
    auto rec = failure_record(a.ep, err, ms_since(clock_, a.started));
    if (res.committed) {
      res.attempts[ok_index] = std::move(rec);
      res.usage = estimate_usage(req, output_chars);
      res.usage_estimated = true;
    } else {
      res.attempts.push_back(std::move(rec));
    }
    return err;
  };

  auto t0 = clock_.steady_now();
  auto opened = co_await client_.open(*a.rt.url, a.req, a.deadlines);
  res.upstream_wait += clock_.steady_now() - t0;
  if (!opened) co_return fail(std::move(opened).error());
  std::unique_ptr<upstream::response_stream> stream = std::move(*opened);
  const auto& head = stream->head();
  if (!is_2xx(head.status)) {
    auto body = co_await stream->read_all();
    co_return fail(a.rt.adapter->classify_error(head.status, head.headers,
                                                body ? std::string_view(*body) : std::string_view()));
  }
  // Bedrock streams are AWS event-stream binary, every other provider SSE.
  const bool event_stream =
      a.rt.adapter->capabilities().stream_framing == providers::stream_framing::aws_event_stream;
  const std::string_view want_ct = event_stream ? "application/vnd.amazon.eventstream" : "text/event-stream";
  if (auto ct = core::find_header(head.headers, "Content-Type");
      !ct || ct->find(want_ct) == std::string_view::npos) {
    stream->cancel();
    co_return fail(core::error(core::error_kind::protocol,
                               "upstream answered a stream request with Content-Type '" +
                                   std::string(ct ? *ct : "") + "'"));
  }

  // This attempt answers: its ok record closes the chain, and the client sees it from now on.
  auto mark_committed = [&] {
    attempt_record ok;
    ok.endpoint_id = a.ep.id;
    ok.elapsed = ms_since(clock_, a.started);
    a.ttft = ok.elapsed;
    ok_index = res.attempts.size();
    res.attempts.push_back(std::move(ok));
    res.committed = true;
    res.winner = &a.ep;
  };

  upstream::sse_framer framer;
  providers::bedrock::event_stream::decoder es_decoder;
  std::vector<providers::bedrock::event_stream::message> es_messages;
  auto decoder = a.rt.adapter->make_stream_decoder(a.tgt);
  std::vector<upstream::sse_event> frames;
  // Most chunks decode to one event and a network read holds many chunks: room for a few
  // dozen up front saves growing (and moving) the vector 1, 2, 4, 8, 16… times per stream.
  std::vector<core::stream_event> decoded;
  decoded.reserve(32);
  std::vector<core::stream_event> out;
  std::vector<core::stream_event> held;
  std::size_t staged_n = 0;     // held events the sink has staged
  std::uint64_t staged = 0;     // its ticket
  // An SSE line longer than the response cap can never complete: treat as garbage.
  const std::size_t frame_cap = std::max<std::size_t>(client_.options().max_response_bytes, 1 << 20);

  auto deliver = [&]() -> boost::asio::awaitable<std::optional<core::error>> {
    // Splits decoded events into forwardable ones and bookkeeping, commits when needed.
    out.clear();
    std::optional<core::error> in_band;
    for (auto& e : decoded) {
      if (auto* err = std::get_if<core::stream_error>(&e)) {
        // Deliver what came before the error in this batch first: the client must see every
        // content event the upstream produced, then the error event.
        in_band = err->err;
        break;
      }
      if (auto* u = std::get_if<core::usage_report>(&e)) {
        res.usage = u->usage;
        res.usage_estimated = false;
        continue;
      }
      if (std::holds_alternative<core::stream_end>(e)) continue;
      if (auto* t = std::get_if<core::text_delta>(&e)) output_chars += t->text.size();
      if (auto* t = std::get_if<core::reasoning_delta>(&e)) output_chars += t->text.size();
      if (auto* t = std::get_if<core::tool_call_delta>(&e)) output_chars += t->arguments.size();
      if (auto* t = std::get_if<core::tool_call_start>(&e))
        output_chars += t->name.size() + t->arguments.size();
      bool commit_now = !res.committed && core::commits(e);
      if (res.committed) {
        out.push_back(std::move(e));
      } else {
        held.push_back(std::move(e));
      }
      if (commit_now) {
        mark_committed();
        if (!co_await sink.commit(a.ep, res.attempts, res.upstream_wait, staged)) {
          res.client_gone = true;
          co_return core::error(core::error_kind::unknown, "client disconnected", "",
                                std::string(upstream::cancelled_code));
        }
        out.swap(held);
        held.clear();
      }
    }
    decoded.clear();
    if (!res.committed && held.size() > staged_n) {
      staged = sink.stage(a.ep, held);
      staged_n = held.size();
    }
    if (res.committed && !out.empty()) {
      if (!co_await sink.events(out)) {
        res.client_gone = true;
        co_return core::error(core::error_kind::unknown, "client disconnected", "",
                              std::string(upstream::cancelled_code));
      }
    }
    co_return in_band;
  };

  // One framed_event per event-stream message (providers.md §9.4).
  auto feed_messages = [&] {
    for (const auto& m : es_messages) {
      auto type = m.string_header(":message-type").value_or("");
      auto name = type == "exception" ? m.string_header(":exception-type").value_or("")
                  : type == "error"   ? m.string_header(":error-code").value_or("")
                                      : m.string_header(":event-type").value_or("");
      decoder->feed({name, m.payload, type}, decoded);
    }
    es_messages.clear();
  };

  for (;;) {
    auto t1 = clock_.steady_now();
    auto chunk = co_await stream->read();
    res.upstream_wait += clock_.steady_now() - t1;
    if (!chunk) co_return fail(std::move(chunk).error());
    bool eof = chunk->empty();
    // Corrupt event-stream framing cannot be resynchronised: the messages before it are
    // delivered, then the attempt fails as a protocol error (fallback if uncommitted).
    std::optional<core::error> framing_err;
    if (event_stream) {
      if (!eof) {
        auto es_err = es_decoder.feed(*chunk, es_messages);
        if (es_err != providers::bedrock::event_stream::decode_error::none) {
          framing_err = core::error(core::error_kind::protocol,
                                    "upstream event-stream: " +
                                        std::string(providers::bedrock::event_stream::to_string(es_err)));
        }
      } else if (es_decoder.has_partial()) {
        co_return fail(core::error(core::error_kind::truncated, "upstream stream ended inside an event-stream message"));
      }
      feed_messages();
    } else {
      if (!eof) {
        framer.feed(*chunk, frames);
        if (framer.buffered() > frame_cap) {
          stream->cancel();
          co_return fail(core::error(core::error_kind::protocol, "upstream SSE event exceeds the size cap"));
        }
      } else if (!framer.finish(frames)) {
        co_return fail(core::error(core::error_kind::truncated, "upstream stream ended inside an event"));
      }
      for (const auto& f : frames) decoder->feed({f.event, f.data, {}}, decoded);
      frames.clear();
    }
    std::optional<core::error> trunc;
    if (eof) trunc = decoder->finish(decoded);
    std::optional<core::error> err = co_await deliver();
    if (err) {
      if (res.client_gone) {
        stream->cancel();
        attempt_record r;
        r.endpoint_id = a.ep.id;
        r.outcome = attempt_outcome::cancelled;
        r.elapsed = ms_since(clock_, a.started);
        res.attempts[ok_index] = std::move(r);
        co_return err;
      }
      stream->cancel();
      co_return fail(std::move(*err));
    }
    if (framing_err) {
      stream->cancel();
      co_return fail(std::move(*framing_err));
    }
    if (trunc) co_return fail(std::move(*trunc));
    if (eof) break;
  }

  // A clean end. An answer with no content at all (empty text) commits here.
  if (!res.committed) {
    mark_committed();
    bool alive = co_await sink.commit(a.ep, res.attempts, res.upstream_wait, staged);
    if (alive && !held.empty()) alive = co_await sink.events(held);
    if (!alive) {
      res.client_gone = true;
      co_return core::error(core::error_kind::unknown, "client disconnected", "",
                            std::string(upstream::cancelled_code));
    }
  } else {
    res.attempts[ok_index].elapsed = ms_since(clock_, a.started);
  }
  if (!res.usage) {
    res.usage = estimate_usage(req, output_chars);
    res.usage_estimated = true;
  }
  co_return std::nullopt;
}

}  // namespace gi::route
