#pragma once
// The record of every attempt a request made, in start order, and its rendering as the
// X-GammaInfra-Fallback-Chain header (design §3.3):
//   endpoint;outcome[;ms=N][;byok]  joined by ", "
// outcome: ok | error=<status> | error=<kind> | timeout | ttft-timeout | stall | budget |
//          cancelled | skipped=<reason>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace gi::route {

enum class attempt_outcome : std::uint8_t {
  ok,
  error,         // with upstream status, or a kind when there was no status
  timeout,       // total / connect deadline
  ttft_timeout,  // no first byte / first event in time
  stall,         // stream went quiet
  budget,        // the request's latency budget ran out during the attempt
  cancelled,     // lost a hedge race or the client went away
  skipped,       // never started: reason in `detail`
};

struct attempt_record {
  std::string endpoint_id;
  attempt_outcome outcome = attempt_outcome::ok;
  int status = 0;      // upstream HTTP status for `error` (0 = none)
  std::string detail;  // error kind word (connect, tls, reset, protocol, truncated) or skip reason
  std::optional<std::chrono::milliseconds> elapsed;
  bool byok = false;
};

// "error=<kind>" words of design §3.3 for errors without an HTTP status.
std::string_view chain_error_word(core::error_kind kind) noexcept;

// Classifies a failed attempt's error into a record (status when the upstream gave one).
attempt_record record_failure(std::string endpoint_id, const core::error& err,
                              std::chrono::milliseconds elapsed);

std::string format_chain(const std::vector<attempt_record>& attempts);

}  // namespace gi::route
