#pragma once
// `gammainfra serve`: runs the gateway in the foreground until SIGTERM/SIGINT.

#include "config/config.h"

namespace gi::app {

// Blocks until a signal ends a graceful shutdown. Returns the process exit code.
int run_serve(config::snapshot_ptr cfg);

}  // namespace gi::app
