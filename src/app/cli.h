#pragma once

namespace gi::app {

// Parses the command line (CLI11) and runs the chosen command. Returns the exit code.
int run_cli(int argc, char** argv);

}  // namespace gi::app
