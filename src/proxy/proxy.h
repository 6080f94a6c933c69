#pragma once
// Proxy: the listener, the registry of live connections, and their shutdown.
//
//   running ──signal──► draining: no new clients; each session ends as soon as the protocol
//                        allows (idle: ERR 1053 + COM_QUIT now; busy or in a transaction: when
//                        that ends)
//   draining ──second signal or drain_timeout──► cancelling: what remains is cancelled and quit
//                        now, each step bounded by close_timeout, all by a last-resort deadline
//   cancelling ──another signal──► aborting: every connection is closed at once
//   ──all gone──► auditing: the self-audit over the control service, at most 2 x close_timeout,
//                        skipped with a warning when the control connection is not ready
//              ──► stopped: on_stopped(now = false); the application then quits the control
//                        service (COM_QUIT, at most close_timeout)
//   auditing ──signal──► stopped: on_stopped(now = true), the control connection closed at once
//   (aborting ──all gone──► stopped at once too: no audit after a repeated signal)

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
  // Accepting clients (no signal and no drain yet).
  bool accepting() const { return state_ == State::Running; }
  // Why the last connection to the upstream failed ("" once one succeeded since), for the
  // admin endpoint's /ready.
  const std::string& upstream_problem() const { return upstream_problem_; }
  void upstream_reached(std::string problem) { upstream_problem_ = std::move(problem); }
  // Called once every connection is gone after shutdown() began and the self-audit is done;
  // `now` when a repeated signal asks for the control connection to be closed at once.
  void on_stopped(std::function<void(bool now)> callback) { on_stopped_ = std::move(callback); }

  uv_loop_t* loop() const { return loop_; }
  const ProxySettings& settings() const { return settings_; }
  std::size_t connection_count() const { return connections_.size(); }
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
  void start_self_audit();
  void on_audit_bound();
  void skip_self_audit(const std::string& why);
  void settle_abort_counters(std::optional<control::AbortCounters> previous,
                             std::chrono::steady_clock::time_point deadline);
  void log_self_audit(const std::optional<control::AbortCounters>& now);
  void finish_stop(bool now);

  uv_loop_t* loop_;
  ProxySettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<spdlog::logger> session_log_;
  net::Listener* listener_ = nullptr;
  // The application's control service (cancels, kills, the self-audit); null without one.
  control::Service* control_;
  std::optional<control::AbortCounters> abort_baseline_;
  std::unordered_map<std::uint64_t, Connection*> connections_;  // by session id
  std::uint64_t next_id_ = 1;
  ProxyMetrics metrics_;
  enum class State {
    Running,     // accepting clients
    Draining,    // not accepting; sessions end as the protocol allows
    Cancelling,  // drain deadline or second signal: what remains is cancelled and quit
    Aborting,    // a signal while cancelling: every connection is closed at once
    Auditing,    // every client connection is gone; the self-audit, bounded
    Stopped,     // every handle of the proxy is closed; the control service is the app's
  };
  State state_ = State::Running;
  bool stay_after_drain_ = false;
  std::string upstream_problem_;  // drain() began the drain, not a signal
  static constexpr std::chrono::milliseconds kSettle{200};
  control::AbortCounters settle_next_;
  std::chrono::steady_clock::time_point settle_deadline_{};
  net::Timer* drain_timer_;     // the drain deadline, then the last-resort deadline after it
  net::Timer* settle_timer_;    // the self-audit's next read of the counters
  net::Timer* audit_timer_;     // the self-audit's bound
  net::Async* event_log_room_;  // the event log's writer thread: its queue has room again
  // Until finish_stop(): the writer thread wakes event_log_room_.
  eventlog::RoomSubscription event_log_room_subscription_;
  std::function<void(bool now)> on_stopped_;
};

}  // namespace gw::proxy
