#include "mock/fault.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace gi::mock {
namespace {

constexpr std::string_view fault_prefix = "mock-fault-";

struct named_kind {
  std::string_view name;
  fault_kind kind;
  int status;
};

// Names accepted after `fault=` (and after `mock-fault-`). Numbers are handled separately.
constexpr std::array<named_kind, 21> names{{
    {"rate_limit", fault_kind::rate_limit, 429},
    {"insufficient_quota", fault_kind::insufficient_quota, 429},
    {"quota", fault_kind::insufficient_quota, 429},
    {"context_length", fault_kind::context_length, 400},
    {"context_length_exceeded", fault_kind::context_length, 400},
    {"overloaded", fault_kind::overloaded, 503},
    {"server_error", fault_kind::server_error, 500},
    {"reset", fault_kind::reset, 0},
    {"close", fault_kind::close_mid_stream, 200},
    {"close_mid_stream", fault_kind::close_mid_stream, 200},
    {"stream_error", fault_kind::stream_error, 200},
    {"hang", fault_kind::hang, 0},
    {"invalid_json", fault_kind::invalid_json, 200},
    {"wrong_content_type", fault_kind::wrong_content_type, 200},
    {"html", fault_kind::wrong_content_type, 200},
    {"truncated", fault_kind::truncated, 200},
    {"truncate", fault_kind::truncated, 200},
    {"endless", fault_kind::endless, 200},
    {"oversized", fault_kind::oversized, 200},
    {"none", fault_kind::none, 0},
    {"ok", fault_kind::none, 0},
}};

core::error bad(std::string_view what, std::string_view item) {
  return core::invalid_request("mock: " + std::string(what) + ": '" + std::string(item) + "'",
                               "model", "mock_fault_grammar");
}

template <class T>
bool parse_uint(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

core::status<> set_kind(fault_spec& f, std::string_view v) {
  int status = 0;
  if (parse_uint(v, status)) {
    if (status < 100 || status > 599) return bad("status out of range", v);
    f.status = status;
    switch (status) {
      case 429: f.kind = fault_kind::rate_limit; break;
      case 500: f.kind = fault_kind::server_error; break;
      case 503: f.kind = fault_kind::overloaded; break;
      default: f.kind = fault_kind::http_status; break;
    }
    return core::ok;
  }
  for (const auto& n : names) {
    if (n.name == v) {
      f.kind = n.kind;
      f.status = n.status;
      return core::ok;
    }
  }
  return bad("unknown fault", v);
}

core::status<> apply_item(fault_spec& f, std::string_view item) {
  const auto eq = item.find('=');
  const std::string_view key = item.substr(0, eq);
  const std::string_view val = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
  if (key == "fault") return set_kind(f, val);
  if (eq == std::string_view::npos) return set_kind(f, key);  // bare `@429`, `@reset`
  auto u32 = [&](std::uint32_t& dst) -> core::status<> {
    if (!parse_uint(val, dst)) return bad("expected a non-negative integer", item);
    return core::ok;
  };
  if (key == "latency_ms") return u32(f.latency_ms);
  if (key == "ttft_ms") return u32(f.ttft_ms);
  if (key == "chunk_ms") return u32(f.chunk_ms);
  if (key == "after") return u32(f.after);
  if (key == "hang_ms") return u32(f.hang_ms);
  if (key == "cap_ms") return u32(f.cap_ms);
  if (key == "split") return u32(f.split);
  if (key == "jitter_ms") return u32(f.jitter_ms);
  if (key == "tail_ms") return u32(f.tail_ms);
  if (key == "tail_pct" || key == "fault_pct") {
    std::uint32_t& dst = key == "tail_pct" ? f.tail_pct : f.fault_pct;
    if (!parse_uint(val, dst) || dst > 100) return bad("expected a percentage 0..100", item);
    return core::ok;
  }
  if (key == "chunks") {
    std::uint32_t n = 0;
    if (!parse_uint(val, n) || n == 0) return bad("chunks must be a positive integer", item);
    f.chunks = n;
    return core::ok;
  }
  if (key == "retry_after") {
    if (val == "none") {
      f.retry_after_off = true;
      f.retry_after_s.reset();
      return core::ok;
    }
    std::uint32_t n = 0;
    if (!parse_uint(val, n)) return bad("retry_after must be seconds or none", item);
    f.retry_after_s = n;
    f.retry_after_off = false;
    return core::ok;
  }
  if (key == "size") {
    if (!parse_uint(val, f.size)) return bad("expected a byte count", item);
    return core::ok;
  }
  return bad("unknown fault key", item);
}

core::status<> apply_spec(fault_spec& f, std::string_view spec) {
  while (!spec.empty()) {
    const auto sep = spec.find_first_of(",;");
    std::string_view item = spec.substr(0, sep);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      if (auto st = apply_item(f, item); !st) return std::move(st).error();
    }
    if (sep == std::string_view::npos) break;
    spec.remove_prefix(sep + 1);
  }
  return core::ok;
}

}  // namespace

std::string_view to_string(fault_kind k) noexcept {
  switch (k) {
    case fault_kind::none: return "none";
    case fault_kind::http_status: return "http_status";
    case fault_kind::rate_limit: return "rate_limit";
    case fault_kind::insufficient_quota: return "insufficient_quota";
    case fault_kind::context_length: return "context_length";
    case fault_kind::overloaded: return "overloaded";
    case fault_kind::server_error: return "server_error";
    case fault_kind::reset: return "reset";
    case fault_kind::close_mid_stream: return "close_mid_stream";
    case fault_kind::stream_error: return "stream_error";
    case fault_kind::hang: return "hang";
    case fault_kind::invalid_json: return "invalid_json";
    case fault_kind::wrong_content_type: return "wrong_content_type";
    case fault_kind::truncated: return "truncated";
    case fault_kind::endless: return "endless";
    case fault_kind::oversized: return "oversized";
  }
  return "unknown";
}

core::result<fault_spec> parse_model_fault(std::string_view model) {
  fault_spec f;
  if (model.starts_with(fault_prefix)) {
    // `mock-fault-<kind>[@spec]`: the kind is everything up to an optional '@'.
    const auto at = model.find('@');
    const std::string_view kind = model.substr(fault_prefix.size(), at == std::string_view::npos
                                                                         ? std::string_view::npos
                                                                         : at - fault_prefix.size());
    if (auto st = set_kind(f, kind); !st) return std::move(st).error();
    f.base_model = std::string(model.substr(0, at));
    if (at != std::string_view::npos) {
      if (auto st = apply_spec(f, model.substr(at + 1)); !st) return std::move(st).error();
    }
    return f;
  }
  const auto at = model.find('@');
  f.base_model = std::string(model.substr(0, at));
  if (at != std::string_view::npos) {
    if (auto st = apply_spec(f, model.substr(at + 1)); !st) return std::move(st).error();
  }
  return f;
}

core::result<fault_spec> apply_fault_header(fault_spec base, std::string_view header) {
  if (auto st = apply_spec(base, header); !st) return std::move(st).error();
  return base;
}

fault_spec realize(fault_spec f, std::string_view seed) {
  if (f.jitter_ms == 0 && f.tail_pct == 0 && f.fault_pct >= 100) return f;
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the body, then splitmix64 per draw
  for (unsigned char c : seed) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  auto draw = [&h](std::uint64_t salt) {
    std::uint64_t z = h + salt * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  if (f.jitter_ms > 0) f.latency_ms += static_cast<std::uint32_t>(draw(1) % f.jitter_ms);
  if (f.tail_pct > 0 && draw(2) % 100 < f.tail_pct) f.latency_ms += f.tail_ms;
  if (f.fault_pct < 100 && draw(3) % 100 >= f.fault_pct) {
    f.kind = fault_kind::none;
    f.status = 0;
  }
  return f;
}

void apply_timing(response_plan& p, const fault_spec& f) {
  p.latency_ms = f.latency_ms;
  p.ttft_ms = f.ttft_ms;
  p.chunk_ms = f.chunk_ms;
  p.split = f.split;
  p.hang_ms = f.hang_ms;
  p.cap_ms = f.cap_ms;
}

void render_wrong_content_type(response_plan& p) {
  p.header("Content-Type", "text/html; charset=utf-8");
  p.body = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n";
  p.latency_ms += p.ttft_ms;
}

namespace {

void make_endless(response_plan& p) {
  p.ending = plan_ending::endless;
  if (p.chunk_ms == 0) p.chunk_ms = 10;
}

}  // namespace

void render_body_fault(response_plan& p, const fault_spec& f, const body_fault_parts& parts) {
  if (f.kind == fault_kind::endless) {
    // A JSON body that never ends: an opening fragment, then whitespace forever.
    p.streaming = true;
    p.events.push_back(parts.endless_prefix);
    p.repeat_event.assign(1, ' ');
    make_endless(p);
    return;
  }
  if (f.kind == fault_kind::invalid_json) {
    p.body = parts.unterminated;
    return;
  }
  if (f.kind == fault_kind::stream_error) {
    p.body = parts.error_body();
    return;
  }
  p.body = parts.full_body();
  if (f.kind == fault_kind::truncated || f.kind == fault_kind::close_mid_stream) {
    const std::size_t keep = p.body.size() / 2;
    p.missing_bytes = p.body.size() - keep;
    p.body.resize(keep);
    p.ending = plan_ending::truncate;
  }
}

void render_stream_fault(response_plan& p, const fault_spec& f, const stream_fault_parts& parts) {
  const std::size_t after = std::min<std::size_t>(f.after, p.events.empty() ? 0 : p.events.size() - 1);
  switch (f.kind) {
    case fault_kind::close_mid_stream:
      p.events.resize(after);
      p.ending = plan_ending::close;
      break;
    case fault_kind::truncated: {
      std::string half = p.events.empty() ? std::string() : p.events[after].substr(0, p.events[after].size() / 2);
      p.events.resize(after);
      p.events.push_back(std::move(half));
      p.ending = plan_ending::close;
      break;
    }
    case fault_kind::stream_error:
      p.events.resize(after);
      p.events.push_back(parts.error_event());
      if (parts.close_after_error) p.ending = plan_ending::close;
      break;
    case fault_kind::invalid_json:
      parts.invalid_json(p.events);
      break;
    case fault_kind::endless:
      parts.endless(p);
      make_endless(p);
      break;
    case fault_kind::none:
    case fault_kind::http_status:
    case fault_kind::rate_limit:
    case fault_kind::insufficient_quota:
    case fault_kind::context_length:
    case fault_kind::overloaded:
    case fault_kind::server_error:
    case fault_kind::reset:
    case fault_kind::hang:
    case fault_kind::wrong_content_type:
    case fault_kind::oversized: break;
  }
}

}  // namespace gi::mock
