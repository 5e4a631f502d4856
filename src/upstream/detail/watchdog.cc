#include "upstream/detail/watchdog.h"

namespace gi::upstream::detail {

watchdog::watchdog(boost::asio::any_io_executor ex, time_point total_deadline)
    : total_(total_deadline), st_(std::make_shared<state>(std::move(ex))) {}

watchdog::~watchdog() {
  disarm();
  // A pending wait would keep the io_context busy until it fires.
  if (st_->waiting) st_->timer.cancel();
}

void watchdog::arm(std::string_view phase, std::chrono::milliseconds d,
                   boost::asio::ip::tcp::socket& sock) {
  const auto now = std::chrono::steady_clock::now();
  auto at = now + d;
  if (total_ <= at) {
    at = total_;
    phase = "total-timeout";
  }
  auto& st = *st_;
  st.sock = &sock;
  st.phase = phase;
  st.expired = {};
  st.deadline = at;
  if (!st.waiting || at < st.scheduled) start_wait(st_, at);
}

void watchdog::disarm() noexcept {
  st_->sock = nullptr;
  st_->deadline = time_point::max();
}

void watchdog::start_wait(const std::shared_ptr<state>& st, time_point at) {
  st->scheduled = at;
  st->waiting = true;
  const std::uint64_t gen = ++st->wait_gen;
  st->timer.expires_at(at);  // cancels a pending wait (its handler sees a stale gen)
  st->timer.async_wait(
      [st, gen](boost::system::error_code ec) { on_timer(st, gen, ec); });
}

void watchdog::on_timer(const std::shared_ptr<state>& st, std::uint64_t gen,
                        boost::system::error_code ec) {
  if (gen != st->wait_gen) return;  // superseded by a later start_wait
  st->waiting = false;
  if (ec || st->sock == nullptr) return;  // cancelled, or disarmed: stop until the next arm
  if (std::chrono::steady_clock::now() < st->deadline) {
    start_wait(st, st->deadline);  // the deadline moved later since this wait started
    return;
  }
  st->expired = st->phase;
  boost::system::error_code ignored;
  st->sock->cancel(ignored);
}

}  // namespace gi::upstream::detail
