#pragma once
// Every number the proxy keeps about its sessions, declared once, here, with its Prometheus name
// and help (README's "Operating gracewire" lists them; an integration test reads them back).
// Kept by each event loop for its own sessions, as plain integers: the admin endpoint asks each
// loop for a copy and writes their sum, so nothing on the forwarding path is atomic or shared.

#include <array>
#include <cstdint>

#include "eventlog/command_class.h"
#include "metrics/exposition.h"
#include "metrics/histogram.h"
#include "session/close_reason.h"

namespace gw::proxy {

// Counters without labels: X(member, Prometheus name, help).
#define GW_PROXY_COUNTERS(X)                                                               \
  X(accepted, "client_connections_accepted_total",                                         \
    "Client connections accepted by the listener (refused ones included).")                \
  X(client_bytes_received, "client_received_bytes_total",                                  \
    "Bytes read from clients, as on the wire (TLS records included).")                     \
  X(client_bytes_sent, "client_sent_bytes_total",                                          \
    "Bytes written to clients, as on the wire (TLS records included).")                    \
  X(server_bytes_received, "server_received_bytes_total",                                  \
    "Bytes read from the server by client sessions, as on the wire.")                      \
  X(server_bytes_sent, "server_sent_bytes_total",                                          \
    "Bytes written to the server by client sessions, as on the wire.")                     \
  X(cancels_sent, "cancels_sent_total",                                                    \
    "KILL QUERY asked of the control connection for a statement whose client left.")       \
  X(kills_sent, "kills_sent_total",                                                        \
    "KILL CONNECTION asked of the control connection for a session left inside a packet.") \
  X(abandoned_handshakes_ended, "abandoned_handshakes_ended_total",                        \
    "Upstream sessions of clients that left before logging in, ended with the control "    \
    "account's login and COM_QUIT.")

struct ProxyMetrics {
#define GW_MEMBER(member, name, help) std::uint64_t member = 0;
  GW_PROXY_COUNTERS(GW_MEMBER)
#undef GW_MEMBER

  // By close_kind and by upstream_close (session/close_reason.h), indexed like kCloseReasons
  // and kUpstreamEnds.
  std::array<std::uint64_t, session::kCloseReasons.size()> sessions_ended{};
  std::array<std::uint64_t, session::kUpstreamEnds.size()> upstream_ends{};
  // By command class (eventlog/command_class.h), indexed like kCommandClasses.
  std::array<std::uint64_t, eventlog::kCommandClasses.size()> commands{};
  // Clients refused: [0] max_connections reached, [1] plaintext where listener.tls_mode is
  // "required".
  std::array<std::uint64_t, 2> refused{};
  // By leg: [0] the client's, [1] the server's.
  std::array<std::uint64_t, 2> tls_handshakes{};
  std::array<std::uint64_t, 2> tls_failures{};

  metrics::Histogram command_duration{metrics::kLatencyBounds};
  metrics::Histogram session_duration{metrics::kLifetimeBounds};
  metrics::Histogram upstream_connect{metrics::kLatencyBounds};

  void session_ended(session::CloseReason reason, session::UpstreamEnd upstream_end);
  void command_ended(std::string_view command_name, double seconds);
  // Adds another loop's numbers (the admin endpoint's page is the sum over every loop).
  ProxyMetrics& operator+=(const ProxyMetrics& other);

  // Everything above, and the gauges only the proxy knows at the moment of the scrape.
  void write(metrics::Exposition& out, std::size_t active_connections) const;
};

}  // namespace gw::proxy
