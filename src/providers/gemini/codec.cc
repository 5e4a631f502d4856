#include "providers/gemini/codec.h"

namespace gi::providers::gemini {

const providers::capabilities& codec::capabilities() const noexcept {
  static const providers::capabilities caps = [] {
    providers::capabilities c;
    c.streaming = true;
    c.tools = true;
    c.parallel_tools = true;
    c.json_schema = json_schema_support::native;  // responseJsonSchema (§4.2)
    c.vision = true;
    c.documents = true;             // PDFs as inlineData
    c.reasoning = true;             // thought parts with includeThoughts
    c.reasoning_signatures = true;  // thoughtSignature (§11.4)
    c.stream_usage = true;          // usageMetadata on stream events
    c.max_stop_sequences = 5;
    c.tool_ids = tool_id_rule::not_sent;
    return c;
  }();
  return caps;
}

core::result<core::upstream_request> codec::encode(const core::chat_request& req,
                                                   const target& tgt) const {
  return encode_request(req, tgt);
}

core::status<> codec::authorize(core::upstream_request& req, const credentials& creds,
                                std::chrono::system_clock::time_point /*now*/) const {
  // `auth: none` endpoints (mocks, proxies that add the key) have no key: nothing to add.
  if (!creds.api_key.empty()) req.headers.emplace_back("x-goog-api-key", creds.api_key);
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

}  // namespace gi::providers::gemini
