#include "telemetry/access_log.h"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/json_out.h"

namespace gi::telemetry {

namespace {
void field(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":\"";
  core::json_out::append_escaped(out, value);
  out += '"';
}
}  // namespace

std::string format_access_line(const access_record& r, std::string_view ts) {
  std::string out;
  out.reserve(256 + r.path.size());
  out += "{\"ts\":\"";
  core::json_out::append_escaped(out, ts);
  out += '"';
  field(out, "request_id", r.request_id);
  field(out, "method", r.method);
  field(out, "path", r.path);
  out += fmt::format(",\"status\":{},\"bytes_in\":{},\"bytes_out\":{},\"duration_ms\":{:.3f}",
                     r.status, r.bytes_in, r.bytes_out, r.duration_ms);
  if (!r.key_id.empty()) field(out, "key_id", r.key_id);
  if (!r.traceparent.empty()) field(out, "traceparent", r.traceparent);
  if (!r.client_request_id.empty()) field(out, "x_request_id", r.client_request_id);
  if (!r.remote.empty()) field(out, "remote", r.remote);
  out += '}';
  return out;
}

access_log::access_log(bool enabled, std::shared_ptr<spdlog::sinks::sink> sink)
    : enabled_(enabled) {
  if (!enabled_) return;
  if (!sink) sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  // An own pool (not spdlog's global one) so several servers in one process (tests) and
  // the application logger do not share state.
  pool_ = std::make_shared<spdlog::details::thread_pool>(8192, 1);
  logger_ = std::make_shared<spdlog::async_logger>("access", std::move(sink), pool_,
                                                   spdlog::async_overflow_policy::overrun_oldest);
  logger_->set_pattern("%v");
  logger_->set_level(spdlog::level::info);
}

access_log::~access_log() {
  if (logger_) logger_->flush();
}

void access_log::log(const access_record& r) {
  if (!enabled_) return;
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now());
  auto ts = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
  logger_->info(format_access_line(r, ts));
}

void access_log::flush() {
  if (logger_) logger_->flush();
}

}  // namespace gi::telemetry
