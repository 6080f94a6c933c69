#include "config/validate.h"

#include <array>

#include "config/password.h"
#include "config/units.h"
#include "core/errors.h"

namespace gw::config {
namespace {

std::size_t line_of(const KeyLines& lines, const std::string& key) {
  const auto it = lines.find(key);
  return it == lines.end() ? 0 : it->second;
}

void check_water_marks(const BufferConfig& buffers, const KeyLines& lines,
                       std::vector<ConfigError>& errors) {
  if (buffers.low_water < buffers.high_water) return;
  const std::string marks = "(low_water = " + format_size(buffers.low_water) +
                            ", high_water = " + format_size(buffers.high_water) + ")";
  // Blame a key the user wrote, so the message has a line to point at.
  if (lines.contains("buffers.low_water")) {
    errors.push_back({.key = "buffers.low_water",
                      .problem = "must be less than buffers.high_water " + marks,
                      .line = line_of(lines, "buffers.low_water"),
                      .code = config_errc::invalid_value});
  } else {
    errors.push_back({.key = "buffers.high_water",
                      .problem = "must be greater than buffers.low_water " + marks,
                      .line = line_of(lines, "buffers.high_water"),
                      .code = config_errc::invalid_value});
  }
}

// Messages here say which keys are set, never what they hold.
void check_password_sources(const PasswordSources& table, const KeyLines& lines,
                            std::vector<ConfigError>& errors) {
  const std::string prefix = std::string(table.table) + ".";
  const std::array<std::pair<std::string, bool>, 3> sources = {{
      {prefix + "password", !table.password.empty()},
      {prefix + "password_env", !table.password_env.empty()},
      {prefix + "password_file", !table.password_file.empty()},
  }};
  std::vector<std::string> set;
  for (const auto& [key, is_set] : sources) {
    if (is_set) set.push_back(key);
  }
  if (set.size() < 2) return;
  // Point at the last of them in the file: the earlier one was there first.
  std::string blamed = set.front();
  for (const auto& key : set) {
    if (line_of(lines, key) > line_of(lines, blamed)) blamed = key;
  }
  std::string others;
  for (const auto& key : set) {
    if (key == blamed) continue;
    others += (others.empty() ? "" : " and ") + key;
  }
  const char* const verb = set.size() > 2 ? " are" : " is";
  errors.push_back({.key = blamed,
                    .problem = "set only one password source; " + others + verb + " also set",
                    .line = line_of(lines, blamed),
                    .code = config_errc::invalid_value});
}

// A problem blamed on `key`, at its line when the file set it (else line 0: a flag or default).
void blame(const KeyLines& lines, std::string key, std::string problem,
           std::vector<ConfigError>& errors, std::error_code code = config_errc::invalid_value) {
  const std::size_t line = line_of(lines, key);
  errors.push_back(
      {.key = std::move(key), .problem = std::move(problem), .line = line, .code = code});
}

// A certificate needs its key and a key its certificate: one without the other is a slip, not
// a wish for no TLS.
void check_cert_and_key(std::string_view table, const std::string& cert, const std::string& key,
                        const KeyLines& lines, std::vector<ConfigError>& errors) {
  const std::string prefix = std::string(table) + ".";
  if (!cert.empty() && key.empty()) {
    blame(lines, prefix + "tls_key", "required with " + prefix + "tls_cert: its private key (PEM)",
          errors, config_errc::missing_value);
  } else if (cert.empty() && !key.empty()) {
    blame(lines, prefix + "tls_cert",
          "required with " + prefix + "tls_key: the certificate chain (PEM)", errors,
          config_errc::missing_value);
  }
}

void check_tls(const Config& config, const KeyLines& lines, std::vector<ConfigError>& errors) {
  const ListenerConfig& listener = config.listener;
  check_cert_and_key("listener", listener.tls_cert, listener.tls_key, lines, errors);
  if (listener.tls_cert.empty()) {
    if (listener.tls_mode == ListenerTls::Required) {
      blame(lines, "listener.tls_mode",
            "\"required\" needs a certificate to offer: set listener.tls_cert and "
            "listener.tls_key",
            errors);
    }
    if (!listener.tls_ca.empty()) {
      blame(lines, "listener.tls_ca",
            "verifies client certificates, which needs TLS: set listener.tls_cert and "
            "listener.tls_key",
            errors);
    }
  }
  const UpstreamConfig& upstream = config.upstream;
  check_cert_and_key("upstream", upstream.tls_cert, upstream.tls_key, lines, errors);
  if (upstream.tls_mode == UpstreamTls::Disabled &&
      (!upstream.tls_ca.empty() || !upstream.tls_cert.empty())) {
    const std::string key = upstream.tls_ca.empty() ? "upstream.tls_cert" : "upstream.tls_ca";
    blame(lines, key, "is set, but upstream.tls_mode is \"disabled\"", errors);
  }
}

}  // namespace

std::vector<ConfigError> check_binlog_enabled(const BinlogConfig& binlog, const KeyLines& lines,
                                              std::string_view enabled_by) {
  std::vector<ConfigError> errors;
  if (!binlog.enabled) return errors;
  // Blame binlog.enabled's line: that is where the requirement comes from.
  const std::size_t line = line_of(lines, "binlog.enabled");
  const std::string why = " when the binlog follower is enabled (" + std::string(enabled_by) + ")";
  if (binlog.server_id == 0) {
    errors.push_back({.key = "binlog.server_id",
                      .problem = "required" + why +
                                 ": a replica id (1..4294967295) that differs from the server's "
                                 "and every other replica's",
                      .line = line,
                      .code = config_errc::missing_value});
  }
  if (binlog.user.empty()) {
    errors.push_back(
        {.key = "binlog.user",
         .problem = "required" + why + ": an account with REPLICATION SLAVE and BINLOG MONITOR",
         .line = line,
         .code = config_errc::missing_value});
  }
  return errors;
}

std::optional<std::string> binlog_destination_problem(const Config& config) {
  if (!config.binlog.enabled || !config.binlog.path.empty() || !config.event_log.path.empty()) {
    return std::nullopt;
  }
  return "binlog.path: change records need somewhere to go: set binlog.path or event_log.path";
}

std::vector<ConfigError> validate(const Config& config, const KeyLines& lines) {
  std::vector<ConfigError> errors;
  check_water_marks(config.buffers, lines, errors);
  check_tls(config, lines, errors);
  check_password_sources(password_sources(config.control), lines, errors);
  check_password_sources(password_sources(config.binlog), lines, errors);
  for (auto& error : check_binlog_enabled(config.binlog, lines, "binlog.enabled = true")) {
    errors.push_back(std::move(error));
  }
  return errors;
}

}  // namespace gw::config
