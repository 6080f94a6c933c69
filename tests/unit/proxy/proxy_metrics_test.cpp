// The proxy's metrics page: every name once, in Prometheus's conventions, and the labelled
// families covering exactly the vocabularies they are indexed by (close kinds, upstream closes,
// command classes), so that a word added there cannot go uncounted here.

#include "proxy/proxy_metrics.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "eventlog/close_kinds.h"

namespace gw::proxy {
namespace {

std::string page(const ProxyMetrics& m, std::size_t active = 0) {
  metrics::Exposition out;
  m.write(out, active);
  return out.take();
}

TEST(ProxyMetrics, EveryFamilyIsNamedOnceInPrometheusConventions) {
  const std::string text = page(ProxyMetrics{});
  std::istringstream lines(text);
  std::set<std::string> families;
  // "# TYPE <name> <type>", read without std::regex (GCC 12 warns inside it under ASan).
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string hash, keyword, name, type;
    if (!(words >> hash >> keyword >> name >> type) || hash != "#" || keyword != "TYPE") continue;
    EXPECT_TRUE(name.starts_with("gracewire_")) << name;
    EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << line;
    EXPECT_TRUE(families.insert(name).second) << "twice: " << name;
    EXPECT_EQ(type == "counter", name.ends_with("_total")) << name;
  }
  for (const char* name :
       {"gracewire_client_connections_accepted_total", "gracewire_client_connections_refused_total",
        "gracewire_client_connections_active", "gracewire_sessions_ended_total",
        "gracewire_sessions_upstream_closed_total", "gracewire_commands_total",
        "gracewire_client_received_bytes_total", "gracewire_client_sent_bytes_total",
        "gracewire_server_received_bytes_total", "gracewire_server_sent_bytes_total",
        "gracewire_cancels_sent_total", "gracewire_kills_sent_total",
        "gracewire_abandoned_handshakes_ended_total", "gracewire_tls_handshakes_total",
        "gracewire_tls_handshake_failures_total", "gracewire_command_duration_seconds",
        "gracewire_session_duration_seconds", "gracewire_upstream_connect_seconds"}) {
    EXPECT_TRUE(families.contains(name)) << name;
  }
}

TEST(ProxyMetrics, EveryCloseKindAndUpstreamCloseHasASample) {
  const std::string text = page(ProxyMetrics{});
  for (auto kind : eventlog::close_kind::kAll) {
    EXPECT_NE(
        text.find("gracewire_sessions_ended_total{close_kind=\"" + std::string(kind) + "\"} 0\n"),
        std::string::npos)
        << kind;
  }
  for (auto end : eventlog::upstream_close::kAll) {
    EXPECT_NE(text.find("gracewire_sessions_upstream_closed_total{upstream_close=\"" +
                        std::string(end) + "\"} 0\n"),
              std::string::npos)
        << end;
  }
  for (auto cls : eventlog::kCommandClasses) {
    EXPECT_NE(text.find("gracewire_commands_total{class=\"" + std::string(cls) + "\"} 0\n"),
              std::string::npos)
        << cls;
  }
}

TEST(ProxyMetrics, AnEndedSessionCountsUnderItsWords) {
  ProxyMetrics m;
  m.session_ended(session::CloseReason::HandshakeAbort, session::UpstreamEnd::ComQuitEof);
  m.session_ended(session::CloseReason::ClientQuit, session::UpstreamEnd::ComQuitEof);
  m.command_ended("COM_QUERY", 0.002);
  m.command_ended("COM_STMT_EXECUTE", 0.002);
  m.command_ended("COM_PING", 0.002);
  const std::string text = page(m, 3);
  for (const char* sample : {
           "gracewire_sessions_ended_total{close_kind=\"handshake_abort\"} 1\n",
           "gracewire_sessions_ended_total{close_kind=\"com_quit\"} 1\n",
           "gracewire_sessions_upstream_closed_total{upstream_close=\"com_quit_eof\"} 2\n",
           "gracewire_abandoned_handshakes_ended_total 1\n",
           "gracewire_commands_total{class=\"query\"} 1\n",
           "gracewire_commands_total{class=\"prepared\"} 1\n",
           "gracewire_commands_total{class=\"admin\"} 1\n",
           "gracewire_command_duration_seconds_count 3\n",
           "gracewire_client_connections_active 3\n",
       }) {
    EXPECT_NE(text.find(sample), std::string::npos) << sample;
  }
}

}  // namespace
}  // namespace gw::proxy
