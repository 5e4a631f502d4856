#pragma once
// `gammainfra mock-upstream [--port N]`: the mock provider server alone, in the foreground.

#include <cstdint>
#include <string>

namespace gi::app {

struct mock_cmd_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = pick a free port (printed on start)
};

// Blocks until SIGTERM/SIGINT. Returns the process exit code.
int run_mock_upstream(const mock_cmd_options& opts);

}  // namespace gi::app
