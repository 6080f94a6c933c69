#pragma once
// ControlService: the control account's connection as a service (service.h), owned by the
// application. It keeps one ControlConnection and the cancels' retry and refusal logic:
//
//   cancel_query ──► KILL QUERY ──► answered OK or ERR 1094 (already gone) ──► retried every
//        500 ms while the session still waits, one KILL in flight per session
//                                ──► ERR 1095/1227 (not allowed) ──► no more KILLs for it; the
//        connection logs the missing GRANT once per login and later cancels are not sent
//
// One connection runs the cancels one at a time: parallel KILL QUERYs from several connections
// were measured to leave MariaDB 10.11's SELECT SLEEP() sessions unwoken more often; one at a
// time, each answered KILL took effect.

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "control/control_tls.h"
#include "control/service.h"
#include "net/address.h"
#include "session/control_session.h"

namespace spdlog {
class logger;
}
namespace gw::net {
class Timer;
}

namespace gw::control {

class ControlConnection;

class ControlService final : public Service {
 public:
  struct Settings {
    net::Target upstream;  // names resolved as for client sessions
    session::ControlCredentials credentials;
    // The configuration's upstream.connect_timeout and close.close_timeout; their defaults live
    // in config/defaults.h only.
    std::chrono::milliseconds connect_timeout{};
    std::chrono::milliseconds close_timeout{};
    // The account only ever kills its own threads (the binlog account ending its own dump),
    // which every account may: its grants are not read and no GRANT is suggested.
    bool own_threads_only = false;
    ControlTls tls;  // TLS toward the server (none by default)
  };

  ControlService(uv_loop_t* loop, const Settings& settings);
  // Only once stop()'s done has run.
  ~ControlService() override;
  ControlService(const ControlService&) = delete;
  ControlService& operator=(const ControlService&) = delete;

  // Connects and logs in, retrying with backoff; statements asked before are queued (and
  // answered as failed if stop() comes first).
  void start();
  // TLS settings from a reload (SIGHUP), for the next login (control_connection.h).
  void set_tls(ControlTls tls);

  void cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id,
                    std::function<void()> answered) override;
  void cancel_finished(std::uint64_t session_id) override;
  void kill_connection(std::uint32_t server_connection_id) override;
  void read_abort_counters(std::function<void(std::optional<AbortCounters>)> done) override;
  bool ready() const override;
  const std::string& last_error() const override;
  // For the metrics: new connections after a loss or a failed login.
  std::uint64_t reconnects() const;
  const session::ControlCredentials* handshake_credentials() const override;
  void on_logged_in(std::function<void()> callback) override;
  void stop(bool now, std::function<void()> done) override;

 private:
  struct Cancelling {
    std::uint32_t server_connection_id = 0;
    bool in_flight = false;  // a KILL QUERY for it is queued or awaiting the server's answer
    std::function<void()> answered;  // until the first answer
  };
  void send_cancel(std::uint32_t server_connection_id, std::uint64_t session_id);
  void on_cancel_answer(std::uint32_t server_connection_id, std::uint64_t session_id,
                        const session::ControlSession::QueryResult* result);
  void retry_cancels();

  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<spdlog::logger> session_log_;  // lines about one session, "[s<id>] …"
  // Deletes itself once stop() has finished; null from then on.
  ControlConnection* connection_;
  bool started_ = false;
  bool stopping_ = false;
  std::string last_error_;   // kept from the connection when it goes
  net::Timer* retry_timer_;  // null once stop() closed it
  std::unordered_map<std::uint64_t, Cancelling> cancelling_;  // by session id
  std::vector<std::function<void()>> on_logged_in_;
  std::function<void()> on_stopped_;
};

}  // namespace gw::control
