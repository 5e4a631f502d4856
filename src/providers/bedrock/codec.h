#pragma once
// Amazon Bedrock Runtime Converse / ConverseStream codec (providers.md §9, §10, §11, §12.3).
// Immutable and thread-safe; one instance (adapter_instance.cc).
//
// Auth: a Bedrock API key (credentials.api_key, sent as a bearer token) when configured,
// else SigV4 (service "bedrock", region = credentials.region, or parsed from the AWS host).
// Streams are AWS event-stream binary (capabilities.stream_framing); the executor decodes
// the framing with event_stream::decoder and feeds one framed_event per message.

#include "providers/adapter.h"

namespace gi::providers::bedrock {

class codec final : public adapter {
 public:
  core::provider_kind kind() const noexcept override { return core::provider_kind::bedrock; }
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
core::result<core::chat_response> decode_response(const target& tgt,
                                                  const core::header_list& headers,
                                                  std::string_view body);
std::unique_ptr<stream_decoder> new_stream_decoder(const target& tgt);
core::error classify(int status, const core::header_list& headers, std::string_view body);
// An exception by name (HTTP x-amzn-ErrorType or a stream :exception-type, either case of
// the first letter) with its message; status 0 when it came inside a stream.
core::error classify_exception(std::string_view name, std::string_view message, int status);

// "bedrock-runtime.<region>.amazonaws.com" (us-east-1 when empty, §9.1).
std::string default_host(std::string_view region);
// The URL path for a model id: the id percent-encoded as one segment (':' -> %3A,
// '/' -> %2F, §9.1).
std::string model_path(std::string_view model, bool stream);
// Tool-call id -> Bedrock toolUseId (§11.2): ^[a-zA-Z0-9_-]{1,64}$ unchanged, else
// "t" + base62(SHA-256(id)) cut to 40 characters.
std::string to_upstream_id(std::string_view id);
// stopReason -> finish_reason (§10.2).
core::finish_reason map_stop_reason(std::string_view stop);
// Converse usage -> OpenAI semantics (§10.3): prompt = input + cacheRead + cacheWrite.
core::usage map_usage(const boost::json::object& usage);

}  // namespace gi::providers::bedrock
