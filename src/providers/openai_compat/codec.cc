#include "providers/openai_compat/codec.h"

namespace gi::providers::openai_compat {

core::result<core::upstream_request> codec::encode(const core::chat_request& req,
                                                   const target& tgt) const {
  return encode_request(dialect_, req, tgt);
}

core::status<> codec::authorize(core::upstream_request& req, const credentials& creds,
                                std::chrono::system_clock::time_point /*now*/) const {
  // An endpoint configured with `auth: none` (self-hosted, mocks) has no key: nothing to add.
  if (!creds.api_key.empty())
    req.headers.emplace_back("authorization", "Bearer " + creds.api_key);
  if (dialect_.kind == core::provider_kind::openai) {
    // §2.1: optional organisation / project scoping.
    if (!creds.organization.empty())
      req.headers.emplace_back("openai-organization", creds.organization);
    if (!creds.project.empty()) req.headers.emplace_back("openai-project", creds.project);
  }
  return core::ok;
}

core::result<core::chat_response> codec::decode(const target& tgt, int status,
                                                const core::header_list& headers,
                                                std::string_view body) const {
  if (status < 200 || status > 299) return classify(dialect_, status, headers, body);
  return decode_response(dialect_, tgt, body);
}

std::unique_ptr<stream_decoder> codec::make_stream_decoder(const target& tgt) const {
  return new_stream_decoder(dialect_, tgt);
}

core::error codec::classify_error(int status, const core::header_list& headers,
                                  std::string_view body) const {
  return classify(dialect_, status, headers, body);
}

}  // namespace gi::providers::openai_compat
