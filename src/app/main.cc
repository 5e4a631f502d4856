#include "app/cli.h"

int main(int argc, char** argv) { return gi::app::run_cli(argc, argv); }
