#pragma once
// The words the config file and the command line use for each enum, in one place so the parser,
// the error messages and conf/gracewire.toml cannot drift apart.

#include <string>
#include <string_view>

#include "config/config.h"
#include "config/explained.h"

namespace gw::config {

std::string_view to_string(LogLevel value);
std::string_view to_string(LogFormat value);
std::string_view to_string(ClientAbort value);
std::string_view to_string(InFlight value);
std::string_view to_string(EventLogLoss value);
std::string_view to_string(ListenerTls value);
std::string_view to_string(UpstreamTls value);
std::string_view to_string(TlsVersion value);

// Errors list the accepted words: `expected one of "trace", "debug", ...; got "verbose"`.
[[nodiscard]] Explained<LogLevel> parse_log_level(std::string_view text);
[[nodiscard]] Explained<LogFormat> parse_log_format(std::string_view text);
[[nodiscard]] Explained<ClientAbort> parse_client_abort(std::string_view text);
[[nodiscard]] Explained<InFlight> parse_in_flight(std::string_view text);
[[nodiscard]] Explained<EventLogLoss> parse_event_log_loss(std::string_view text);
[[nodiscard]] Explained<ListenerTls> parse_listener_tls(std::string_view text);
[[nodiscard]] Explained<UpstreamTls> parse_upstream_tls(std::string_view text);
[[nodiscard]] Explained<TlsVersion> parse_tls_version(std::string_view text);

// The command classes event_log.commands may name. src/eventlog/command_class.h says which
// commands each holds; a unit test keeps the two lists equal.
inline constexpr std::string_view kCommandClassNames[] = {"query",   "prepared",    "schema",
                                                          "session", "replication", "admin"};
[[nodiscard]] Explained<std::string> parse_command_class(std::string_view text);

}  // namespace gw::config
