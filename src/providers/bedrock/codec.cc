// Bedrock codec members, auth and the small shared mappings (providers.md §9.1, §10.2,
// §10.3, §11.2).

#include "providers/bedrock/codec.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <openssl/sha.h>

#include <boost/json/object.hpp>

#include "providers/bedrock/sigv4.h"

namespace gi::providers::bedrock {

namespace json = boost::json;

const providers::capabilities& codec::capabilities() const noexcept {
  static const providers::capabilities caps = [] {
    providers::capabilities c;
    c.streaming = true;
    c.tools = true;
    c.parallel_tools = true;
    c.json_schema = json_schema_support::native;  // outputConfig.textFormat (§9.2)
    c.vision = true;
    c.documents = true;
    c.reasoning = true;
    c.reasoning_signatures = true;
    c.stream_usage = true;  // the metadata event
    c.max_stop_sequences = 4;
    c.tool_ids = tool_id_rule::word_1_64;
    c.stream_framing = stream_framing::aws_event_stream;
    return c;
  }();
  return caps;
}

core::result<core::upstream_request> codec::encode(const core::chat_request& req,
                                                   const target& tgt) const {
  return encode_request(req, tgt);
}

core::status<> codec::authorize(core::upstream_request& req, const credentials& creds,
                                std::chrono::system_clock::time_point now) const {
  // Option B (§9.1): a Bedrock API key is a plain bearer token, no signing.
  if (!creds.api_key.empty()) {
    req.headers.emplace_back("authorization", "Bearer " + creds.api_key);
    return core::ok;
  }
  // `auth: none` endpoints (self-hosted proxies) carry nothing.
  if (creds.access_key_id.empty() && creds.secret_access_key.empty()) return core::ok;
  std::string region = creds.region;
  if (region.empty()) {
    // bedrock-runtime[-fips].<region>.amazonaws.com
    auto host = core::find_header(req.headers, "host").value_or("");
    if (auto dot = host.find('.'); dot != std::string_view::npos) {
      auto rest = host.substr(dot + 1);
      region = std::string(rest.substr(0, rest.find('.')));
    }
    if (region.empty() || !host.starts_with("bedrock-runtime")) region = "us-east-1";
  }
  return sigv4::sign_request(req, {creds.access_key_id, creds.secret_access_key, creds.session_token},
                             region, "bedrock", now);
}

core::result<core::chat_response> codec::decode(const target& tgt, int status,
                                                const core::header_list& headers,
                                                std::string_view body) const {
  if (status < 200 || status > 299) return classify(status, headers, body);
  return decode_response(tgt, headers, body);
}

std::unique_ptr<stream_decoder> codec::make_stream_decoder(const target& tgt) const {
  return new_stream_decoder(tgt);
}

core::error codec::classify_error(int status, const core::header_list& headers,
                                  std::string_view body) const {
  return classify(status, headers, body);
}

std::string default_host(std::string_view region) {
  // Built by appends: GCC 12 warns falsely (-Wrestrict) on literal + string chains.
  std::string h = "bedrock-runtime.";
  h.append(region.empty() ? std::string_view("us-east-1") : region);
  h.append(".amazonaws.com");
  return h;
}

std::string model_path(std::string_view model, bool stream) {
  std::string p = "/model/";
  p.append(sigv4::uri_encode(model, false));
  p.append(stream ? "/converse-stream" : "/converse");
  return p;
}

std::string to_upstream_id(std::string_view id) {
  const bool ok = !id.empty() && id.size() <= 64 &&
                  std::all_of(id.begin(), id.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
                  });
  if (ok) return std::string(id);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), d.data());
  // base62 of the digest read as a big-endian integer (repeated division).
  static constexpr char digits[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  std::array<unsigned char, SHA256_DIGEST_LENGTH> n = d;
  bool zero = false;
  while (!zero && out.size() < 64) {
    unsigned rem = 0;
    zero = true;
    for (auto& byte : n) {
      unsigned cur = rem * 256 + byte;
      byte = static_cast<unsigned char>(cur / 62);
      rem = cur % 62;
      if (byte != 0) zero = false;
    }
    out.push_back(digits[rem]);
  }
  std::reverse(out.begin(), out.end());
  std::string id_out = "t";
  id_out.append(out, 0, 40);
  return id_out;
}

core::finish_reason map_stop_reason(std::string_view s) {
  if (s == "max_tokens" || s == "model_context_window_exceeded") return core::finish_reason::length;
  if (s == "tool_use") return core::finish_reason::tool_calls;
  if (s == "guardrail_intervened" || s == "content_filtered") return core::finish_reason::content_filter;
  return core::finish_reason::stop;  // end_turn, stop_sequence, malformed_*, unknown
}

core::usage map_usage(const json::object& u) {
  auto num = [&](std::string_view k) -> std::int64_t {
    const json::value* v = u.if_contains(k);
    if (v == nullptr) return 0;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
    return 0;
  };
  core::usage out;
  out.cached_tokens = num("cacheReadInputTokens");
  out.cache_write_tokens = num("cacheWriteInputTokens");
  out.prompt_tokens = num("inputTokens") + out.cached_tokens + out.cache_write_tokens;
  out.completion_tokens = num("outputTokens");
  return out;
}

}  // namespace gi::providers::bedrock
