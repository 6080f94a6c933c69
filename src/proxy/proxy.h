#pragma once
// Proxy: the listener, the registry of live connections, and shutdown.
//
//   running ──signal──► draining: no new clients; each session ends as soon as the protocol
//                        allows (idle: ERR 1053 + COM_QUIT now; busy or in a transaction: when
//                        that ends)
//   draining ──second signal or drain_timeout──► cancelling: what remains is cancelled and quit
//                        now, each step bounded by close_timeout, all by a last-resort deadline
//   cancelling ──another signal──► aborting: every connection is closed at once
//   ──all gone──► auditing: the self-audit over the control connection, at most 2 x close_timeout,
//                        skipped with a warning when the control connection is not ready
//              ──► quitting control: COM_QUIT, at most close_timeout ──► stopped
//   auditing, quitting control ──signal──► the control connection is closed at once ──► stopped

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "proxy/control_connection.h"
#include "proxy/settings.h"

namespace spdlog {
class logger;
}
namespace gw::net {
class Listener;
}

namespace gw::proxy {

class Connection;

class Proxy {
 public:
  Proxy(uv_loop_t* loop, ProxySettings settings);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Binds the listener; the error names the address and the reason.
  [[nodiscard]] std::expected<void, std::string> start();
  // First call: stop accepting and drain. Second call: end what remains now.
  void shutdown();
  // Called once every connection is gone after shutdown() began.
  void on_stopped(std::function<void()> callback) { on_stopped_ = std::move(callback); }

  uv_loop_t* loop() const { return loop_; }
  const ProxySettings& settings() const { return settings_; }
  std::size_t connection_count() const { return connections_.size(); }
  const std::shared_ptr<spdlog::logger>& session_log() const { return session_log_; }

  // A connection's last handle closed; it is being deleted.
  void forget(Connection* connection);
  // Settings for a new session: the policies, plus the control credentials once they are known
  // to end abandoned handshakes cleanly.
  session::SessionSettings session_settings() const;
  // The control credentials once they are known to end abandoned handshakes; else null.
  const session::ControlCredentials* handshake_credentials() const;
  // KILL QUERY <server_connection_id> over the control connection, for session `session_id`,
  // repeated every kCancelRetryMs until cancel_finished(session_id).
  void cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id);
  void cancel_finished(std::uint64_t session_id);
  // KILL CONNECTION <server_connection_id> over the control connection, once: the quiet end of
  // an upstream session left inside a half-sent client packet.
  void kill_connection(std::uint32_t server_connection_id);

 private:
  struct AbortCounters {
    std::int64_t clients = 0;
    std::int64_t connects = 0;
  };
  void accept(net::Listener& listener);
  void drain_now();
  void send_cancel(std::uint32_t server_connection_id, std::uint64_t session_id);
  void on_cancel_answer(std::uint32_t server_connection_id, std::uint64_t session_id,
                        const ControlConnection::Result* result);
  void retry_cancels();
  void for_each_connection(const std::function<void(Connection&)>& action);
  void check_stopped();
  void start_self_audit();
  void skip_self_audit(const std::string& why);
  void stop_control(bool now);
  void read_abort_counters(std::function<void(std::optional<AbortCounters>)> done);
  void settle_abort_counters(std::optional<AbortCounters> previous,
                             std::chrono::steady_clock::time_point deadline);
  void log_self_audit(const std::optional<AbortCounters>& now);
  void finish_stop();

  uv_loop_t* loop_;
  ProxySettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<spdlog::logger> session_log_;
  net::Listener* listener_ = nullptr;
  // One control connection, as the control account: it runs the cancels one at a time. Parallel
  // KILL QUERYs from several connections were measured to leave MariaDB 10.11's SELECT SLEEP()
  // sessions unwoken more often; one at a time, each answered KILL took effect.
  ControlConnection* control_ = nullptr;  // deletes itself after stop(); null from then on
  std::optional<AbortCounters> abort_baseline_;
  std::unordered_map<std::uint64_t, Connection*> connections_;  // by session id
  std::uint64_t next_id_ = 1;
  enum class State {
    Running,          // accepting clients
    Draining,         // not accepting; sessions end as the protocol allows
    Cancelling,       // drain deadline or second signal: what remains is cancelled and quit
    Aborting,         // a signal while cancelling: every connection is closed at once
    Auditing,         // every client connection is gone; the self-audit, bounded
    QuittingControl,  // the control connection's COM_QUIT, bounded by close_timeout
    Stopped,          // everything is closed
  };
  State state_ = State::Running;
  static constexpr std::uint64_t kCancelRetryMs = 500;
  static constexpr std::uint64_t kSettleMs = 200;
  AbortCounters settle_next_;
  std::chrono::steady_clock::time_point settle_deadline_{};
  uv_timer_t drain_timer_{};  // the drain deadline, then the last-resort deadline after it
  uv_timer_t cancel_retry_timer_{};
  uv_async_t event_log_room_{};  // the event log's writer thread: its queue has room again
  uv_timer_t audit_timer_{};     // the self-audit's bound
  struct Cancelling {
    std::uint32_t server_connection_id = 0;
    bool in_flight = false;  // a KILL QUERY for it is queued or awaiting the server's answer
  };
  std::unordered_map<std::uint64_t, Cancelling> cancelling_;  // by session id
  std::function<void()> on_stopped_;
};

}  // namespace gw::proxy
