#pragma once
// What the proxy layer needs from the configuration, as plain values.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config/address.h"
#include "config/defaults.h"
#include "net/address.h"
#include "proxy/shared_state.h"
#include "session/session.h"

struct ssl_ctx_st;

namespace gw::eventlog {
class EventLog;
class SessionDirectory;
}  // namespace gw::eventlog

namespace gw::proxy {

struct ProxySettings {
  config::Endpoint listen;
  config::Endpoint upstream;
  // `upstream` as net connects to it: every connection gracewire opens there uses this.
  net::Target upstream_target() const;
  // Defaults as the configuration's (config/defaults.h), for tests that fill this directly.
  std::uint32_t max_connections = config::defaults::kMaxConnections;
  std::chrono::milliseconds connect_timeout = config::defaults::kConnectTimeout;
  // server: greeting after connecting
  std::chrono::milliseconds greeting_timeout = config::defaults::kGreetingTimeout;
  // client: HandshakeResponse after greeting
  std::chrono::milliseconds handshake_timeout = config::defaults::kHandshakeTimeout;
  std::chrono::milliseconds close_timeout = config::defaults::kCloseTimeout;
  std::chrono::milliseconds drain_timeout = config::defaults::kDrainTimeout;
  // A client accepted within this long before the drain began is served until it quits
  // (session.h, shutdown); 0: only one with no command answered yet.
  std::chrono::milliseconds serve_recent = config::defaults::kServeRecent;
  // Write-queue marks: past high_water stop reading the peer; resume below low_water.
  std::size_t high_water = config::defaults::kHighWater;
  std::size_t low_water = config::defaults::kLowWater;
  // Policies for every session; handshake_credentials is filled in by the proxy once the
  // control connection has shown the account logs in without an auth switch.
  session::SessionSettings session;
  // The control account: KILL QUERY for cancelled statements, the shutdown self-audit, and
  // clean ends for abandoned handshakes. Without it, cancel falls back to finish.
  std::optional<session::ControlCredentials> control;
  // Lifecycle and audit records; null or disabled for none. Owned by the caller.
  eventlog::EventLog* event_log = nullptr;
  // TLS contexts, shared with the sessions that started on them (a reload swaps these for new
  // sessions only). client_tls: gracewire as the server, toward clients; null when
  // listener.tls_cert is unset. server_tls: gracewire as a client, toward the server; null
  // when upstream TLS is off. session.client_tls and session.server_tls say when each is used.
  std::shared_ptr<ssl_ctx_st> client_tls;
  std::shared_ptr<ssl_ctx_st> server_tls;
  // The name sent as SNI and checked under verify_identity; empty: none.
  std::string server_tls_name;
  // Which server connection is which session, for the binlog follower's change records; null
  // when no follower runs. Owned by the caller.
  eventlog::SessionDirectory* directory = nullptr;
  // Shared by the proxies of every event loop; the proxy makes its own when null (one loop).
  std::shared_ptr<SharedState> shared;
  // "loop 2: " in the proxy's own log lines when several loops serve; "" for one.
  std::string log_prefix;
};

}  // namespace gw::proxy
