#pragma once
// ControlConnection: the one authenticated upstream session gracewire keeps as the control
// account, so that cancelling a statement (KILL QUERY) costs no handshake. It reconnects when
// it is lost, runs statements one at a time in order, and is closed with COM_QUIT like any
// other session. Heap object; deletes itself once stop() has finished. Used only by
// ControlService (control_service.h), which is what the rest of gracewire sees.
//
//   resolving ──► connecting ──► logging in ──► ready ⇄ running a statement
//        ▲      (all three within connect_timeout)  │ lost / refused / too slow
//        └────────── retry (backoff) ◄──────────────┘
//   ready: SHOW GRANTS first, to tell whether the account may KILL QUERY others' statements
//   stop():     COM_QUIT, wait for the server's EOF (close_timeout), close, on_stopped;
//               whatever it is doing (resolving, connecting, a retry timer) is dropped at once
//   stop_now(): close without waiting for anything (a second signal)
// With TLS (ControlTls) the login sends an SSLRequest, runs the TLS handshake inside the same
// connect_timeout and continues inside TLS; COM_QUIT goes inside TLS, then close_notify.

#include <uv.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "control/control_tls.h"
#include "control/own_tls.h"
#include "net/stream.h"
#include "session/control_session.h"
#include "session/session.h"

namespace spdlog {
class logger;
}
namespace gw::net {
class Timer;
}

namespace gw::control {

class ControlConnection final : public net::StreamObserver {
 public:
  using Result = session::ControlSession::QueryResult;
  // Gets the statement's result, or nullptr when it could not be run (connection down at stop).
  using Callback = std::function<void(const Result*)>;

  // Whether the account may KILL QUERY other accounts' statements, as far as it is known.
  enum class KillRight {
    Unknown,  // not logged in yet, or SHOW GRANTS could not tell: KILL QUERY is tried
    Allowed,  // SHOW GRANTS lists CONNECTION ADMIN, SUPER or ALL PRIVILEGES on *.*
    Denied,   // it lacks them, or the server refused a KILL: cancels fall back to finish
  };

  ControlConnection(uv_loop_t* loop, net::Target upstream, session::ControlCredentials credentials,
                    std::chrono::milliseconds connect_timeout,
                    std::chrono::milliseconds close_timeout, bool own_threads_only = false,
                    ControlTls tls = {});
  ControlConnection(const ControlConnection&) = delete;
  ControlConnection& operator=(const ControlConnection&) = delete;

  void start();
  // Runs `sql` as soon as the connection is ready, after the statements queued before it.
  void run(std::string sql, Callback done);
  // Ends the session with COM_QUIT; calls on_stopped once every handle is closed, then deletes
  // itself. Queued statements get nullptr. Bounded by close_timeout whatever the state.
  void stop(std::function<void()> on_stopped);
  // Called after every login (the first, and each reconnect).
  void on_logged_in(std::function<void()> callback) { on_logged_in_ = std::move(callback); }
  // A reload's TLS settings, used from the next login; a connection that is down (waiting for
  // its next attempt, however long) tries again at once, since the reload may be its fix.
  void set_tls(ControlTls tls);
  // Like stop(), without COM_QUIT or any wait; also cuts short a stop() under way.
  void stop_now(std::function<void()> on_stopped);

  bool ready() const;
  // Why the connection is not ready: the last failure since it was last ready, or empty while
  // the first attempt is still under way (or when it is ready).
  const std::string& last_error() const { return last_error_; }
  // Times the connection was lost (or a login failed) and a new one scheduled.
  std::uint64_t reconnects() const { return reconnects_; }
  // True when the control account logged in with mysql_native_password and no switch, so its
  // credentials can end abandoned client handshakes (see ControlSession).
  bool usable_for_handshakes() const { return usable_for_handshakes_; }
  const session::ControlCredentials& credentials() const { return credentials_; }
  KillRight kill_right() const { return kill_right_; }
  // The server refused a KILL QUERY (ERR 1095/1227): logged once per login, and cancels fall
  // back to finish until the next login (privileges are read by the server at login).
  void kill_refused(std::uint32_t server_connection_id, std::uint16_t code,
                    const std::string& message);

  void on_read(net::Stream& stream, ByteView bytes) override;
  void on_read_end(net::Stream& stream, int status) override;
  void on_written(net::Stream&) override {}
  void on_closed(net::Stream& stream) override;

 private:
  struct Pending {
    std::string sql;
    Callback done;
  };
  // What timer_ is waiting for: one use at a time.
  enum class Waiting {
    Login,    // the way to ready (resolve, connect, greeting, login) within connect_timeout
    Retry,    // the backoff before the next attempt
    QuitEof,  // the server's EOF after COM_QUIT, within close_timeout
  };
  ~ControlConnection() override = default;
  void connect();
  void connected(int status);
  void on_timer();
  void start_timer(Waiting what, std::chrono::milliseconds timeout);
  void on_logged_in();
  void check_kill_right();
  void pump();
  void start_tls();
  void send_quit();
  void lost(const std::string& why);
  void schedule_retry();
  void fail_pending();
  void finish_stop();
  std::string missing_grant_advice() const;

  uv_loop_t* loop_;
  net::Target upstream_;
  session::ControlCredentials credentials_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds close_timeout_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<session::ControlSession> session_;
  net::Stream* stream_ = nullptr;  // from connect() until its on_closed
  ControlTls tls_;
  std::uint64_t reconnects_ = 0;
  OwnTls tls_leg_;  // plaintext until the login starts TLS on this connection
  net::Timer* timer_;
  Waiting waiting_ = Waiting::Login;
  std::deque<Pending> pending_;
  bool running_ = false;  // the front of pending_ is in flight
  bool usable_for_handshakes_ = false;
  bool stopping_ = false;
  bool announced_failure_ = false;  // one warning per outage, not one per retry
  bool refusal_logged_ = false;     // one line per login for refused KILLs
  bool own_threads_only_;  // grants not read: KILL QUERY of its own threads is always allowed
  KillRight kill_right_ = KillRight::Unknown;
  std::string last_error_;
  std::string account_;  // 'user'@'host' as SHOW GRANTS names it
  std::chrono::milliseconds retry_delay_{250};
  bool retry_after_refusal_ = false;  // the last login was refused: the next try waits longer
  std::function<void()> on_stopped_;
  std::function<void()> on_logged_in_;
};

}  // namespace gw::control
