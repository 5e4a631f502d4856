#include "mock/router.h"

#include "mock/dialect.h"
#include "mock/wire_formats.h"

namespace gi::mock {

response_plan route(const mock_request& req, const mock_context& ctx) {
  if (auto d = dialect_for_path(req.target)) return handle_openai_family(*d, req, ctx);
  if (auto p = handle_anthropic(req, ctx)) return std::move(*p);
  if (auto p = handle_gemini(req, ctx)) return std::move(*p);
  if (auto p = handle_bedrock(req, ctx)) return std::move(*p);
  response_plan p;
  if (req.target == "/healthz") {
    p.header("Content-Type", "text/plain");
    p.body = "ok\n";
    return p;
  }
  p.status = 404;
  p.header("Content-Type", "application/json");
  p.body = R"({"error":{"message":"mock: unknown path","type":"invalid_request_error","param":null,"code":null}})";
  return p;
}

}  // namespace gi::mock
