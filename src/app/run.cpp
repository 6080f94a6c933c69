#include "app/run.h"

#include <spdlog/spdlog.h>
#include <uv.h>

#include <csignal>
#include <optional>

#include "app/logging.h"
#include "app/signals.h"
#include "config/control_password.h"
#include "eventlog/from_config.h"
#include "eventlog/writer.h"
#include "proxy/proxy.h"

namespace gw::app {

namespace {

// The control account, if configured and its password readable; warns about what is lost
// without one.
std::optional<session::ControlCredentials> control_credentials(const config::Config& config) {
  if (config.control.user.empty()) {
    spdlog::warn(
        "no control account ([control] user): in_flight = \"cancel\" falls back to \"finish\", "
        "clients that leave before authenticating are logged by the server as aborted connects, "
        "and the shutdown self-audit is skipped");
    return std::nullopt;
  }
  auto password = config::read_control_password(config.control);
  if (!password) {
    spdlog::error("control account '{}' not used: {}", config.control.user, password.error());
    return std::nullopt;
  }
  return session::ControlCredentials{config.control.user, std::move(*password)};
}

proxy::ProxySettings proxy_settings(const config::Config& config) {
  proxy::ProxySettings settings;
  settings.listen = config.listener.address;
  settings.upstream = *config.upstream.address;
  settings.max_connections = config.listener.max_connections;
  settings.connect_timeout = config.upstream.connect_timeout;
  settings.close_timeout = config.close.close_timeout;
  settings.drain_timeout = config.close.drain_timeout;
  settings.high_water = static_cast<std::size_t>(config.buffers.high_water);
  settings.low_water = static_cast<std::size_t>(config.buffers.low_water);
  settings.control = control_credentials(config);
  settings.session.can_kill = settings.control.has_value();
  settings.session.hold_limit =
      std::min<std::size_t>(config.buffers.hold_limit, session::kMaxHoldLimit);
  settings.session.hold_budget = std::make_shared<session::HoldBudget>(config.buffers.hold_budget);
  settings.greeting_timeout = config.upstream.greeting_timeout;
  settings.handshake_timeout = config.listener.handshake_timeout;
  settings.session.client_abort = config.close.client_abort == config::ClientAbort::Mirror
                                      ? session::ClientAbortPolicy::Mirror
                                      : session::ClientAbortPolicy::Absorb;
  const bool cancel = config.close.in_flight == config::InFlight::Cancel;
  settings.session.in_flight = cancel && settings.control ? session::InFlightPolicy::Cancel
                                                          : session::InFlightPolicy::Finish;
  return settings;
}

}  // namespace

int run_proxy(const config::Config& config, const CliOptions& options) {
  setup_logging(config.log);
  if (!config.upstream.address) {
    spdlog::error(
        "no upstream configured: set upstream.address in the config file or pass --upstream "
        "HOST:PORT (tools/run starts a throwaway MariaDB when you have none)");
    return 2;
  }
  // A client that vanishes must not kill the process on the next write.
  std::signal(SIGPIPE, SIG_IGN);
  ignore_reload_signals();
  auto event_log = eventlog::EventLog::open(eventlog::settings_from(config.event_log));
  if (!event_log) {
    spdlog::error("{}", event_log.error());
    return 1;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  int exit_code = 0;
  {
    proxy::ProxySettings settings = proxy_settings(config);
    settings.event_log = event_log->get();
    proxy::Proxy proxy(&loop, std::move(settings));
    // Signals are handled from before "listening on" is logged: whoever reads that line may
    // signal at once.
    Signals signals(proxy, **event_log, config, options);
    signals.start(&loop);
    proxy.on_stopped([&signals] { signals.close(); });
    if (auto started = proxy.start(); !started) {
      spdlog::error("{}", started.error());
      exit_code = 1;
      proxy.shutdown();
    }
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  // Every record is written (or its loss recorded) before gracewire says it stopped.
  (*event_log)->close();
  if (uv_loop_close(&loop) != 0) {
    spdlog::error("event loop still had open handles at exit");
    exit_code = exit_code == 0 ? 1 : exit_code;
  }
  if (exit_code == 0) spdlog::info("stopped");
  return exit_code;
}

}  // namespace gw::app
