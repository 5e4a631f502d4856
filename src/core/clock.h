#pragma once
// Injected time sources. Production code asks a clock; tests pass a manual one.

#include <chrono>
#include <cstdint>

namespace gi::core {

class clock {
 public:
  virtual ~clock() = default;
  // Monotonic time for deadlines and latency.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
  // Wall time for `created` fields, ledger dates and logs.
  virtual std::chrono::system_clock::time_point system_now() const = 0;
};

// The real clocks. Thread-safe (stateless).
class system_clock_source final : public clock {
 public:
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
  std::chrono::system_clock::time_point system_now() const override {
    return std::chrono::system_clock::now();
  }
  static const system_clock_source& instance() {
    static const system_clock_source c;
    return c;
  }
};

// A clock tests move by hand. Not thread-safe.
class manual_clock final : public clock {
 public:
  std::chrono::steady_clock::time_point steady_now() const override { return steady_; }
  std::chrono::system_clock::time_point system_now() const override { return system_; }
  void advance(std::chrono::nanoseconds d) {
    steady_ += d;
    system_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }
  void set_system(std::chrono::system_clock::time_point t) { system_ = t; }

 private:
  std::chrono::steady_clock::time_point steady_{std::chrono::seconds(1000)};
  std::chrono::system_clock::time_point system_{std::chrono::seconds(1'764'000'000)};
};

inline std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace gi::core
