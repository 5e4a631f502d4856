#pragma once
// One JSON line per HTTP request (design §4.3 step 8). Formatting happens on the calling
// thread (a few hundred bytes with fmt); the write is handed to spdlog's asynchronous
// logger with its own single worker thread and a bounded queue that drops the oldest line
// rather than blocking an I/O thread when the sink is slow.
//
// Thread safety: log() may be called from any thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
namespace sinks {
class sink;
}
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace gi::telemetry {

struct access_record {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;
  int status = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  double duration_ms = 0;
  std::string_view key_id;
  std::string_view traceparent;
  std::string_view client_request_id;
  std::string_view remote;  // peer address
};

class access_log {
 public:
  // `sink` = where lines go (default: stdout). `enabled` = config logging.access_log.
  explicit access_log(bool enabled, std::shared_ptr<spdlog::sinks::sink> sink = nullptr);
  ~access_log();
  access_log(const access_log&) = delete;
  access_log& operator=(const access_log&) = delete;

  bool enabled() const noexcept { return enabled_; }
  void log(const access_record& r);
  // Blocks until queued lines are written (shutdown, tests).
  void flush();

 private:
  bool enabled_;
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::logger> logger_;
};

// The JSON line for `r` (no trailing newline). `ts` is the formatted UTC time.
std::string format_access_line(const access_record& r, std::string_view ts);

}  // namespace gi::telemetry
