// Hedged requests (design §4.5 "Hedging", issue 8 item 5). When the leader has not committed
// after the hedge delay (its live p90, clamped to routing.hedge.{min,max}_delay, or the
// X-GammaInfra-Hedge delay), the next runnable candidate of the plan starts too. The first
// to commit (a stream's first content event, or a complete non-stream answer) wins; the
// other is cancelled through its cancellation slot, which makes the upstream client close
// its socket and free its in-flight slot (upstream/client.h). A hedge is launched only when
// the remaining latency budget still covers the hedge candidate's p50.
//
// Both attempts run as coroutines on the request's executor (one io_context per I/O thread,
// so they interleave but never run in parallel): the race state needs no locking. The
// request coroutine waits for both to finish before returning, so every reference the
// attempts hold (request, context, sink) outlives them.

#include <array>
#include <memory>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "billing/cost.h"
#include "route/executor.h"

namespace gi::route {

using namespace std::chrono;

namespace {

core::error cancelled_error(std::string_view why) {
  return core::error(core::error_kind::unknown, std::string(why), "",
                     std::string(upstream::cancelled_code));
}

struct racer {
  std::size_t idx = 0;
  const config::endpoint_config* ep = nullptr;
  execution_result local;
  std::optional<core::error> err;
  bool launched = false;
  bool done = false;
  bool cancelled_by_race = false;
  steady_clock::time_point started{};
  boost::asio::cancellation_signal sig;
};

// Shared by the two attempts and the waiting request coroutine.
struct race {
  std::array<std::unique_ptr<racer>, 2> r;  // 0 = leader, 1 = hedge
  int winner = -1;
  std::vector<attempt_record> between;  // skipped candidates passed over to find the hedge
  const std::vector<attempt_record>* before = nullptr;  // the request's earlier attempts
  const core::clock* clock = nullptr;
  std::optional<boost::asio::steady_timer> wake;

  // The winner is decided: cancel the other attempt if it is still running.
  void claim(int me) {
    winner = me;
    auto& other = r[1 - me];
    if (other && other->launched && !other->done) {
      other->cancelled_by_race = true;
      other->sig.emit(boost::asio::cancellation_type::terminal);
    }
  }

  // The chain in start order: earlier attempts, leader, passed-over skips, hedge. A loser
  // still in flight appears as `cancelled` with its time so far.
  std::vector<attempt_record> chain(int me, const std::vector<attempt_record>& mine) const {
    std::vector<attempt_record> out = *before;
    auto add = [&](int k) {
      if (!r[k] || !r[k]->launched) return;
      const auto& recs = k == me ? mine : r[k]->local.attempts;
      out.insert(out.end(), recs.begin(), recs.end());
      bool ends_cancelled = !recs.empty() && recs.back().outcome == attempt_outcome::cancelled;
      if (k != me && r[k]->cancelled_by_race && !ends_cancelled) {
        attempt_record c;
        c.endpoint_id = r[k]->ep->id;
        c.outcome = attempt_outcome::cancelled;
        c.elapsed = duration_cast<milliseconds>(clock->steady_now() - r[k]->started);
        out.push_back(std::move(c));
      }
    };
    add(0);
    out.insert(out.end(), between.begin(), between.end());
    add(1);
    return out;
  }
};

// One racer's view of the client stream: the first commit wins the race, the real sink sees
// only the winner, with the whole chain so far (the loser marked cancelled).
class race_sink final : public stream_sink {
 public:
  race_sink(race& rc, int me, stream_sink& real, execution_result& main,
            nanoseconds main_wait_before)
      : rc_(rc), me_(me), real_(real), main_(main), wait_before_(main_wait_before) {}

  boost::asio::awaitable<bool> commit(const config::endpoint_config& ep,
                                      const std::vector<attempt_record>& attempts,
                                      nanoseconds own_wait, std::uint64_t staged) override {
    if (rc_.winner >= 0 && rc_.winner != me_) co_return false;  // lost: treated as cancelled
    rc_.claim(me_);
    const auto& self = *rc_.r[me_];
    // Upstream wait so far: the race's start until this attempt's start was spent waiting on
    // the leader, then this attempt's own waits (X-GammaInfra-Overhead-Ms).
    main_.upstream_wait = wait_before_ + (self.started - rc_.r[0]->started) + own_wait;
    auto chain = rc_.chain(me_, attempts);
    co_return co_await real_.commit(ep, chain, main_.upstream_wait, staged);
  }

  std::uint64_t stage(const config::endpoint_config& ep,
                      std::span<const core::stream_event> held) override {
    if (rc_.winner >= 0 && rc_.winner != me_) return 0;
    return real_.stage(ep, held);
  }

  boost::asio::awaitable<bool> events(std::span<const core::stream_event> evs) override {
    co_return co_await real_.events(evs);
  }

 private:
  race& rc_;
  int me_;
  stream_sink& real_;
  execution_result& main_;
  nanoseconds wait_before_;
};

}  // namespace

std::optional<milliseconds> executor::hedge_delay(const plan& p, const prepared& leader,
                                                  const core::request_context& ctx,
                                                  const stats_snapshot& snap) const {
  const auto& hc = cfg_->routing.hedge;
  hedge_request h;
  h.mode = hc.default_mode;
  h.delay = hc.default_delay;
  if (p.hedge) h = *p.hedge;
  milliseconds d{0};
  switch (h.mode) {
    case config::hedge_config::mode::off: return std::nullopt;
    case config::hedge_config::mode::delay: d = h.delay; break;
    case config::hedge_config::mode::on:
      d = std::clamp(snap.at(leader.idx).p90, hc.min_delay, hc.max_delay);
      break;
  }
  d = std::max(d, milliseconds(1));
  // A hedge that could only start after the budget is spent is no hedge.
  if (ctx.deadline && ctx.remaining(clock_.steady_now()) <= d) return std::nullopt;
  // Nothing left to hedge with.
  bool more = false;
  for (const auto& pa : p.attempts)
    if (pa.endpoint != leader.ep && pa.skip_reason.empty()) more = true;
  if (!more) return std::nullopt;
  return d;
}

boost::asio::awaitable<executor::race_result> executor::run_race(
    const core::chat_request& req, core::request_context& ctx, const plan& p, std::size_t& i,
    prepared leader, milliseconds delay, run_state& st, stream_sink* sink) {
  auto ex = co_await boost::asio::this_coro::executor;
  auto& main = st.res;
  race rc;
  rc.before = &main.attempts;
  rc.clock = &clock_;
  rc.wake.emplace(ex);
  const nanoseconds wait_before = main.upstream_wait;
  std::array<std::optional<prepared>, 2> preps;
  std::array<std::unique_ptr<race_sink>, 2> sinks;
  auto snap = st.snap;

  auto launch = [&](int k, prepared pr) {
    rc.r[k] = std::make_unique<racer>();
    auto& x = *rc.r[k];
    x.idx = pr.idx;
    x.ep = pr.ep;
    x.launched = true;
    x.started = clock_.steady_now();
    preps[k] = std::move(pr);
    if (sink) sinks[k] = std::make_unique<race_sink>(rc, k, *sink, main, wait_before);
    boost::asio::co_spawn(
        ex,
        [this, &req, &ctx, &rc, &preps, &sinks, snap, k]() -> boost::asio::awaitable<void> {
          auto& me = *rc.r[k];
          try {
            me.err = co_await run_candidate(req, ctx, *preps[k], me.local, sinks[k].get(), *snap);
          } catch (const std::exception&) {
            // Cancelled at a co_await of our own (this_coro::throw_if_cancelled).
            me.err = cancelled_error("cancelled: lost the hedge race");
            health_.release_probe(me.idx);
          }
          if (rc.winner < 0) {
            // A complete non-stream answer is the commit point; so is a failure that must
            // reach the caller unchanged (their 4xx, a refusal): the race is decided.
            if (!me.err || (!upstream::is_cancelled(*me.err) && !me.err->fallback_allowed()))
              rc.claim(k);
          } else if (rc.winner != k && !me.err) {
            me.err = cancelled_error("cancelled: lost the hedge race");  // (not reachable)
          }
          me.done = true;
          rc.wake->cancel();
        },
        boost::asio::bind_cancellation_slot(rc.r[k]->sig.slot(), boost::asio::detached));
  };

  launch(0, std::move(leader));
  const auto hedge_at = rc.r[0]->started + delay;
  bool hedge_considered = false;

  for (;;) {
    bool leader_live = !rc.r[0]->done;
    bool hedge_live = rc.r[1] && !rc.r[1]->done;
    if (!leader_live && !hedge_live) break;
    if (!hedge_considered && leader_live && rc.winner < 0 && !main.client_gone &&
        clock_.steady_now() >= hedge_at) {
      hedge_considered = true;
      // The next runnable candidate, unless the remaining budget cannot cover its p50.
      for (std::size_t j = i + 1; j < p.attempts.size(); ++j) {
        std::vector<attempt_record> skips;
        auto pr = prepare(p.attempts[j], req, ctx, st, skips);
        if (!pr) {
          rc.between.insert(rc.between.end(), skips.begin(), skips.end());
          continue;
        }
        if (ctx.deadline && ctx.remaining(clock_.steady_now()) <= snap->at(pr->idx).p50) {
          health_.release_probe(pr->idx);  // not launched after all
          rc.between.clear();
          break;
        }
        i = j;
        --st.hedges_left;
        main.hedged = true;
        if (sink) sink->hedge_launched();
        launch(1, std::move(*pr));
        break;
      }
      if (!rc.r[1]) rc.between.clear();  // nothing launched: those candidates stay in the plan
      continue;
    }
    if (!hedge_considered && rc.winner < 0 && leader_live) {
      auto wait = hedge_at - clock_.steady_now();
      rc.wake->expires_after(std::max(wait, steady_clock::duration::zero()));
    } else {
      rc.wake->expires_at(steady_clock::time_point::max());
    }
    boost::system::error_code ec;
    co_await rc.wake->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }

  // Merge in start order (the chain of race::chain, now final).
  race_result out;
  int w = rc.winner;
  const auto& none = std::vector<attempt_record>{};
  auto merged = rc.chain(-1, none);
  main.attempts = std::move(merged);
  main.hedged = rc.r[1] != nullptr;
  for (const auto& x : rc.r)
    if (x) main.same_endpoint_retries += x->local.same_endpoint_retries;
  const racer* result_of = nullptr;
  if (w >= 0) {
    result_of = rc.r[w].get();
  } else {
    result_of = rc.r[1] ? rc.r[1].get() : rc.r[0].get();  // the last to fail
  }
  auto& wl = rc.r[w >= 0 ? w : (rc.r[1] ? 1 : 0)]->local;
  main.upstream_wait = wait_before + (result_of->started - rc.r[0]->started) + wl.upstream_wait;
  if (w >= 0) {
    main.hedge_won = w == 1;
    main.winner = wl.winner ? wl.winner : (result_of->err ? nullptr : result_of->ep);
    main.response = std::move(wl.response);
    main.usage = wl.usage;
    main.usage_estimated = wl.usage_estimated;
    main.committed = wl.committed;
    main.client_gone = wl.client_gone;
    const auto& loser = rc.r[1 - w];
    if (loser && loser->cancelled_by_race) {
      // What the loser would have cost: its prompt (nothing of its output was used).
      main.hedge_waste = billing::cost_of(estimate_usage(req, 0), loser->ep->prices).total();
    }
  }
  out.err = result_of->err;
  out.ep = result_of->ep;
  co_return out;
}

}  // namespace gi::route
