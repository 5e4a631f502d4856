#pragma once
// The mock's own Bedrock wire pieces (providers.md §9.3, §9.4), written independently of
// src/providers so the mock can prove the gateway's signer and decoder right: SigV4
// verification and the AWS event-stream encoder. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gi::mock::bedrock_wire {

struct verify_input {
  std::string_view method;
  std::string_view target;  // path + query as received
  const std::vector<std::pair<std::string_view, std::string_view>>* headers = nullptr;
  std::string_view body;
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::int64_t now_unix = 0;  // 0 = no clock-skew check
};

struct verify_failure {
  std::string error_type;  // x-amzn-ErrorType (InvalidSignatureException, …)
  std::string message;
};

// nullopt = the Authorization header carries a valid SigV4 signature over the request (any
// region, service "bedrock").
std::optional<verify_failure> verify_sigv4(const verify_input& in);

// One event-stream message with string headers (Bedrock uses only type 7).
std::string encode_message(const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view payload);
std::string event_frame(std::string_view event_type, std::string_view json_payload);
std::string exception_frame(std::string_view exception_type, std::string_view json_payload);

}  // namespace gi::mock::bedrock_wire
