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

// Of `keys`, the one set latest in the file (the earlier ones were there first); the first when
// the file set none.
std::string latest_of(const KeyLines& lines, const std::vector<std::string>& keys) {
  std::string latest = keys.front();
  for (const auto& key : keys) {
    if (line_of(lines, key) > line_of(lines, latest)) latest = key;
  }
  return latest;
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
  const std::string blamed = latest_of(lines, set);
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

// Two ways to log in to NATS: a credentials file, or a user and its password. Messages name the
// keys, never what they hold.
void check_publish(const PublishConfig& publish, const KeyLines& lines,
                   std::vector<ConfigError>& errors) {
  const bool user = !publish.nats_user.empty();
  const bool password_env = !publish.nats_password_env.empty();
  if (!publish.nats_creds.empty() && (user || password_env)) {
    std::vector<std::string> set = {"publish.nats_creds"};
    if (user) set.emplace_back("publish.nats_user");
    if (password_env) set.emplace_back("publish.nats_password_env");
    blame(lines, latest_of(lines, set),
          "set one way to log in to NATS: publish.nats_creds, or publish.nats_user with "
          "publish.nats_password_env, not both",
          errors);
  } else if (user && !password_env) {
    blame(lines, "publish.nats_password_env",
          "required with publish.nats_user: the name of an environment variable holding its "
          "password",
          errors, config_errc::missing_value);
  } else if (!user && password_env) {
    blame(lines, "publish.nats_user",
          "required with publish.nats_password_env: the NATS user the password belongs to", errors,
          config_errc::missing_value);
  }
  if (!publish.nats_url.empty() && !publish.lifecycle && !publish.audit && !publish.changes) {
    // Blame the switch the file turned off last; publish.nats_url when none came from the file.
    std::vector<std::string> off;
    for (const char* key : {"publish.lifecycle", "publish.audit", "publish.changes"}) {
      if (lines.contains(key)) off.emplace_back(key);
    }
    blame(lines, off.empty() ? "publish.nats_url" : latest_of(lines, off),
          "publishing is on (publish.nats_url is set) but publishes nothing: set "
          "publish.lifecycle, publish.audit or publish.changes to true",
          errors);
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
  // Published only: the event log's writer runs without a file (eventlog/outlet.h).
  if (!config.publish.nats_url.empty() && config.publish.changes) return std::nullopt;
  return "binlog.path: change records need somewhere to go: set binlog.path or event_log.path, "
         "or publish them (publish.nats_url)";
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
  check_publish(config.publish, lines, errors);
  return errors;
}

}  // namespace gw::config
