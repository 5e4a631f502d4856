#include "upstream/detail/host_pool.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gi::upstream::detail {

namespace asio = boost::asio;
using boost::system::error_code;

slot_lease& slot_lease::operator=(slot_lease&& o) noexcept {
  if (this != &o) {
    release();
    pool_ = std::move(o.pool_);
  }
  return *this;
}

void slot_lease::release() noexcept {
  if (pool_) {
    pool_->release_slot();
    pool_.reset();
  }
}

void host_pool::release_slot() noexcept {
  std::shared_ptr<waiter> next;
  {
    std::lock_guard lock(mu_);
    if (waiters_.empty()) {
      --inflight_;
      return;
    }
    // The slot passes straight to the oldest waiter: inflight_ stays the same.
    next = std::move(waiters_.front());
    waiters_.pop_front();
    next->granted = true;
  }
  // Outside the lock: the channel posts the waiter's completion.
  next->ch.try_send(error_code());
}

asio::awaitable<core::result<slot_lease>> host_pool::acquire(
    std::chrono::milliseconds wait, std::chrono::steady_clock::time_point deadline,
    const std::string& origin) {
  auto ex = co_await asio::this_coro::executor;
  std::shared_ptr<waiter> w;
  {
    std::lock_guard lock(mu_);
    if (inflight_ < max_inflight_) {
      ++inflight_;
      co_return slot_lease(shared_from_this());
    }
    w = std::make_shared<waiter>(ex);
    waiters_.push_back(w);
  }
  auto at = std::chrono::steady_clock::now() + wait;
  const bool total_first = deadline < at;
  if (total_first) at = deadline;
  asio::steady_timer timer(ex, at);
  timer.async_wait([w](error_code ec) {
    if (!ec) w->ch.try_send(error_code(asio::error::timed_out));
  });
  auto [ec] = co_await w->ch.async_receive(asio::as_tuple(asio::use_awaitable));
  timer.cancel();
  const bool cancelled = ec == asio::error::operation_aborted ||
                         ec == asio::experimental::error::channel_cancelled;
  {
    std::unique_lock lock(mu_);
    if (w->granted) {
      lock.unlock();
      slot_lease lease(shared_from_this());
      // A slot granted while the caller gave up is passed on by the lease's destructor.
      if (cancelled) co_return cancelled_error();
      co_return std::move(lease);
    }
    waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), w), waiters_.end());
  }
  if (cancelled) co_return cancelled_error();
  if (total_first) co_return core::error(core::error_kind::timeout, "total-timeout waiting for an in-flight slot to " + origin);
  co_return core::error(core::error_kind::overloaded,
                        "inflight-cap: too many concurrent requests to " + origin);
}

std::unique_ptr<connection> host_pool::take_idle() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<connection>> dead;  // closed outside the lock
  std::unique_ptr<connection> found;
  {
    std::lock_guard lock(mu_);
    while (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      // The liveness probe is a syscall (a failed recv), so it is spent only on connections
      // that idled long enough for a server's keep-alive timeout to matter (seconds). One
      // reused within a second that the server closed anyway fails before any response
      // byte and is retried once on a fresh connection (client.cc, the stale rule).
      const auto idle_for = now - c->idle_since;
      if (idle_for <= idle_timeout_ && (idle_for < probe_after_idle || c->idle_alive())) {
        found = std::move(c);
        break;
      }
      dead.push_back(std::move(c));
    }
  }
  return found;
}

void host_pool::put_idle(std::unique_ptr<connection> c) {
  c->idle_since = std::chrono::steady_clock::now();
  std::unique_ptr<connection> evicted;
  std::lock_guard lock(mu_);
  if (max_idle_ == 0) return;
  if (idle_.size() >= max_idle_) {
    // Keep the most recently used ones; the oldest is closed.
    evicted = std::move(idle_.front());
    idle_.pop_front();
  }
  idle_.push_back(std::move(c));
}

void host_pool::note_opened() {
  std::lock_guard lock(mu_);
  ++opened_;
}

void host_pool::clear_idle() {
  std::deque<std::unique_ptr<connection>> drop;
  std::lock_guard lock(mu_);
  drop.swap(idle_);
}

pool_stats host_pool::stats() const {
  std::lock_guard lock(mu_);
  pool_stats s;
  s.connections_opened = opened_;
  s.idle = idle_.size();
  s.inflight = inflight_;
  s.waiting = waiters_.size();
  return s;
}

}  // namespace gi::upstream::detail
