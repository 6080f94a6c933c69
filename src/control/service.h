#pragma once
// control::Service: what gracewire's other parts ask of the control account's connection. The
// application owns the one instance (control_service.h), starts it before the proxy and stops it
// last; the proxy uses it for cancels, kills, the shutdown self-audit and the credentials that
// end abandoned handshakes, and the binlog follower will use it to end its dump.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "session/session.h"

namespace gw::control {

// The server's own count of aborted sessions (SHOW GLOBAL STATUS), for the self-audit.
struct AbortCounters {
  std::int64_t clients = 0;   // Aborted_clients
  std::int64_t connects = 0;  // Aborted_connects
};

class Service {
 public:
  virtual ~Service() = default;

  // KILL QUERY <server_connection_id> on behalf of `session_id`, asked again every 500 ms (a
  // KILL can be acknowledged without waking the statement) until cancel_finished(session_id).
  // Nothing is sent when the account is known to lack the right: the statement then finishes.
  // `answered` runs once, when the first KILL is answered, fails, or is not sent at all (it may
  // run before cancel_query returns); not after cancel_finished(session_id) or stop().
  virtual void cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id,
                            std::function<void()> answered) = 0;
  virtual void cancel_finished(std::uint64_t session_id) = 0;
  // KILL CONNECTION <server_connection_id>, once; failures are logged.
  virtual void kill_connection(std::uint32_t server_connection_id) = 0;
  // Aborted_clients and Aborted_connects, or nullopt when they could not be read (not logged in
  // by the time the service stops, or the statement failed).
  virtual void read_abort_counters(std::function<void(std::optional<AbortCounters>)> done) = 0;

  // Logged in and idle or busy.
  virtual bool ready() const = 0;
  // Why it is not ready (the last failure), or empty while the first attempt is under way.
  virtual const std::string& last_error() const = 0;
  // The control credentials once the account has logged in with mysql_native_password and no
  // auth switch (so they can end abandoned client handshakes); else null.
  virtual const session::ControlCredentials* handshake_credentials() const = 0;
  // Called after every login (the first, and each reconnect); callbacks add up.
  virtual void on_logged_in(std::function<void()> callback) = 0;

  // Ends the connection with COM_QUIT, at most close_timeout (with `now`: at once, no wait);
  // `done` runs once it is closed. Queued statements are answered as failed. A second call with
  // `now` cuts a stop under way short; its `done` is not kept.
  virtual void stop(bool now, std::function<void()> done) = 0;
};

}  // namespace gw::control
