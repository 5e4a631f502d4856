#pragma once
// The Anthropic Messages API codec (providers.md §3, §10, §11, §12.1). Pure: no I/O, no
// clock, no logging. One immutable instance (adapter_instance.cc), thread-safe.
//
// Files: request_encoder.cc (OpenAI -> /v1/messages), response_decoder.cc (message ->
// chat_response), stream_decoder.cc (named-event SSE -> stream events), error_classifier.cc,
// model_traits.cc (per-model defaults and capability switches), tool_id.cc (§11.2 ids),
// thinking_state.cc (§11.4 side-store format).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "providers/adapter.h"

namespace gi::providers::anthropic {

// §3.1: the gateway pins the version that still accepts temperature / top_p.
inline constexpr std::string_view default_api_version = "2023-06-01";
inline constexpr std::string_view messages_path = "/v1/messages";

// §3.7 forced-tool structured output. `json_output` carries an object schema as-is;
// `json_output_value` wraps a non-object schema in {"value": …} and the decoder unwraps it.
// Both names are reserved: a client tool with either name is rejected by the encoder, so a
// tool_use with these names in a response is always our structured output.
inline constexpr std::string_view json_tool = "json_output";
inline constexpr std::string_view json_tool_wrapped = "json_output_value";

// What the codec knows about a model id (model_traits.cc). Unknown models get conservative
// values (4096 max_tokens, forced-tool JSON, no sampling exclusivity).
struct model_traits {
  int major = 0;  // claude-sonnet-4-6 -> 4.6, claude-3-5-haiku-20241022 -> 3.5
  int minor = 0;
  std::int64_t default_max_tokens = 4096;
  bool native_json_schema = false;     // output_config.format (GA on 4.5 and later, §3.7)
  bool sampling_exclusive = false;     // temperature and top_p not both (Opus 4.1+, §3.2)
  bool thinking = false;               // extended thinking (3.7 and later)
};
model_traits traits_for(std::string_view model) noexcept;
// The model id without a trailing -YYYYMMDD snapshot date: signatures from one snapshot are
// re-attached for another of the same family (§11.4).
std::string model_family(std::string_view model);

// §11.2: ids matching ^[a-zA-Z0-9_-]{1,64}$ pass unchanged; others become
// "t" + base62(SHA-256(id))[0..40].
std::string upstream_tool_id(std::string_view id);

// §11.4 side-store payload: the thinking / redacted_thinking blocks of one assistant turn,
// serialised as a JSON array, exactly as they must be echoed.
std::string encode_thinking_state(const boost::json::array& blocks);
std::optional<boost::json::array> decode_thinking_state(std::string_view data);

class codec final : public adapter {
 public:
  core::provider_kind kind() const noexcept override { return core::provider_kind::anthropic; }
  const providers::capabilities& capabilities() const noexcept override;

  core::result<core::upstream_request> encode(const core::chat_request& req,
                                              const target& tgt) const override;
  core::status<> authorize(core::upstream_request& req, const credentials& creds,
                           std::chrono::system_clock::time_point now) const override;
  core::result<core::chat_response> decode(const target& tgt, int status,
                                           const core::header_list& headers,
                                           std::string_view body) const override;
  std::unique_ptr<stream_decoder> make_stream_decoder(const target& tgt) const override;
  core::error classify_error(int status, const core::header_list& headers,
                             std::string_view body) const override;
};

// Pieces (one file each).
core::result<core::upstream_request> encode_request(const core::chat_request& req,
                                                    const target& tgt);
core::result<core::chat_response> decode_response(const target& tgt, std::string_view body);
std::unique_ptr<stream_decoder> new_stream_decoder(const target& tgt);
core::error classify(int status, const core::header_list& headers, std::string_view body);
// An `error` object inside a stream (`event: error`, §3.6) or a 2xx body: classified by its
// type since there is no status.
core::error classify_inline(const boost::json::value& error_value);
// §10.2.
core::finish_reason finish_reason(std::string_view stop_reason) noexcept;
// §10.3: an Anthropic usage object -> canonical usage. Missing or null fields count 0.
core::usage usage_from(const boost::json::object& u);

}  // namespace gi::providers::anthropic
