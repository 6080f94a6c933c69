#include "proxy/proxy_metrics.h"

#include <algorithm>
#include <vector>

namespace gw::proxy {
namespace {

template <typename Words, typename Counts>
std::vector<metrics::LabeledValue> labeled(const Words& words, const Counts& counts) {
  std::vector<metrics::LabeledValue> out;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out.push_back({words[i], static_cast<double>(counts[i])});
  }
  return out;
}

template <typename List, typename Value>
std::size_t index_of(const List& list, const Value& value) {
  return static_cast<std::size_t>(std::ranges::find(list, value) - list.begin());
}

constexpr std::array<std::string_view, 2> kLegs = {"client", "server"};
constexpr std::array<std::string_view, 2> kRefusals = {"max_connections", "tls_required"};

}  // namespace

void ProxyMetrics::session_ended(session::CloseReason reason, session::UpstreamEnd upstream_end) {
  if (const auto i = index_of(session::kCloseReasons, reason); i < sessions_ended.size()) {
    ++sessions_ended[i];
  }
  if (const auto i = index_of(session::kUpstreamEnds, upstream_end); i < upstream_ends.size()) {
    ++upstream_ends[i];
  }
  if (reason == session::CloseReason::HandshakeAbort &&
      upstream_end == session::UpstreamEnd::ComQuitEof) {
    ++abandoned_handshakes_ended;
  }
}

void ProxyMetrics::command_ended(std::string_view command_name, double seconds) {
  const auto i = index_of(eventlog::kCommandClasses, eventlog::command_class(command_name));
  if (i < commands.size()) ++commands[i];
  command_duration.observe(seconds);
}

ProxyMetrics& ProxyMetrics::operator+=(const ProxyMetrics& other) {
#define GW_ADD(member, name, help) member += other.member;
  GW_PROXY_COUNTERS(GW_ADD)
#undef GW_ADD
  const auto add = [](auto& to, const auto& from) {
    for (std::size_t i = 0; i < to.size(); ++i) to[i] += from[i];
  };
  add(sessions_ended, other.sessions_ended);
  add(upstream_ends, other.upstream_ends);
  add(commands, other.commands);
  add(refused, other.refused);
  add(tls_handshakes, other.tls_handshakes);
  add(tls_failures, other.tls_failures);
  command_duration += other.command_duration;
  session_duration += other.session_duration;
  upstream_connect += other.upstream_connect;
  return *this;
}

void ProxyMetrics::write(metrics::Exposition& out, std::size_t active_connections) const {
#define GW_WRITE(member, name, help) out.counter(name, help, static_cast<double>(member));
  GW_PROXY_COUNTERS(GW_WRITE)
#undef GW_WRITE
  out.counters("client_connections_refused_total", "Client connections refused, by reason.",
               "reason", labeled(kRefusals, refused));
  out.gauge("client_connections_active", "Client connections open now.",
            static_cast<double>(active_connections));
  std::array<std::string_view, session::kCloseReasons.size()> kinds{};
  std::ranges::transform(session::kCloseReasons, kinds.begin(),
                         [](session::CloseReason r) { return session::to_string(r); });
  out.counters("sessions_ended_total",
               "Sessions ended, by how the client ended them (the close record's close_kind).",
               "close_kind", labeled(kinds, sessions_ended));
  std::array<std::string_view, session::kUpstreamEnds.size()> ends{};
  std::ranges::transform(session::kUpstreamEnds, ends.begin(),
                         [](session::UpstreamEnd e) { return session::to_string(e); });
  out.counters("sessions_upstream_closed_total",
               "Sessions ended, by how gracewire ended the upstream session (upstream_close).",
               "upstream_close", labeled(ends, upstream_ends));
  out.counters("commands_total", "Commands answered, by class (event_log.commands' words).",
               "class", labeled(eventlog::kCommandClasses, commands));
  out.counters("tls_handshakes_total", "TLS handshakes completed, by leg.", "leg",
               labeled(kLegs, tls_handshakes));
  out.counters("tls_handshake_failures_total", "TLS sessions that failed, by leg.", "leg",
               labeled(kLegs, tls_failures));
  out.histogram("command_duration_seconds",
                "From a command's first byte to the end of its response.", command_duration);
  out.histogram("session_duration_seconds", "From a client's accept to its session's end.",
                session_duration);
  out.histogram("upstream_connect_seconds", "Time to connect to the server for a client session.",
                upstream_connect);
}

}  // namespace gw::proxy
