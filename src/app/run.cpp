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
#include "app/serving_loops.h"
#include "app/signals.h"
#include "config/password.h"
#include "control/control_service.h"
#include "eventlog/from_config.h"
#include "eventlog/writer.h"
#include "logging/component_logger.h"
#include "net/host.h"
#include "net/signal.h"
#include "proxy/policies.h"
#include "proxy/self_audit.h"
#include "proxy/tls_setup.h"
#include "publish/progress.h"
#include "publish/publisher.h"

namespace gw::app {

namespace {

// How long the stream gets at the stop to acknowledge what was published.
constexpr std::chrono::milliseconds kPublishCloseTimeout{5000};

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
  settings.serve_recent = config.close.serve_recent;
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

// The end of the process, in order: the proxies of every loop drain their sessions
// (proxy.h) while the binlog follower ends its dump (KILL QUERY through the control service);
// once both are done the self-audit reads the server's abort counters (self_audit.h) and the
// control service quits (COM_QUIT, at most close_timeout); then the signal handlers close and
// the loops run out. Each stop signal moves one step on, never back: a second one cuts the
// drain and the dump's end short, a third the self-audit and the control service's quit.
class Ending {
 public:
  Ending(ServingLoops& loops, FollowerApp* follower, control::Service* control,
         proxy::SelfAudit* audit)
      : loops_(loops),
        follower_(follower),
        control_(control),
        audit_(audit),
        log_(logging::component_logger("proxy")) {}

  void then(std::function<void()> finished) { finished_ = std::move(finished); }

  void signal() {
    if (stage_ == Stage::Running) {
      stage_ = Stage::Stopping;
      loops_.shutdown();
      if (follower_ != nullptr) {
        follower_->stop(/*now=*/false, [this] {
          follower_stopped_ = true;
          audit_when_both_stopped();
        });
      }
    } else if (stage_ == Stage::Stopping) {
      if (!proxy_stopped_) loops_.shutdown();  // the proxies' next step (proxy.h)
      if (follower_ != nullptr && !follower_stopped_) {
        log_->warn("another signal: closing the binlog dump connection at once");
        follower_->stop(/*now=*/true, {});
      }
    } else if (stage_ == Stage::Auditing) {
      log_->warn("another signal: closing the control connection at once");
      now_ = true;
      audit_->cut_short();  // its `done` quits the control service, at once now
    } else if (stage_ == Stage::QuittingControl) {
      log_->warn("another signal: closing the control connection at once");
      control_->stop(/*now=*/true, {});  // the stop under way then finishes
    }
  }

  // Every loop's proxy has stopped, by a signal or because one could not start.
  void proxy_stopped(bool now) {
    proxy_stopped_ = true;
    now_ = now_ || now;
    if (stage_ == Stage::Running) {
      // Not through signal(): a proxy could not start. The follower ends too.
      stage_ = Stage::Stopping;
      if (follower_ != nullptr) {
        follower_->stop(now, [this] {
          follower_stopped_ = true;
          audit_when_both_stopped();
        });
      }
    }
    audit_when_both_stopped();
  }

 private:
  enum class Stage {
    Running,          // serving
    Stopping,         // the proxies' drain, and the binlog dump's clean end
    Auditing,         // the self-audit, bounded by 2 x close_timeout
    QuittingControl,  // the control service's COM_QUIT, bounded by close_timeout
    Stopped,          // everything is closed
  };
  void audit_when_both_stopped() {
    if (stage_ != Stage::Stopping || !proxy_stopped_) return;
    if (follower_ != nullptr && !follower_stopped_) return;
    if (control_ == nullptr) {
      log_->info("self-audit skipped: no control account configured");
      return finish();
    }
    if (now_ || audit_ == nullptr) {
      if (now_) log_->warn("self-audit skipped: stopping at once on a repeated signal");
      return quit_control();
    }
    stage_ = Stage::Auditing;
    audit_->run([this] {
      if (stage_ == Stage::Auditing) quit_control();
    });
  }
  void quit_control() {
    stage_ = Stage::QuittingControl;
    control_->stop(now_, [this] { finish(); });
  }
  void finish() {
    stage_ = Stage::Stopped;
    if (audit_ != nullptr) audit_->close();
    log_->info("stopped: every upstream session is closed");
    if (finished_) finished_();
  }

  ServingLoops& loops_;
  FollowerApp* follower_;
  control::Service* control_;
  proxy::SelfAudit* audit_;  // null without a control account
  std::shared_ptr<spdlog::logger> log_;
  Stage stage_ = Stage::Running;
  bool proxy_stopped_ = false;
  bool follower_stopped_ = false;
  bool now_ = false;
  std::function<void()> finished_;
};

// The publisher, when [publish] nats_url is set; connected and its stream checked. nullptr with
// an error said when it cannot start: an operator who asked for it must not find it absent.
std::expected<std::unique_ptr<publish::Publisher>, std::string> start_publisher(
    const config::Config& config) {
  if (config.publish.nats_url.empty()) return nullptr;
  auto settings = publish::publisher_settings(config.publish);
  if (!settings) return std::unexpected(settings.error());
  auto publisher = publish::Publisher::start(std::move(*settings));
  if (!publisher) return std::unexpected(publisher.error());
  return std::move(*publisher);
}

// The follower when [binlog] enables it, or null (with the reason logged: the proxy runs on).
std::unique_ptr<FollowerApp> follower_app(uv_loop_t* loop, const config::Config& config,
                                          eventlog::EventLog& event_log,
                                          publish::Publisher* publisher,
                                          eventlog::SessionDirectory* directory) {
  if (!config.binlog.enabled) return nullptr;
  auto settings = follower_settings(config);
  if (!settings) {
    spdlog::error("binlog follower not started: {}", settings.error());
    return nullptr;
  }
  auto app =
      FollowerApp::create(loop, config, std::move(*settings), event_log, directory, publisher);
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
  auto publisher = start_publisher(config);
  if (!publisher) {
    spdlog::error("{}", publisher.error());
    return 1;
  }
  // Lifecycle and audit records go to the stream through the event log's writer; so do change
  // records when they share its file.
  const bool publishes_events =
      *publisher &&
      (config.publish.lifecycle || config.publish.audit ||
       (config.publish.changes && config.binlog.enabled && config.binlog.path.empty()));
  std::shared_ptr<eventlog::Outlet> outlet;
  if (publishes_events) {
    // Before the log opens: what the stream may lack from the last run goes first.
    auto made = (*publisher)->outlet_for_log(config.event_log.path);
    if (!made) {
      spdlog::error("{}", made.error());
      return 1;
    }
    outlet = std::move(*made);
  } else if (const auto& path = config.event_log.path; !path.empty() && path != "-") {
    if (publish::forget_progress(publish::progress_path(path))) {
      spdlog::info(
          "{} is not published now: removed {}; should publishing be turned on again, it starts "
          "with the records written from then on",
          path, publish::progress_path(path));
    }
  }
  auto event_log =
      eventlog::EventLog::open(eventlog::settings_from(config.event_log), std::move(outlet));
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
    // The application's: started before the proxies (the self-audit reads a baseline through
    // it at once), stopped after them, destroyed after them.
    auto control = control_service(loop.get(), settings, *tls);
    const std::uint32_t loop_count =
        config.listener.loops != 0 ? config.listener.loops : net::available_cpus();
    ServingLoops loops(loop.get(), loop_count, std::move(settings), control.get());
    std::unique_ptr<proxy::SelfAudit> audit;
    if (control) {
      audit = std::make_unique<proxy::SelfAudit>(loop.get(), *control, config.close.close_timeout);
    }
    follower = follower_app(loop.get(), config, **event_log, publisher->get(), &directory);
    std::unique_ptr<AdminEndpoint> admin;  // once the proxies listen; joined before they go
    Ending ending(loops, follower.get(), control.get(), audit.get());
    // Signals are handled from before "listening on" is logged: whoever reads that line may
    // signal at once.
    ServiceNotify notify(loop.get(), [&loops] { return loops.connection_count(); });
    Signals signals(loops, **event_log, config, options, notify, [&ending] { ending.signal(); });
    signals.start(loop.get());
    signals.on_tls_reload([&control, &follower](const proxy::TlsSetup& setup) {
      const control::ControlTls own = own_connection_tls(setup);
      if (control) control->set_tls(own);
      if (follower) follower->set_tls(own);
    });
    ending.then([&signals, &admin, &notify, &loops] {
      signals.close();
      notify.close();
      if (admin) admin->close();
      loops.end_threads();
    });
    loops.on_stopped([&ending](bool now) { ending.proxy_stopped(now); });
    if (control) control->start();
    if (auto started = loops.start(); !started) {
      spdlog::error("{}", started.error());
      exit_code = 1;
    } else {
      if (audit) audit->read_baseline();
      if (config.admin.address) {
        auto started_admin = AdminEndpoint::start(
            loop.get(), *config.admin.address,
            AdminSources{loops, **event_log, control.get(), follower.get(), publisher->get()});
        if (started_admin) {
          admin = std::move(*started_admin);
        } else {
          // As for the listener: an operator who asked for it must not find it silently absent.
          spdlog::error("{} (admin.address, --admin; \"\" turns it off)", started_admin.error());
          exit_code = 1;
          loops.shutdown();
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
  // Every record is written (or its loss recorded) before gracewire says it stopped; the
  // stream acknowledges what was published (bounded) before the binlog checkpoint is final.
  (*event_log)->close();
  if (follower) follower->close_log();
  if (*publisher) (*publisher)->close(kPublishCloseTimeout);
  if (follower) follower->write_final_checkpoint();
  if (!loop.close()) {
    spdlog::error("event loop still had open handles at exit");
    exit_code = exit_code == 0 ? 1 : exit_code;
  }
  if (exit_code == 0) spdlog::info("stopped");
  return exit_code;
}

}  // namespace gw::app
