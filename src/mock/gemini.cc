#include "mock/wire_formats.h"

namespace gi::mock {

// Placeholder until the gemini wire format lands in the mock (its issue replaces this file).
std::optional<response_plan> handle_gemini(const mock_request&, const mock_context&) {
  return std::nullopt;
}

}  // namespace gi::mock
