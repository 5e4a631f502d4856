#include "mock/openai_errors.h"

#include <boost/json.hpp>

namespace gi::mock {
namespace {

namespace json = boost::json;

int status_of(const error_detail& e, dialect d) {
  switch (e.what) {
    case error_case::missing_key:
    case error_case::invalid_key: return 401;
    case error_case::bad_json: return 400;
    case error_case::invalid_request:
      // Mistral and DeepSeek answer schema problems with 422 (§5.3, §7.3).
      return d == dialect::mistral || d == dialect::deepseek ? 422 : 400;
    case error_case::unsupported_param:
    case error_case::mistral_tool_id:
    case error_case::context_length: return 400;
    case error_case::rate_limit: return 429;
    case error_case::insufficient_quota: return d == dialect::deepseek ? 402 : 429;
    case error_case::overloaded: return 503;
    case error_case::server_error: return 500;
    case error_case::generic_status: return e.status;
  }
  return 500;
}

std::string_view openai_type_for(int status) {
  switch (status) {
    case 400: case 404: case 413: case 422: return "invalid_request_error";
    case 401: return "invalid_request_error";
    case 403: return "permission_error";
    case 408: return "timeout";
    case 409: return "conflict";
    default: return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

json::value null_or(std::string_view s) {
  if (s.empty()) return nullptr;
  return json::string(s);
}

// {"error":{"message","type","param","code"}} — OpenAI and DeepSeek; Groq omits `param`.
json::object openai_shape(std::string_view message, std::string_view type, std::string_view param,
                          std::string_view code, bool with_param) {
  json::object err;
  err["message"] = message;
  err["type"] = type;
  if (with_param) err["param"] = null_or(param);
  err["code"] = null_or(code);
  return json::object{{"error", std::move(err)}};
}

json::value openai_body(dialect d, const error_detail& e, int status, std::string_view model) {
  const bool groq = d == dialect::groq;
  const bool deepseek = d == dialect::deepseek;
  const bool with_param = !groq;
  switch (e.what) {
    case error_case::missing_key:
      if (groq || deepseek) break;  // same as invalid_key below
      return openai_shape(
          "You didn't provide an API key. You need to provide your API key in an Authorization "
          "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          "invalid_request_error", "", "", with_param);
    case error_case::invalid_key:
      break;
    case error_case::bad_json:
      return openai_shape(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
          "using your HTTP library correctly.)",
          "invalid_request_error", "", "", with_param);
    case error_case::invalid_request:
      return openai_shape(e.message, "invalid_request_error", e.param,
                          deepseek ? "invalid_request_error" : "invalid_value", with_param);
    case error_case::unsupported_param:
    case error_case::mistral_tool_id:
      return openai_shape(e.message, "invalid_request_error", e.param, "unsupported_parameter",
                          with_param);
    case error_case::context_length:
      if (deepseek) {
        // DeepSeek has no dedicated code: only the message says what happened.
        return openai_shape(
            "This model's maximum context length is 131072 tokens. However, you requested 140000 "
            "tokens (139000 in the messages, 1000 in the completion). Please reduce the length of "
            "the messages or completion.",
            "invalid_request_error", "", "invalid_request_error", true);
      }
      return openai_shape(
          "This model's maximum context length is 128000 tokens. However, your messages resulted "
          "in 140000 tokens. Please reduce the length of the messages.",
          "invalid_request_error", "messages", "context_length_exceeded", with_param);
    case error_case::rate_limit:
      if (deepseek) return openai_shape("Rate Limit Reached", "rate_limit_error", "", "rate_limit_exceeded", true);
      return openai_shape(
          "Rate limit reached for " + std::string(model) +
              " in organization org-mock on requests per min (RPM): Limit 3, Used 3, Requested 1. "
              "Please try again in 1s.",
          "requests", "", "rate_limit_exceeded", with_param);
    case error_case::insufficient_quota:
      if (deepseek) return openai_shape("Insufficient Balance", "unknown_error", "", "invalid_request_error", true);
      return openai_shape(
          "You exceeded your current quota, please check your plan and billing details.",
          "insufficient_quota", "", "insufficient_quota", with_param);
    case error_case::overloaded:
      if (groq) return openai_shape("Service Unavailable", "internal_server_error", "", "service_unavailable", false);
      return openai_shape("The server is overloaded or not ready yet.", "server_error", "", "", with_param);
    case error_case::server_error:
      if (groq) return openai_shape("Internal Server Error", "internal_server_error", "", "", false);
      return openai_shape(
          "The server had an error while processing your request. Sorry about that!",
          "server_error", "", "", with_param);
    case error_case::generic_status:
      if (groq && status == 498) {
        return openai_shape("Capacity exceeded for the flex tier, please try again later.",
                            "invalid_request_error", "", "capacity_exceeded", false);
      }
      return openai_shape("Mock error with status " + std::to_string(status),
                          openai_type_for(status), "", "", with_param);
  }
  // 401 for Groq/DeepSeek (missing or invalid) and invalid_key for OpenAI.
  if (groq) return openai_shape("Invalid API Key", "invalid_request_error", "", "invalid_api_key", false);
  if (deepseek) {
    return openai_shape("Authentication Fails, Your api key: ****mock is invalid",
                        "authentication_error", "", "invalid_request_error", true);
  }
  return openai_shape(
      "Incorrect API key provided: sk-mock***. You can find your API key at "
      "https://platform.openai.com/account/api-keys.",
      "invalid_request_error", "", "invalid_api_key", true);
}

// Mistral: {"object":"error","message","type","param","code"}; 401 is a bare
// {"message":"Unauthorized","request_id"}; 422 validation is FastAPI-style (§5.2–§5.3).
// The numeric codes are illustrative: providers.md §14 notes the exact strings are unsure.
json::value mistral_body(const error_detail& e, int status, std::uint64_t seed) {
  auto obj = [](std::string_view message, std::string_view type, std::string_view code) {
    return json::object{{"object", "error"}, {"message", message}, {"type", type},
                        {"param", nullptr}, {"code", null_or(code)}};
  };
  switch (e.what) {
    case error_case::missing_key:
    case error_case::invalid_key:
      return json::object{{"message", "Unauthorized"}, {"request_id", alnum_id(seed, 32)}};
    case error_case::bad_json: return obj("Invalid JSON body", "invalid_request_error", "");
    case error_case::invalid_request:
      return json::object{
          {"detail", json::array{json::object{{"type", "missing"},
                                              {"loc", json::array{"body", e.param}},
                                              {"msg", e.message},
                                              {"input", nullptr}}}}};
    case error_case::unsupported_param: return obj(e.message, "invalid_request_error", "");
    case error_case::mistral_tool_id: {
      json::object o = obj(e.message, "invalid_function_call", "3280");
      o["raw_status_code"] = 400;
      return o;
    }
    case error_case::context_length:
      return obj(
          "Prompt contains 140000 tokens and 0 draft tokens, too large for model with 131072 "
          "maximum context length",
          "invalid_request_message_error", "3051");
    case error_case::rate_limit: return obj("Requests rate limit exceeded", "rate_limited", "1300");
    case error_case::insufficient_quota:
      return obj("Monthly usage limit exceeded", "rate_limited", "1301");
    case error_case::overloaded: return obj("Service unavailable", "service_unavailable", "1500");
    case error_case::server_error: return obj("Internal server error", "internal_server_error", "1000");
    case error_case::generic_status:
      return obj("Mock error with status " + std::to_string(status), "api_error", "");
  }
  return obj("error", "api_error", "");
}

// xAI: {"code": <gRPC-style status text>, "error": <message string>} (§8.2, [unsure]).
json::value xai_body(const error_detail& e, int status) {
  auto obj = [](std::string_view code, std::string_view message) {
    return json::object{{"code", code}, {"error", message}};
  };
  switch (e.what) {
    case error_case::missing_key:
      return obj("The caller does not have permission to execute the specified operation",
                 "No API key provided. Pass it as a bearer token in the Authorization header.");
    case error_case::invalid_key:
      return obj("The caller does not have permission to execute the specified operation",
                 "Incorrect API key provided: xa***ck. You can obtain an API key from https://console.x.ai.");
    case error_case::bad_json:
      return obj("Client specified an invalid argument", "Failed to deserialize the JSON body into the target type");
    case error_case::invalid_request:
    case error_case::unsupported_param:
    case error_case::mistral_tool_id:
      return obj("Client specified an invalid argument", e.message);
    case error_case::context_length:
      return obj("Client specified an invalid argument",
                 "This model's maximum prompt length is 131072 but the request contains 140000 tokens.");
    case error_case::rate_limit:
    case error_case::insufficient_quota:
      return obj("Some resource has been exhausted",
                 "Your team has either used all available credits or reached its monthly spending limit.");
    case error_case::overloaded: return obj("The service is currently unavailable", "Service temporarily overloaded");
    case error_case::server_error: return obj("Internal error", "Internal server error");
    case error_case::generic_status:
      return obj("Unknown", "Mock error with status " + std::to_string(status));
  }
  return obj("Unknown", "error");
}

}  // namespace

response_plan error_plan(dialect d, const error_detail& e, std::string_view model,
                         std::uint64_t seed, const fault_spec* fault) {
  response_plan p;
  p.status = status_of(e, d);
  json::value body;
  switch (d) {
    case dialect::mistral: body = mistral_body(e, p.status, seed); break;
    case dialect::xai: body = xai_body(e, p.status); break;
    case dialect::openai:
    case dialect::groq:
    case dialect::deepseek: body = openai_body(d, e, p.status, model); break;
  }
  p.body = json::serialize(body);
  p.header("Content-Type", "application/json");
  p.header("x-request-id", "req_" + alnum_id(seed ^ 0xe11, 24));
  const bool retryable_hint = p.status == 429 || p.status == 503;
  const bool quota = e.what == error_case::insufficient_quota;
  if (retryable_hint && !quota && !(fault && fault->retry_after_off)) {
    const std::uint32_t secs = fault && fault->retry_after_s ? *fault->retry_after_s : 1;
    p.header("retry-after", std::to_string(secs));
    if (d == dialect::openai) p.header("retry-after-ms", std::to_string(secs * 1000));
  }
  if (p.status == 429 && (d == dialect::openai || d == dialect::groq || d == dialect::xai)) {
    p.header("x-ratelimit-limit-requests", "3");
    p.header("x-ratelimit-remaining-requests", "0");
    p.header("x-ratelimit-reset-requests", "1s");
  }
  if (quota && d == dialect::openai) {
    // Out of credit is not worth retrying (§2.8); tell the SDKs so (§1.4).
    p.header("x-should-retry", "false");
  }
  if (fault) p.latency_ms = fault->latency_ms + fault->ttft_ms;
  return p;
}

}  // namespace gi::mock
