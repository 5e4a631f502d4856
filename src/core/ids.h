#pragma once
// Request ids: "gi-" + 26 Crockford base32 characters (48-bit millisecond time, 80 random
// bits; ULID layout, so ids sort by creation time). Generation is injected: production uses
// a per-thread random engine seeded from the OS, tests a fixed seed or a fixed sequence.

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "core/clock.h"

namespace gi::core {

class id_source {
 public:
  virtual ~id_source() = default;
  virtual std::string next_request_id() = 0;
};

// ULID-style ids from a clock and a seeded engine. One instance per thread (not
// thread-safe); `make_thread_local_ids` hands each I/O thread its own.
class ulid_source final : public id_source {
 public:
  ulid_source(const clock& clk, std::uint64_t seed) : clock_(clk), rng_(seed) {}
  std::string next_request_id() override;

 private:
  const clock& clock_;
  std::mt19937_64 rng_;
};

// Deterministic ids for tests: gi-test-000001, gi-test-000002, ...
class sequential_ids final : public id_source {
 public:
  explicit sequential_ids(std::string prefix = "gi-test-") : prefix_(std::move(prefix)) {}
  std::string next_request_id() override;

 private:
  std::string prefix_;
  std::uint64_t n_ = 0;
};

// Encodes 128 bits (time ms in the top 48) as 26 Crockford base32 characters.
std::string ulid_encode(std::uint64_t time_ms, std::uint64_t rand_hi16, std::uint64_t rand_lo64);

// True for "gi-" followed by 1..64 characters of [A-Za-z0-9_-].
bool is_valid_request_id(std::string_view id);

}  // namespace gi::core
