#pragma once
// The proxy's normal run, once the configuration is settled. main() owns the command line and
// configuration; everything after that starts here.

#include "app/cli.h"
#include "config/config.h"

namespace gw::app {

// Runs until shutdown is complete and returns the process exit code. `options` are kept for
// reloading the config file on SIGHUP (signals.h).
int run_proxy(const config::Config& config, const CliOptions& options);

}  // namespace gw::app
