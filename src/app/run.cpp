#include "app/run.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <functional>
#include <memory>
#include <optional>

#include "app/admin_endpoint.h"
#include "app/binlog_follower.h"
#include "app/logging.h"
#include "app/own_connection_tls.h"
#include "app/service_notify.h"
#include "app/signals.h"
#include "config/password.h"
#include "control/control_service.h"
#include "eventlog/from_config.h"
#include "eventlog/writer.h"
#include "logging/component_logger.h"
#include "net/signal.h"
#include "proxy/policies.h"
#include "proxy/proxy.h"
#include "proxy/tls_setup.h"

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
  auto password = config::read_password(config.control);
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
  settings.session.client_abort = proxy::client_abort_policy(config.close.client_abort);
  settings.session.in_flight =
      proxy::in_flight_policy(config.close.in_flight, settings.control.has_value());
  return settings;
}

std::unique_ptr<control::ControlService> control_service(uv_loop_t* loop,
                                                         const proxy::ProxySettings& settings,
                                                         const proxy::TlsSetup& tls) {
  if (!settings.control) return nullptr;
  control::ControlService::Settings control;
  control.upstream = settings.upstream_target();
  control.credentials = *settings.control;
  control.connect_timeout = settings.connect_timeout;
  control.close_timeout = settings.close_timeout;
  control.tls = own_connection_tls(tls);
  return std::make_unique<control::ControlService>(loop, std::move(control));
}

// The end of the process, in order: the proxy drains its sessions and audits (proxy.h) while the
// binlog follower ends its dump (KILL QUERY through the control service); once both are done the
// control service quits (COM_QUIT, at most close_timeout), then the signal handlers close and
// the loop runs out. Each stop signal moves one step on, never back: a second one cuts the
// drain and the dump's end short, a third the control service's quit.
class Ending {
 public:
  Ending(proxy::Proxy& proxy, FollowerApp* follower, control::Service* control)
      : proxy_(proxy),
        follower_(follower),
        control_(control),
        log_(logging::component_logger("proxy")) {}

  void then(std::function<void()> finished) { finished_ = std::move(finished); }

  void signal() {
    if (stage_ == Stage::Running) {
      stage_ = Stage::Stopping;
      proxy_.shutdown();
      if (follower_ != nullptr) {
        follower_->stop(/*now=*/false, [this] {
          follower_stopped_ = true;
          quit_control_when_both_stopped();
        });
      }
    } else if (stage_ == Stage::Stopping) {
      if (!proxy_stopped_) proxy_.shutdown();  // the proxy's next step (proxy.h)
      if (follower_ != nullptr && !follower_stopped_) {
        log_->warn("another signal: closing the binlog dump connection at once");
        follower_->stop(/*now=*/true, {});
      }
    } else if (stage_ == Stage::QuittingControl) {
      log_->warn("another signal: closing the control connection at once");
      control_->stop(/*now=*/true, {});
    }
  }

  // The proxy has stopped, by a signal or because it could not start.
  void proxy_stopped(bool now) {
    proxy_stopped_ = true;
    quit_now_ = quit_now_ || now;
    if (stage_ == Stage::Running) {
      // Not through signal(): the proxy could not start. The follower ends too.
      stage_ = Stage::Stopping;
      if (follower_ != nullptr) {
        follower_->stop(now, [this] {
          follower_stopped_ = true;
          quit_control_when_both_stopped();
        });
      }
    }
    quit_control_when_both_stopped();
  }

 private:
  enum class Stage {
    Running,          // serving
    Stopping,         // the proxy's drain … self-audit, and the binlog dump's clean end
    QuittingControl,  // the control service's COM_QUIT, bounded by close_timeout
    Stopped,          // everything is closed
  };
  void quit_control_when_both_stopped() {
    if (stage_ != Stage::Stopping || !proxy_stopped_) return;
    if (follower_ != nullptr && !follower_stopped_) return;
    if (control_ == nullptr) return finish();
    stage_ = Stage::QuittingControl;
    control_->stop(quit_now_, [this] { finish(); });
  }
  void finish() {
    stage_ = Stage::Stopped;
    log_->info("stopped: every upstream session is closed");
    if (finished_) finished_();
  }

  proxy::Proxy& proxy_;
  FollowerApp* follower_;
  control::Service* control_;
  std::shared_ptr<spdlog::logger> log_;
  Stage stage_ = Stage::Running;
  bool proxy_stopped_ = false;
  bool follower_stopped_ = false;
  bool quit_now_ = false;
  std::function<void()> finished_;
};

// The follower when [binlog] enables it, or null (with the reason logged: the proxy runs on).
std::unique_ptr<FollowerApp> follower_app(uv_loop_t* loop, const config::Config& config,
                                          eventlog::EventLog& event_log,
                                          eventlog::SessionDirectory* directory) {
  if (!config.binlog.enabled) return nullptr;
  auto settings = follower_settings(config);
  if (!settings) {
    spdlog::error("binlog follower not started: {}", settings.error());
    return nullptr;
  }
  auto app = FollowerApp::create(loop, config, std::move(*settings), event_log, directory);
  if (!app) {
    spdlog::error("binlog follower not started: {}", app.error());
    return nullptr;
  }
  return std::move(*app);
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

  net::Loop loop;
  int exit_code = 0;
  // Which session is which server connection: the proxy fills it, the follower reads it (and
  // outlives the proxy; the directory outlives both).
  eventlog::SessionDirectory directory;
  // Outlives the loop: its last checkpoint is written once the change records are.
  std::unique_ptr<FollowerApp> follower;
  {
    proxy::ProxySettings settings = proxy_settings(config);
    auto tls = proxy::tls_setup(config);
    if (!tls) {
      spdlog::error("{}", tls.error());
      return 1;
    }
    proxy::apply_tls(*tls, settings);
    if (tls->client_context || tls->server_context) spdlog::info("{}", proxy::describe(*tls));
    for (const std::string& problem : proxy::certificate_problems(*tls)) {
      spdlog::warn("{}: TLS peers that verify it will refuse it; renew it and send SIGHUP",
                   problem);
    }
    settings.event_log = event_log->get();
    if (config.binlog.enabled) {
      // Change records name the session that made them: by the binlog's thread id where there
      // is one, else by the GTID the session's OK packets report.
      settings.directory = &directory;
      settings.session.track_gtids = true;
    }
    // The application's: started before the proxy (whose self-audit reads a baseline through
    // it at once), stopped after it, destroyed after it.
    auto control = control_service(loop.get(), settings, *tls);
    proxy::Proxy proxy(loop.get(), std::move(settings), control.get());
    follower = follower_app(loop.get(), config, **event_log, &directory);
    std::unique_ptr<AdminEndpoint> admin;  // once the proxy listens; joined before it goes
    Ending ending(proxy, follower.get(), control.get());
    // Signals are handled from before "listening on" is logged: whoever reads that line may
    // signal at once.
    ServiceNotify notify(loop.get(), [&proxy] { return proxy.connection_count(); });
    Signals signals(proxy, **event_log, config, options, notify, [&ending] { ending.signal(); });
    signals.start(loop.get());
    signals.on_tls_reload([&control, &follower](const proxy::TlsSetup& setup) {
      const control::ControlTls own = own_connection_tls(setup);
      if (control) control->set_tls(own);
      if (follower) follower->set_tls(own);
    });
    ending.then([&signals, &admin, &notify] {
      signals.close();
      notify.close();
      if (admin) admin->close();
    });
    proxy.on_stopped([&ending](bool now) { ending.proxy_stopped(now); });
    if (control) control->start();
    if (auto started = proxy.start(); !started) {
      spdlog::error("{}", started.error());
      exit_code = 1;
      proxy.shutdown();
    } else {
      if (config.admin.address) {
        auto started_admin =
            AdminEndpoint::start(loop.get(), *config.admin.address,
                                 AdminSources{proxy, **event_log, control.get(), follower.get()});
        if (started_admin) {
          admin = std::move(*started_admin);
        } else {
          // As for the listener: an operator who asked for it must not find it silently absent.
          spdlog::error("{} (admin.address, --admin; \"\" turns it off)", started_admin.error());
          exit_code = 1;
          proxy.shutdown();
        }
      }
      if (follower && exit_code == 0) {
        if (auto running = follower->start(); !running) {
          spdlog::error("binlog follower not started: {}", running.error());
        }
      }
    }
    // READY=1 for systemd: clients (and the admin endpoint) are accepted from here on.
    if (exit_code == 0) notify.ready();
    loop.run();
  }
  // Every record is written (or its loss recorded) before gracewire says it stopped.
  (*event_log)->close();
  if (follower) follower->finish();
  if (!loop.close()) {
    spdlog::error("event loop still had open handles at exit");
    exit_code = exit_code == 0 ? 1 : exit_code;
  }
  if (exit_code == 0) spdlog::info("stopped");
  return exit_code;
}

}  // namespace gw::app
