#pragma once
// The parts of an inbound request a wire-format module looks at. Views into the server's
// per-connection buffers, valid for the duration of one handle() call. Headers are the few
// the formats need (add fields here when a new format needs one) so that the hot path never
// copies the header block.

#include <string_view>
#include <utility>
#include <vector>

namespace gi::mock {

struct mock_request {
  std::string_view method;
  std::string_view target;  // path + query as received
  std::string_view body;
  std::string_view authorization;  // "Bearer …" or empty
  std::string_view content_type;
  std::string_view mock_fault;     // X-Mock-Fault
  std::string_view x_api_key;      // Anthropic (later)
  std::string_view anthropic_version;
  std::string_view x_goog_api_key;  // Gemini
  std::string_view x_amz_date;     // Bedrock (later)
  std::string_view host;
  // Every header as received, filled only for Bedrock paths (/model/…): SigV4 verification
  // recomputes the signature over whichever headers the client signed.
  const std::vector<std::pair<std::string_view, std::string_view>>* all_headers = nullptr;
};

}  // namespace gi::mock
