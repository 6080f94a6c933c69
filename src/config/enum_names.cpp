#include "config/enum_names.h"

#include <array>
#include <utility>

namespace gw::config {
namespace {

constexpr std::array<std::pair<LogLevel, std::string_view>, 7> kLogLevels = {{
    {LogLevel::Trace, "trace"},
    {LogLevel::Debug, "debug"},
    {LogLevel::Info, "info"},
    {LogLevel::Warn, "warn"},
    {LogLevel::Error, "error"},
    {LogLevel::Critical, "critical"},
    {LogLevel::Off, "off"},
}};
constexpr std::array<std::pair<LogFormat, std::string_view>, 2> kLogFormats = {{
    {LogFormat::Text, "text"},
    {LogFormat::Json, "json"},
}};
constexpr std::array<std::pair<ClientAbort, std::string_view>, 2> kClientAborts = {{
    {ClientAbort::Absorb, "absorb"},
    {ClientAbort::Mirror, "mirror"},
}};
constexpr std::array<std::pair<InFlight, std::string_view>, 2> kInFlights = {{
    {InFlight::Cancel, "cancel"},
    {InFlight::Finish, "finish"},
}};

constexpr std::array<std::pair<EventLogLoss, std::string_view>, 2> kEventLogLosses = {{
    {EventLogLoss::Block, "block"},
    {EventLogLoss::Drop, "drop"},
}};

constexpr std::array<std::pair<ListenerTls, std::string_view>, 3> kListenerTls = {{
    {ListenerTls::Disabled, "disabled"},
    {ListenerTls::Preferred, "preferred"},
    {ListenerTls::Required, "required"},
}};
constexpr std::array<std::pair<UpstreamTls, std::string_view>, 6> kUpstreamTls = {{
    {UpstreamTls::Disabled, "disabled"},
    {UpstreamTls::Preferred, "preferred"},
    {UpstreamTls::Required, "required"},
    {UpstreamTls::VerifyCa, "verify_ca"},
    {UpstreamTls::VerifyIdentity, "verify_identity"},
    {UpstreamTls::AsClient, "as_client"},
}};
constexpr std::array<std::pair<TlsVersion, std::string_view>, 2> kTlsVersions = {{
    {TlsVersion::Tls12, "TLSv1.2"},
    {TlsVersion::Tls13, "TLSv1.3"},
}};

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [e, name] : names) {
    if (e == value) return name;
  }
  return "?";
}

template <typename E, std::size_t N>
Explained<E> parse_name(const std::array<std::pair<E, std::string_view>, N>& names,
                        std::string_view text) {
  for (const auto& [e, name] : names) {
    if (name == text) return e;
  }
  std::string choices;
  for (const auto& [e, name] : names) {
    if (!choices.empty()) choices += ", ";
    choices += in_quotes(name);
  }
  return problem("expected one of " + choices + "; got " + in_quotes(text));
}

}  // namespace

std::string_view to_string(LogLevel value) { return name_of(kLogLevels, value); }
std::string_view to_string(LogFormat value) { return name_of(kLogFormats, value); }
std::string_view to_string(ClientAbort value) { return name_of(kClientAborts, value); }
std::string_view to_string(InFlight value) { return name_of(kInFlights, value); }

Explained<LogLevel> parse_log_level(std::string_view text) { return parse_name(kLogLevels, text); }
Explained<LogFormat> parse_log_format(std::string_view text) {
  return parse_name(kLogFormats, text);
}
Explained<ClientAbort> parse_client_abort(std::string_view text) {
  return parse_name(kClientAborts, text);
}
Explained<InFlight> parse_in_flight(std::string_view text) { return parse_name(kInFlights, text); }

std::string_view to_string(EventLogLoss value) { return name_of(kEventLogLosses, value); }
Explained<EventLogLoss> parse_event_log_loss(std::string_view text) {
  return parse_name(kEventLogLosses, text);
}

std::string_view to_string(ListenerTls value) { return name_of(kListenerTls, value); }
std::string_view to_string(UpstreamTls value) { return name_of(kUpstreamTls, value); }
std::string_view to_string(TlsVersion value) { return name_of(kTlsVersions, value); }
Explained<ListenerTls> parse_listener_tls(std::string_view text) {
  return parse_name(kListenerTls, text);
}
Explained<UpstreamTls> parse_upstream_tls(std::string_view text) {
  return parse_name(kUpstreamTls, text);
}
Explained<TlsVersion> parse_tls_version(std::string_view text) {
  return parse_name(kTlsVersions, text);
}

Explained<std::string> parse_command_class(std::string_view text) {
  std::string choices;
  for (const auto name : kCommandClassNames) {
    if (name == text) return std::string(name);
    choices += (choices.empty() ? "" : ", ") + in_quotes(name);
  }
  return problem("expected a command class, one of " + choices + "; got " + in_quotes(text));
}

}  // namespace gw::config
