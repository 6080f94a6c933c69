#include "app/run.h"

#include <spdlog/spdlog.h>

namespace gw::app {

// Placeholder until the proxy is wired in; fails so nothing mistakes it for a working proxy.
int run_proxy(const config::Config& /*config*/) {
  spdlog::error("proxy not built yet");
  return 1;
}

}  // namespace gw::app
