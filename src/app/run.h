#pragma once
// The proxy's normal run, once the configuration is settled. main() owns the command line and
// configuration; everything after that starts here.

#include "config/config.h"

namespace gw::app {

// Runs until shutdown is complete and returns the process exit code.
int run_proxy(const config::Config& config);

}  // namespace gw::app
