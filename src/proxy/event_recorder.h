#pragma once
// EventRecorder: turns one connection's session events into event-log records (lifecycle and
// audit), adding what only the proxy knows: clocks and byte counts. Building a record is the
// only work done on the forwarding path; encoding and writing happen on the log's own thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "eventlog/record.h"
#include "protocol/constants.h"
#include "session/session.h"

namespace gw::eventlog {
class EventLog;
}

namespace gw::proxy {

class EventRecorder {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // `log` may be null or disabled: then nothing is recorded and nothing is built.
  EventRecorder(eventlog::EventLog* log, std::uint64_t session_id);

  bool enabled() const { return enabled_; }
  // The log's queue was full (loss = "block"): the session should not be read until take_room().
  bool over_limit() const { return over_limit_; }
  // After the log's room callback: true (and over_limit() false again) once there is room.
  bool take_room();
  void on_connect(std::string client, std::string listener);
  void on_bytes_from_client(std::size_t n) { bytes_from_client_ += n; }
  void on_bytes_to_client(std::size_t n) { bytes_to_client_ += n; }
  // How a TLS client ended its TLS, for the close record ("" for plaintext).
  void set_client_tls_end(std::string end) { client_tls_end_ = std::move(end); }
  // What each leg negotiated, for the auth record that follows.
  void set_tls(eventlog::LegTls client, eventlog::LegTls server) {
    client_tls_ = std::move(client);
    server_tls_ = std::move(server);
  }
  // One of the session's events, in the order of its actions.
  void on_event(const session::Session& session, session::SessionEvent event, SteadyTime now);
  void on_close(const session::Session& session, std::chrono::milliseconds duration,
                std::optional<std::chrono::milliseconds> upstream_close);

 private:
  void submit(eventlog::Record&& record);
  void track_secret_statements(protocol::Command command, bool ok, const session::Outcome& outcome);
  eventlog::Common common(const session::Session& session) const;
  void on_auth(const session::Session& session, const session::AuthResultEvent& event);
  void on_command_end(const session::Session& session, const session::CommandEndEvent& event,
                      SteadyTime now);

  eventlog::EventLog* log_;
  bool enabled_;
  bool over_limit_ = false;
  std::uint64_t session_id_;
  std::string client_;
  eventlog::LegTls client_tls_;
  std::string client_tls_end_;
  eventlog::LegTls server_tls_;
  std::uint64_t commands_ = 0;
  std::uint64_t bytes_from_client_ = 0;
  std::uint64_t bytes_to_client_ = 0;
  std::string last_command_;
  // The command in flight, as it began.
  std::optional<session::CommandBeginEvent> command_;
  // Prepared statements whose text mentions a secret: their bound parameters are redacted.
  std::unordered_set<std::uint32_t> secret_statements_;
  std::uint32_t last_prepared_ = 0;
  SteadyTime command_started_{};
  std::uint64_t command_bytes_from_client_ = 0;
  std::uint64_t command_bytes_to_client_ = 0;
};

}  // namespace gw::proxy
