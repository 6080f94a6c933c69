#pragma once
// ControlConnection: the one authenticated upstream session gracewire keeps as the control
// account, so that cancelling a statement (KILL QUERY) costs no handshake. It reconnects when
// it is lost, runs statements one at a time in order, and is closed with COM_QUIT like any
// other session. Heap object; deletes itself once stop() has finished.
//
//   connecting ──► logging in ──► ready ⇄ running a statement
//        ▲                          │ lost / refused
//        └──── retry (backoff) ◄────┘
//   stop(): COM_QUIT, wait for the server's EOF (close_timeout), close, on_stopped

#include <uv.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "config/address.h"
#include "net/stream.h"
#include "session/control_session.h"
#include "session/session.h"

namespace spdlog {
class logger;
}

namespace gw::proxy {

class ControlConnection final : public net::StreamObserver {
 public:
  using Result = session::ControlSession::QueryResult;
  // Gets the statement's result, or nullptr when it could not be run (connection down at stop).
  using Callback = std::function<void(const Result*)>;

  ControlConnection(uv_loop_t* loop, config::Endpoint upstream,
                    session::ControlCredentials credentials,
                    std::chrono::milliseconds close_timeout);
  ControlConnection(const ControlConnection&) = delete;
  ControlConnection& operator=(const ControlConnection&) = delete;

  void start();
  // Runs `sql` as soon as the connection is ready, after the statements queued before it.
  void run(std::string sql, Callback done);
  // Ends the session with COM_QUIT; calls on_stopped once every handle is closed, then deletes
  // itself. Queued statements get nullptr.
  void stop(std::function<void()> on_stopped);

  bool ready() const;
  // True when the control account logged in with mysql_native_password and no switch, so its
  // credentials can end abandoned client handshakes (see ControlSession).
  bool usable_for_handshakes() const { return usable_for_handshakes_; }
  const session::ControlCredentials& credentials() const { return credentials_; }

  void on_read(net::Stream& stream, ByteView bytes) override;
  void on_read_end(net::Stream& stream, int status) override;
  void on_written(net::Stream&) override {}
  void on_closed(net::Stream& stream) override;

 private:
  struct Pending {
    std::string sql;
    Callback done;
  };
  ~ControlConnection() override = default;
  void connect();
  static void on_connected(uv_connect_t* req, int status);
  void pump();
  void lost(const std::string& why);
  void schedule_retry();
  void fail_pending();
  void finish_stop();

  uv_loop_t* loop_;
  config::Endpoint upstream_;
  session::ControlCredentials credentials_;
  std::chrono::milliseconds close_timeout_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<session::ControlSession> session_;
  net::Stream* stream_ = nullptr;
  uv_connect_t connect_req_{};
  uv_timer_t timer_{};
  std::deque<Pending> pending_;
  bool running_ = false;  // the front of pending_ is in flight
  bool usable_for_handshakes_ = false;
  bool stopping_ = false;
  bool announced_failure_ = false;  // one warning per outage, not one per retry
  std::chrono::milliseconds retry_delay_{250};
  std::function<void()> on_stopped_;
};

}  // namespace gw::proxy
