#include "upstream/detail/watchdog.h"

namespace gi::upstream::detail {

watchdog::watchdog(boost::asio::any_io_executor ex, time_point total_deadline)
    : timer_(std::move(ex)), total_(total_deadline), st_(std::make_shared<state>()) {}

watchdog::~watchdog() { disarm(); }

void watchdog::arm(std::string_view phase, std::chrono::milliseconds d,
                   boost::asio::ip::tcp::socket& sock) {
  const auto now = std::chrono::steady_clock::now();
  auto at = now + d;
  if (total_ <= at) {
    at = total_;
    phase = "total-timeout";
  }
  st_->sock = &sock;
  st_->phase = phase;
  st_->expired = {};
  const std::uint64_t gen = ++st_->gen;
  timer_.expires_at(at);
  timer_.async_wait([st = st_, gen](boost::system::error_code ec) {
    if (ec || st->gen != gen || st->sock == nullptr) return;
    st->expired = st->phase;
    boost::system::error_code ignored;
    st->sock->cancel(ignored);
  });
}

void watchdog::disarm() noexcept {
  ++st_->gen;
  st_->sock = nullptr;
  timer_.cancel();
}

}  // namespace gi::upstream::detail
