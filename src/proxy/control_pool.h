#pragma once
// ControlPool: the control connections. One is kept open for the life of the proxy (statements
// such as the self-audit run on it); cancels (KILL QUERY) go to whichever connection is idle, and
// when none is, another one is opened, up to kMaxConnections. The server can hold one KILL QUERY
// for seconds (MariaDB 10.11 with many SELECT SLEEP() sessions: the killer waits in 'starting'
// until its victim ends), and one stuck KILL must not hold back the cancels queued behind it.
// Extra connections stay until stop(), which ends every one of them with COM_QUIT.

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/address.h"
#include "proxy/control_connection.h"
#include "session/session.h"

namespace spdlog {
class logger;
}

namespace gw::proxy {

class ControlPool {
 public:
  static constexpr std::size_t kMaxConnections = 4;

  ControlPool(uv_loop_t* loop, config::Endpoint upstream, session::ControlCredentials credentials,
              std::chrono::milliseconds close_timeout, std::shared_ptr<spdlog::logger> log);
  ControlPool(const ControlPool&) = delete;
  ControlPool& operator=(const ControlPool&) = delete;

  void start();
  // KILL QUERY <server_connection_id>, for the session `session_id` (named in the log);
  // `done(answered)` once the server has answered it (whatever the answer), or with false when
  // it could not be sent.
  void cancel(std::uint32_t server_connection_id, std::uint64_t session_id,
              std::function<void(bool answered)> done);
  // Runs `sql` on the connection kept for the proxy's life.
  void run(std::string sql, ControlConnection::Callback done);
  // COM_QUIT on every connection; `on_stopped` once all are closed.
  void stop(std::function<void()> on_stopped);

  bool usable_for_handshakes() const;
  const session::ControlCredentials& credentials() const { return credentials_; }

 private:
  struct Cancel {
    std::uint32_t server_connection_id;
    std::uint64_t session_id;
    std::function<void(bool answered)> done;
  };
  ControlConnection* open_connection();
  void dispatch();

  uv_loop_t* loop_;
  config::Endpoint upstream_;
  session::ControlCredentials credentials_;
  std::chrono::milliseconds close_timeout_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<ControlConnection*> connections_;  // [0] is the long-lived one; each deletes itself
  std::deque<Cancel> cancels_;
  bool stopping_ = false;
};

}  // namespace gw::proxy
