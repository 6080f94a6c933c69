#pragma once
// What each signal does to a running gracewire. None of them kills it outright: every
// session ends as the shutdown modes say, and queued event-log records are written.
//
//   SIGTERM, SIGINT, SIGQUIT  drain: stop accepting, let sessions finish (close.drain_timeout);
//                             a second one ends what is left now. The first tells systemd
//                             STOPPING=1 (service_notify.h)
//   SIGHUP                    reopen the event log file (logrotate's create mode) and reload
//                             the config file: log.level and the event log's filters apply at
//                             once (reload.h); other changes are logged as needing a restart;
//                             a file that no longer loads is logged and changes nothing. systemd
//                             hears RELOADING=1 before and READY=1 after (service_notify.h)
//   SIGUSR1                   log one status line: the event log's counters
//   SIGUSR2                   reopen the event log file only
//   SIGPIPE                   ignored (a vanished client must not kill the process)
//
// After the proxy has stopped (handles closed), SIGHUP, SIGUSR1 and SIGUSR2 stay ignored, so
// that they cannot cut the event log's last writes short.

#include <uv.h>

#include <array>
#include <functional>

#include "app/cli.h"
#include "config/config.h"

namespace gw::eventlog {
class EventLog;
}
namespace gw::net {
class Signal;
}
namespace gw::proxy {
struct TlsSetup;
}  // namespace gw::proxy

namespace gw::app {

class ServiceNotify;
class ServingLoops;

// Before the loop runs: ignore the signals Signals will handle, so none of them kills the
// process while it starts.
void ignore_reload_signals();

class Signals {
 public:
  // `running` is the configuration the proxy started with; `options` are the command line's,
  // reapplied on every reload (flags still override the file). `stop` runs on each SIGTERM,
  // SIGINT and SIGQUIT: the application's shutdown, one step further each time. `notify` hears
  // of each reload and of the first stop.
  Signals(ServingLoops& loops, eventlog::EventLog& event_log, config::Config running,
          CliOptions options, ServiceNotify& notify, std::function<void()> stop);
  Signals(const Signals&) = delete;
  Signals& operator=(const Signals&) = delete;

  void start(uv_loop_t* loop);
  // Also called with every TLS setup a reload builds (gracewire's own connections take it).
  void on_tls_reload(std::function<void(const proxy::TlsSetup&)> callback) {
    on_tls_reload_ = std::move(callback);
  }
  // Idempotent; the handles are closed before the loop ends.
  void close();

 private:
  void on_signal(int signum);
  void reload();
  bool reload_tls(config::Config& next);
  void status();

  ServingLoops& loops_;
  eventlog::EventLog& event_log_;
  config::Config running_;
  CliOptions options_;
  ServiceNotify& notify_;
  std::function<void()> stop_;
  std::function<void(const proxy::TlsSetup&)> on_tls_reload_;
  std::array<net::Signal*, 6> handles_{};  // in the order of kHandled (signals.cpp)
  bool started_ = false;
};

}  // namespace gw::app
