#include "app/mock_cmd.h"

#include <csignal>
#include <cstdio>
#include <iostream>

#include "mock/mock_server.h"

namespace gi::app {

int run_mock_upstream(const mock_cmd_options& opts) {
  // Block the stop signals in every thread (the server's threads inherit the mask) and wait
  // for them synchronously here: no async-signal-safety concerns, no handler globals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  mock::mock_server server;
  auto port = server.start(opts.host, opts.port);
  if (!port) {
    std::cerr << "gammainfra mock-upstream: " << port.error().message << "\n";
    return 1;
  }
  std::printf("mock-upstream listening on %s\n", server.base_url().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.stop();
  return 0;
}

}  // namespace gi::app
