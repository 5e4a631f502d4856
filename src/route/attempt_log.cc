#include "route/attempt_log.h"

#include "upstream/client.h"

namespace gi::route {

std::string_view chain_error_word(core::error_kind kind) noexcept {
  // The words of design §3.3 happen to equal the kind names for connect, tls, truncated and
  // protocol; every other kind is printed by name.
  return to_string(kind);
}

attempt_record record_failure(std::string endpoint_id, const core::error& err,
                              std::chrono::milliseconds elapsed) {
  attempt_record r;
  r.endpoint_id = std::move(endpoint_id);
  r.elapsed = elapsed;
  if (err.kind == core::error_kind::timeout) {
    // The upstream client says which phase expired; a missing first byte is ttft-timeout,
    // a quiet stream is a stall.
    // (upstream/client.h: the message starts with the phase name).
    std::string_view m = err.message;
    if (m.starts_with("ttfb-timeout") || m.starts_with("ttft-timeout")) {
      r.outcome = attempt_outcome::ttft_timeout;
    } else if (m.starts_with("stall-timeout")) {
      r.outcome = attempt_outcome::stall;
    } else {
      r.outcome = attempt_outcome::timeout;
    }
    return r;
  }
  if (upstream::is_cancelled(err)) {  // lost a hedge race (or the client went away)
    r.outcome = attempt_outcome::cancelled;
    return r;
  }
  if (err.kind == core::error_kind::budget_exhausted) {
    r.outcome = attempt_outcome::budget;
    return r;
  }
  r.outcome = attempt_outcome::error;
  r.status = err.upstream_status;
  if (r.status == 0) {
    r.detail = err.kind == core::error_kind::truncated &&
                       err.message.find("reset") != std::string::npos
                   ? "reset"
                   : std::string(chain_error_word(err.kind));
  }
  return r;
}

std::string format_chain(const std::vector<attempt_record>& attempts) {
  std::string out;
  for (const auto& a : attempts) {
    if (!out.empty()) out += ", ";
    out += a.endpoint_id;
    out += ';';
    switch (a.outcome) {
      case attempt_outcome::ok: out += "ok"; break;
      case attempt_outcome::error:
        out += "error=";
        out += a.status != 0 ? std::to_string(a.status) : a.detail;
        break;
      case attempt_outcome::timeout: out += "timeout"; break;
      case attempt_outcome::ttft_timeout: out += "ttft-timeout"; break;
      case attempt_outcome::stall: out += "stall"; break;
      case attempt_outcome::budget: out += "budget"; break;
      case attempt_outcome::cancelled: out += "cancelled"; break;
      case attempt_outcome::skipped:
        out += "skipped=";
        out += a.detail;
        break;
    }
    if (a.elapsed) out += ";ms=" + std::to_string(a.elapsed->count());
    if (a.byok) out += ";byok";
  }
  return out;
}

}  // namespace gi::route
