#pragma once
// Proxy: one event loop's listener, the registry of its live connections, and their shutdown.
// With several loops (app/serving_loops.h) each has its own Proxy, all on one address
// (SO_REUSEPORT), sharing session ids and the max_connections count (shared_state.h); the
// application runs the self-audit (self_audit.h) once every loop's proxy has stopped.
//
//   running ──signal──► draining: no new clients; each session ends as soon as the protocol
//                        allows (idle: ERR 1053 + COM_QUIT now; busy or in a transaction: when
//                        that ends)
//   draining ──second signal or drain_timeout──► cancelling: what remains is cancelled and quit
//                        now, each step bounded by close_timeout, all by a last-resort deadline
//   cancelling ──another signal──► aborting: every connection is closed at once
//   ──all gone──► stopped: its handles close, then on_stopped(now), `now` when it was aborting
//                        (no self-audit after a repeated signal)
//   drain() instead of a signal: draining as above, but once all are gone on_drained() runs and
//                        the proxy stays until a signal, which then stops it at once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "control/service.h"
#include "eventlog/record_queue.h"
#include "proxy/proxy_metrics.h"
#include "proxy/settings.h"
#include "proxy/tls_setup.h"

namespace spdlog {
class logger;
}
namespace gw::net {
class Async;
class Listener;
class Timer;
}  // namespace gw::net

namespace gw::proxy {

class Connection;

class Proxy {
 public:
  // `control` (null without a control account) is the application's; it must be started by the
  // caller and outlive the proxy.
  Proxy(uv_loop_t* loop, ProxySettings settings, control::Service* control);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Binds the listener; the error names the address and the reason.
  [[nodiscard]] std::expected<void, std::string> start();
  // First call: stop accepting and drain. Each further call moves the end one step on.
  void shutdown();
  // The admin endpoint's POST /drain: the same drain as a first signal, but the process stays
  // once every session is gone (a load balancer's drain before maintenance). A signal then
  // stops it as a first signal would: at once when drained, else when the drain ends.
  void drain();
  // The port the listener bound (once start() succeeded).
  std::uint16_t port() const;
  // Accepting clients (no signal and no drain yet).
  bool accepting() const { return state_ == State::Running; }
  // Why the last connection to the upstream failed, on any loop ("" once one succeeded since),
  // for the admin endpoint's /ready.
  void upstream_reached(std::string problem) {
    settings_.shared->upstream_reached(std::move(problem));
  }
  // Called once every connection is gone after shutdown() began and the proxy's handles are
  // closing; `now` when it was aborting (a repeated signal: no self-audit, no waiting).
  void on_stopped(std::function<void(bool now)> callback) { on_stopped_ = std::move(callback); }
  // Called when a drain() has ended every connection.
  void on_drained(std::function<void()> callback) { on_drained_ = std::move(callback); }

  uv_loop_t* loop() const { return loop_; }
  const ProxySettings& settings() const { return settings_; }
  // Client connections open on every loop.
  std::size_t connection_count() const { return settings_.shared->connections(); }
  const std::shared_ptr<spdlog::logger>& session_log() const { return session_log_; }
  // Kept by the sessions of this loop; read on it (admin endpoint).
  ProxyMetrics& metrics() { return metrics_; }
  const ProxyMetrics& metrics() const { return metrics_; }

  // New TLS contexts and modes (SIGHUP), for sessions that begin from now on.
  void set_tls(const TlsSetup& setup) { apply_tls(setup, settings_); }
  // A connection's last handle closed; it is being deleted.
  void forget(Connection* connection);
  // Settings for a new session: the policies, plus the control credentials once they are known
  // to end abandoned handshakes cleanly.
  session::SessionSettings session_settings() const;
  // The control credentials once they are known to end abandoned handshakes; else null.
  const session::ControlCredentials* handshake_credentials() const;
  // KILL QUERY <server_connection_id> over the control service for session `session_id`,
  // repeated until cancel_finished(session_id) (control::Service::cancel_query); the
  // connection hears when the server first answers.
  void cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id);
  void cancel_finished(std::uint64_t session_id);
  // KILL CONNECTION <server_connection_id> over the control service, once: the quiet end of
  // an upstream session left inside a half-sent client packet.
  void kill_connection(std::uint32_t server_connection_id);

 private:
  void accept(net::Listener& listener);
  // Stop accepting; every session ends as the protocol allows, within drain_timeout.
  void begin_drain(std::string_view why);
  void drain_now();
  void on_drain_timer();
  void for_each_connection(const std::function<void(Connection&)>& action);
  void check_stopped();
  void finish_stop(bool now);

  uv_loop_t* loop_;
  ProxySettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<spdlog::logger> session_log_;
  net::Listener* listener_ = nullptr;
  // The application's control service (cancels, kills), or a stand-in for it on another
  // loop's thread (control/remote_service.h); null without one.
  control::Service* control_;
  std::unordered_map<std::uint64_t, Connection*> connections_;  // by session id
  ProxyMetrics metrics_;
  enum class State {
    Running,     // accepting clients
    Draining,    // not accepting; sessions end as the protocol allows
    Cancelling,  // drain deadline or second signal: what remains is cancelled and quit
    Aborting,    // a signal while cancelling: every connection is closed at once
    Stopped,     // every client connection is gone; the proxy's handles are closing
  };
  State state_ = State::Running;
  bool stay_after_drain_ = false;  // drain() began the drain, not a signal
  net::Timer* drain_timer_;        // the drain deadline, then the last-resort deadline after it
  net::Async* event_log_room_;     // the event log's writer thread: its queue has room again
  std::function<void(bool now)> on_stopped_;
  std::function<void()> on_drained_;
  // Until finish_stop(): the writer thread wakes event_log_room_.
  eventlog::RoomSubscription event_log_room_subscription_;
};

}  // namespace gw::proxy
