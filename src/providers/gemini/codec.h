#pragma once
// The Google Gemini generateContent codec (providers.md §4, §10, §11.2, §11.4, §12.2): a pure
// adapter. One immutable instance (adapter_instance.cc), thread-safe.
//
// Paths are relative to the endpoint base URL, which holds the API version
// (`https://generativelanguage.googleapis.com/v1beta`, §4.1): the codec produces
// `/models/{model}:generateContent` and `/models/{model}:streamGenerateContent?alt=sse`,
// which upstream::target_url::request_target appends to the base path.

#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "providers/adapter.h"

namespace gi::providers::gemini {

class codec final : public adapter {
 public:
  core::provider_kind kind() const noexcept override { return core::provider_kind::gemini; }
  const providers::capabilities& capabilities() const noexcept override;

  core::result<core::upstream_request> encode(const core::chat_request& req,
                                              const target& tgt) const override;
  // `x-goog-api-key` (§4.1; never the `?key=` query form, it leaks into logs).
  core::status<> authorize(core::upstream_request& req, const credentials& creds,
                           std::chrono::system_clock::time_point now) const override;
  core::result<core::chat_response> decode(const target& tgt, int status,
                                           const core::header_list& headers,
                                           std::string_view body) const override;
  std::unique_ptr<stream_decoder> make_stream_decoder(const target& tgt) const override;
  core::error classify_error(int status, const core::header_list& headers,
                             std::string_view body) const override;
};

// Pieces used by the codec members (one file each).
core::result<core::upstream_request> encode_request(const core::chat_request& req,
                                                    const target& tgt);
core::result<core::chat_response> decode_response(const target& tgt, std::string_view body);
std::unique_ptr<stream_decoder> new_stream_decoder(const target& tgt);
core::error classify(int status, const core::header_list& headers, std::string_view body);
// A google.rpc.Status object found in a 2xx body or a stream event (`{"error":{…}}`).
core::error classify_inline(const boost::json::value& error_value);

// Models that only take the OpenAPI-subset `Schema` (`parameters` / `responseSchema`) rather
// than plain JSON Schema (`parametersJsonSchema` / `responseJsonSchema`): Gemini 1.x and 2.0.
bool legacy_schema_model(std::string_view model) noexcept;

// The sentinel sent in place of a lost thought signature (§4.3, §11.4; [unsure] in §14).
inline constexpr std::string_view skip_signature_sentinel = "skip_thought_signature_validator";

}  // namespace gi::providers::gemini
