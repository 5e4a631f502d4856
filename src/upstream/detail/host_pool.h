#pragma once
// Per-origin state: the in-flight cap (a counting semaphore whose waiters have a deadline
// and honour caller cancellation) and the bounded stack of idle keep-alive connections.
// Leases are RAII (style.md §4 rule 8): a slot_lease releases its slot in its destructor,
// handing it directly to the oldest waiter.
//
// Thread safety: thread-safe (one mutex); waiters may sit on any executor.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include "core/result.h"
#include "upstream/client.h"
#include "upstream/detail/connection.h"

namespace gi::upstream::detail {

class host_pool;

class slot_lease {
 public:
  slot_lease() = default;
  explicit slot_lease(std::shared_ptr<host_pool> p) : pool_(std::move(p)) {}
  slot_lease(slot_lease&&) noexcept = default;
  slot_lease& operator=(slot_lease&& o) noexcept;
  ~slot_lease() { release(); }
  void release() noexcept;
  bool held() const noexcept { return pool_ != nullptr; }

 private:
  std::shared_ptr<host_pool> pool_;
};

class host_pool : public std::enable_shared_from_this<host_pool> {
 public:
  // Idle connections younger than this are reused without the liveness probe (host_pool.cc).
  static constexpr std::chrono::milliseconds probe_after_idle{1000};

  host_pool(std::size_t max_idle, std::size_t max_inflight, std::chrono::milliseconds idle_timeout)
      : max_idle_(max_idle), max_inflight_(max_inflight), idle_timeout_(idle_timeout) {}

  // Waits up to `wait` (and never past `deadline`) for an in-flight slot. Errors: overloaded
  // ("inflight-cap"), timeout ("total-timeout") or cancelled.
  boost::asio::awaitable<core::result<slot_lease>> acquire(
      std::chrono::milliseconds wait, std::chrono::steady_clock::time_point deadline,
      const std::string& origin);

  // The most recently used live idle connection, or nullptr.
  std::unique_ptr<connection> take_idle();
  // Returns a connection after a complete response. Dropped when the pool is full.
  void put_idle(std::unique_ptr<connection> c);
  void note_opened();
  void clear_idle();
  pool_stats stats() const;

 private:
  friend class slot_lease;
  using channel = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  struct waiter {
    explicit waiter(const boost::asio::any_io_executor& ex) : ch(ex, 1) {}
    channel ch;
    bool granted = false;  // guarded by mu_
  };
  void release_slot() noexcept;

  const std::size_t max_idle_;
  const std::size_t max_inflight_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mu_;
  std::size_t inflight_ = 0;
  std::size_t opened_ = 0;
  std::deque<std::shared_ptr<waiter>> waiters_;
  std::deque<std::unique_ptr<connection>> idle_;  // back = most recently used
};

}  // namespace gi::upstream::detail
