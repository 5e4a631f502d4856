#pragma once
// Per-exchange phase deadline (style.md §4 rule 7). One steady_timer on the awaiting
// coroutine's executor; arming it for a phase (re)starts the timer, and expiry cancels the
// socket's pending operations, which then complete with operation_aborted. The coroutine
// asks expired() to tell a deadline from a caller's cancellation. Both the timer handler and
// the coroutine run on the same executor (strand), so no locking is needed.
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
    boost::asio::ip::tcp::socket* sock = nullptr;
    std::uint64_t gen = 0;
    std::string_view phase;
    std::string_view expired;
  };
  boost::asio::steady_timer timer_;
  time_point total_;
  std::shared_ptr<state> st_;
};

}  // namespace gi::upstream::detail
