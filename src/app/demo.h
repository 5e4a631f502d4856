#pragma once
// `gammainfra demo [--port 8080] [--data-dir ./demo-data]` (design §2): gateway + in-process
// mock providers, in the foreground until Ctrl-C.

#include <cstdint>
#include <string>

namespace gi::app {

struct demo_options {
  std::uint16_t port = 8080;          // gateway port; the mock's port is chosen free
  std::string data_dir = "./demo-data";
};

// Blocks until SIGTERM/SIGINT. Returns the process exit code.
int run_demo(const demo_options& opts);

}  // namespace gi::app
