#include "mock/wire_formats.h"

namespace gi::mock {

// Placeholder until the bedrock wire format lands in the mock (its issue replaces this file).
std::optional<response_plan> handle_bedrock(const mock_request&, const mock_context&) {
  return std::nullopt;
}

}  // namespace gi::mock
