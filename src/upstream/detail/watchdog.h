#pragma once
// Per-exchange phase deadline (style.md §4 rule 7). One steady_timer on the awaiting
// coroutine's executor; expiry cancels the socket's pending operations, which then complete
// with operation_aborted. The coroutine asks expired() to tell a deadline from a caller's
// cancellation. Both the timer handler and the coroutine run on the same executor (strand),
// so no locking is needed.
//
// Arming is lazy: arm() only records the deadline; the timer is (re)started only when the
// new deadline is earlier than the one the timer already waits for, and when the timer fires
// early (the deadline moved later since) it simply waits again for the current deadline.
// disarm() just clears the deadline. A request arms a deadline per phase and a stream one
// per body read, so re-starting the timer each time cost a timer cancel (a posted handler)
// and often a timerfd_settime syscall per read; now an exchange starts its timer about
// once (bench/README.md, "Profiling findings").
//
// Thread safety: owned by one exchange; used from its executor only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace gi::upstream::detail {

class watchdog {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  watchdog(boost::asio::any_io_executor ex, time_point total_deadline);
  ~watchdog();
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

  // Arms the deadline min(now + d, total deadline) for `phase` ("ttfb-timeout", ...). When
  // the total deadline is the nearer one, expiry reports "total-timeout".
  void arm(std::string_view phase, std::chrono::milliseconds d,
           boost::asio::ip::tcp::socket& sock);
  void disarm() noexcept;
  // The phase whose deadline passed since the last arm(), or empty.
  std::string_view expired() const noexcept { return st_->expired; }
  time_point total_deadline() const noexcept { return total_; }

 private:
  struct state {
    explicit state(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
    boost::asio::steady_timer timer;
    boost::asio::ip::tcp::socket* sock = nullptr;  // null = disarmed
    time_point deadline = time_point::max();
    time_point scheduled = time_point::max();  // what the pending wait waits for
    bool waiting = false;
    std::uint64_t wait_gen = 0;  // tells a superseded (cancelled) wait from the current one
    std::string_view phase;
    std::string_view expired;
  };
  static void start_wait(const std::shared_ptr<state>& st, time_point at);
  static void on_timer(const std::shared_ptr<state>& st, std::uint64_t gen,
                       boost::system::error_code ec);

  time_point total_;
  std::shared_ptr<state> st_;
};

}  // namespace gi::upstream::detail
