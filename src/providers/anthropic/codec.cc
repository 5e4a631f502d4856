#include "providers/anthropic/codec.h"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/openai_compat/wire.h"

namespace gi::providers::anthropic {

namespace json = boost::json;
namespace wire = openai_compat::wire;

const providers::capabilities& codec::capabilities() const noexcept {
  static const providers::capabilities caps = [] {
    providers::capabilities c;
    c.streaming = true;
    c.tools = true;
    c.parallel_tools = true;
    // Native on 4.5+ (output_config.format), forced tool elsewhere (§3.7): per model, so the
    // adapter-wide value is the weaker one.
    c.json_schema = json_schema_support::emulated;
    c.vision = true;
    c.documents = true;  // PDF file parts -> document blocks
    c.reasoning = true;
    c.reasoning_signatures = true;
    c.stream_usage = true;
    c.max_stop_sequences = 8191;  // no documented small limit (§3.2)
    c.tool_ids = tool_id_rule::word_1_64;
    return c;
  }();
  return caps;
}

core::status<> codec::authorize(core::upstream_request& req, const credentials& creds,
                                std::chrono::system_clock::time_point /*now*/) const {
  // §3.1: x-api-key. An endpoint with `auth: none` (mocks, proxies) has no key.
  if (!creds.api_key.empty()) req.headers.emplace_back("x-api-key", creds.api_key);
  return core::ok;
}

core::result<core::chat_response> codec::decode(const target& tgt, int status,
                                                const core::header_list& headers,
                                                std::string_view body) const {
  if (status < 200 || status > 299) return classify(status, headers, body);
  return decode_response(tgt, body);
}

std::unique_ptr<stream_decoder> codec::make_stream_decoder(const target& tgt) const {
  return new_stream_decoder(tgt);
}

core::error codec::classify_error(int status, const core::header_list& headers,
                                  std::string_view body) const {
  return classify(status, headers, body);
}

core::finish_reason finish_reason(std::string_view s) noexcept {
  if (s == "max_tokens" || s == "model_context_window_exceeded") return core::finish_reason::length;
  if (s == "tool_use") return core::finish_reason::tool_calls;
  if (s == "refusal") return core::finish_reason::content_filter;
  // end_turn, stop_sequence, pause_turn (server-tool pause) and unknown values.
  return core::finish_reason::stop;
}

core::usage usage_from(const json::object& u) {
  core::usage out;
  const std::int64_t input = wire::integer(u, "input_tokens").value_or(0);
  const std::int64_t read = wire::integer(u, "cache_read_input_tokens").value_or(0);
  const std::int64_t write = wire::integer(u, "cache_creation_input_tokens").value_or(0);
  // §3.5 / §10.3: input_tokens excludes cache reads and writes; OpenAI's prompt_tokens
  // includes them.
  out.prompt_tokens = input + read + write;
  out.cached_tokens = read;
  out.cache_write_tokens = write;
  // §3.5: the write split by TTL; 1-hour writes cost more than 5-minute ones (pricing.md).
  if (const json::object* cc = wire::obj(u, "cache_creation"))
    out.cache_write_1h_tokens =
        std::min(write, wire::integer(*cc, "ephemeral_1h_input_tokens").value_or(0));
  out.completion_tokens = wire::integer(u, "output_tokens").value_or(0);
  if (const json::object* d = wire::obj(u, "output_tokens_details"))
    out.reasoning_tokens = wire::integer(*d, "thinking_tokens").value_or(0);
  return out;
}

std::string encode_thinking_state(const json::array& blocks) { return json::serialize(blocks); }

std::optional<json::array> decode_thinking_state(std::string_view data) {
  boost::system::error_code ec;
  json::value v = json::parse(data, ec);
  if (ec || !v.is_array()) return std::nullopt;
  return std::move(v.get_array());
}

}  // namespace gi::providers::anthropic
