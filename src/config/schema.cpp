#include "config/schema.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/binlog_start.h"
#include "config/enum_names.h"
#include "config/nats_names.h"
#include "config/units.h"
#include "core/errors.h"

namespace gw::config {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

// The values a numeric key accepts. A value passing its range must also work at run time: no
// overflow when it becomes a deadline (steady_clock nanoseconds), no stall, no busy loop.
// `or_zero` also admits 0, which then means "off" or "never".
template <typename T>
struct Range {
  T low;
  T high;
  bool or_zero = false;
};

std::string shown(milliseconds duration) { return format_duration(duration); }
std::string shown(std::uint64_t bytes) { return format_size(bytes); }
std::string shown(std::int64_t count) { return std::to_string(count); }

// "1ms..1h", "0..1GiB", "0 or 4KiB..1024GiB": zero needs no unit.
template <typename T>
std::string describe(const Range<T>& range) {
  return (range.or_zero ? "0 or " : "") + (range.low == T{} ? "0" : shown(range.low)) + ".." +
         shown(range.high);
}

// Far above any fd limit worth having, low enough that a typo of extra zeros is caught.
constexpr Range<std::int64_t> kMaxConnections{1, 1'000'000};
constexpr Range<std::int64_t> kLoops{0, defaults::kMaxLoops};  // 0: one per CPU
// Timeouts: long enough for any real server, short enough that a typo does not mean "never".
constexpr Range<milliseconds> kConnectTimeout{1ms, 1h};
constexpr Range<milliseconds> kCloseTimeout{1ms, 1h};
constexpr Range<milliseconds> kDrainTimeout{0ms, 24h};  // 0: cancel what runs at once
constexpr Range<milliseconds> kServeRecent{0ms, 1h};
constexpr Range<milliseconds> kLoginTimeout{1ms, 1h};  // greeting_timeout, handshake_timeout
// Commands held whole: one packet at most (16MiB - 1 bytes are used of "16MiB"); 0 streams all.
constexpr Range<std::uint64_t> kHoldLimit{0, 16ULL << 20};
// All sessions' held bytes together: room for at least one 16MiB command at the top; at least
// one full handshake response at the bottom.
constexpr Range<std::uint64_t> kHoldBudget{1ULL << 20, 64ULL << 30};
// Backpressure: resuming needs a backlog below low_water, so 0 would never resume (a stall).
constexpr Range<std::uint64_t> kHighWater{1ULL << 10, 1ULL << 30};
constexpr Range<std::uint64_t> kLowWater{1, 1ULL << 30};  // and below high_water (validate.cpp)
// A file per record or two below 4KiB; 0 never rotates.
constexpr Range<std::uint64_t> kRotateSize{4ULL << 10, 1ULL << 40, true};
constexpr Range<std::int64_t> kRotateKeep{0, 1'000};
// The writer thread's wake-up: 0 writes each record at once; above an hour records would wait
// longer than anyone reads a log for.
constexpr Range<milliseconds> kFlushInterval{0ms, 1h};
// A queue longer than this holds gigabytes of records: surely a typo.
constexpr Range<std::int64_t> kQueueRecords{1, 10'000'000};
// A replica's server_id: the server's own range. 0, the default, means "not set" (refused
// once the follower is enabled, validate.cpp), so that conf/gracewire.toml can show it.
constexpr Range<std::int64_t> kServerId{1, 4'294'967'295, true};
// The master_heartbeat_period asked of the server. The follower's read deadline is a few of
// these, so above a minute a half-open connection would go unnoticed too long; below 100ms the
// server sends more heartbeats than events.
constexpr Range<milliseconds> kHeartbeat{100ms, 60s};
// No statement is longer than max_allowed_packet's own limit, 1GiB.
constexpr Range<std::uint64_t> kStatementLimit{0, 1ULL << 30};
// Publishes awaiting the stream's acknowledgement, each holding its record's line: a million
// is already a gigabyte or so in flight, surely a typo beyond.
constexpr Range<std::int64_t> kMaxPending{1, 1'000'000};
// A resend (after a reconnect or a lost ack) is only recognised inside the window, and a
// reconnect takes seconds, so below 1s duplicates would get through; the server keeps every
// id of the window in memory, so past a week that is a typo costing memory.
constexpr Range<milliseconds> kDuplicateWindow{1s, 7 * 24h};

std::unexpected<ValueProblem> wrong_type(std::string_view expected, const toml::node& value) {
  return std::unexpected(
      ValueProblem{config_errc::wrong_type,
                   "expected " + std::string(expected) + ", got " + std::string(type_name(value))});
}
std::unexpected<ValueProblem> invalid(std::string text) {
  return std::unexpected(ValueProblem{config_errc::invalid_value, std::move(text)});
}

template <typename T>
ReadResult store(Explained<T> parsed, T& field) {
  if (!parsed) return invalid(std::move(parsed.error()));
  field = std::move(*parsed);
  return {};
}

// A string value run through `parse`, which gives the error text when the string is wrong.
template <typename T>
ReadResult read_text(const toml::node& value, Explained<T> (*parse)(std::string_view), T& field) {
  const auto* text = value.as_string();
  if (text == nullptr) return wrong_type("a string", value);
  return store(parse(text->get()), field);
}

ReadResult read_string(const toml::node& value, std::string& field) {
  const auto* text = value.as_string();
  if (text == nullptr) return wrong_type("a string", value);
  field = text->get();
  return {};
}

template <typename T>
ReadResult check(const Range<T>& range, T value) {
  if ((range.or_zero && value == T{}) || (value >= range.low && value <= range.high)) return {};
  return invalid("must be " + std::string(range.or_zero ? "0 or " : "") + "between " +
                 shown(range.low) + " and " + shown(range.high) + ", got " + shown(value));
}

ReadResult read_duration(const toml::node& value, const Range<milliseconds>& range,
                         milliseconds& field) {
  milliseconds read{};
  if (const auto* number = value.as_integer()) {
    if (number->get() < 0)
      return invalid("cannot be negative, got " + std::to_string(number->get()));
    read = milliseconds(number->get());
  } else if (const auto* text = value.as_string()) {
    if (auto stored = store(parse_duration(text->get()), read); !stored) return stored;
  } else {
    return wrong_type(R"(a duration like "2s" or integer milliseconds)", value);
  }
  if (auto in_range = check(range, read); !in_range) return in_range;
  field = read;
  return {};
}

ReadResult read_size(const toml::node& value, const Range<std::uint64_t>& range,
                     std::uint64_t& field) {
  std::uint64_t read = 0;
  if (const auto* number = value.as_integer()) {
    if (number->get() < 0)
      return invalid("cannot be negative, got " + std::to_string(number->get()));
    read = static_cast<std::uint64_t>(number->get());
  } else if (const auto* text = value.as_string()) {
    if (auto stored = store(parse_size(text->get()), read); !stored) return stored;
  } else {
    return wrong_type(R"(a size like "64KiB")", value);
  }
  if (auto in_range = check(range, read); !in_range) return in_range;
  field = read;
  return {};
}

ReadResult read_bool(const toml::node& value, bool& field) {
  const auto* flag = value.as_boolean();
  if (flag == nullptr) return wrong_type("true or false", value);
  field = flag->get();
  return {};
}

template <typename T>
ReadResult read_count(const toml::node& value, const Range<std::int64_t>& range, T& field) {
  const auto* number = value.as_integer();
  if (number == nullptr) return wrong_type("an integer", value);
  if (auto in_range = check(range, number->get()); !in_range) return in_range;
  field = static_cast<T>(number->get());
  return {};
}

// An array of strings, each run through `parse` when given. Errors name the element.
ReadResult read_string_list(const toml::node& value, std::vector<std::string>& field,
                            Explained<std::string> (*parse)(std::string_view) = nullptr) {
  const auto* array = value.as_array();
  if (array == nullptr) return wrong_type("an array of strings", value);
  std::vector<std::string> items;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto* text = (*array)[i].as_string();
    if (text == nullptr) {
      return std::unexpected(
          ValueProblem{config_errc::wrong_type, "element " + std::to_string(i + 1) +
                                                    ": expected a string, got " +
                                                    std::string(type_name((*array)[i]))});
    }
    if (parse == nullptr) {
      items.push_back(text->get());
    } else if (auto parsed = parse(text->get()); parsed) {
      items.push_back(std::move(*parsed));
    } else {
      return invalid("element " + std::to_string(i + 1) + ": " + parsed.error());
    }
  }
  field = std::move(items);
  return {};
}

// publish.nats_url: one server as a string, or a cluster's as an array; "" and [] are none.
ReadResult read_nats_urls(const toml::node& value, std::vector<std::string>& field) {
  if (value.is_array()) return read_string_list(value, field, parse_nats_url);
  const auto* text = value.as_string();
  if (text == nullptr) return wrong_type("a string or an array of strings", value);
  if (text->get().empty()) {
    field.clear();
    return {};
  }
  std::string url;
  if (auto stored = store(parse_nats_url(text->get()), url); !stored) return stored;
  field = {std::move(url)};
  return {};
}

Explained<std::string> parse_env_name(std::string_view text) {
  const auto valid = [](char c, bool first) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!valid(text[i], i == 0)) {
      return problem(in_quotes(text) + " is not an environment variable name");
    }
  }
  return std::string(text);
}

constexpr std::array<KeySpec, 73> kKeys = {{
    {"listener", "address",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_listen_address, c.listener.address);
     }},
    {"listener", "max_connections",
     [](const toml::node& v, Config& c) {
       return read_count(v, kMaxConnections, c.listener.max_connections);
     },
     [] { return describe(kMaxConnections); }},
    {"listener", "loops",
     [](const toml::node& v, Config& c) { return read_count(v, kLoops, c.listener.loops); },
     [] { return describe(kLoops); }},
    {"listener", "tls_mode",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_listener_tls, c.listener.tls_mode);
     }},
    {"listener", "tls_cert",
     [](const toml::node& v, Config& c) { return read_string(v, c.listener.tls_cert); }},
    {"listener", "tls_key",
     [](const toml::node& v, Config& c) { return read_string(v, c.listener.tls_key); }},
    {"listener", "tls_ca",
     [](const toml::node& v, Config& c) { return read_string(v, c.listener.tls_ca); }},
    {"listener", "tls_min_version",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_tls_version, c.listener.tls_min_version);
     }},
    {"listener", "tls_ciphers",
     [](const toml::node& v, Config& c) { return read_string(v, c.listener.tls_ciphers); }},
    {"upstream", "address",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_upstream_address, c.upstream.address);
     }},
    {"upstream", "greeting_timeout",
     [](const toml::node& v, Config& c) {
       return read_duration(v, kLoginTimeout, c.upstream.greeting_timeout);
     },
     [] { return describe(kLoginTimeout); }},
    {"listener", "handshake_timeout",
     [](const toml::node& v, Config& c) {
       return read_duration(v, kLoginTimeout, c.listener.handshake_timeout);
     },
     [] { return describe(kLoginTimeout); }},
    {"buffers", "hold_limit",
     [](const toml::node& v, Config& c) { return read_size(v, kHoldLimit, c.buffers.hold_limit); },
     [] { return describe(kHoldLimit); }},
    {"buffers", "hold_budget",
     [](const toml::node& v, Config& c) {
       return read_size(v, kHoldBudget, c.buffers.hold_budget);
     },
     [] { return describe(kHoldBudget); }},
    {"upstream", "connect_timeout",
     [](const toml::node& v, Config& c) {
       return read_duration(v, kConnectTimeout, c.upstream.connect_timeout);
     },
     [] { return describe(kConnectTimeout); }},
    {"upstream", "tls_mode",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_upstream_tls, c.upstream.tls_mode);
     }},
    {"upstream", "tls_ca",
     [](const toml::node& v, Config& c) { return read_string(v, c.upstream.tls_ca); }},
    {"upstream", "tls_server_name",
     [](const toml::node& v, Config& c) { return read_string(v, c.upstream.tls_server_name); }},
    {"upstream", "tls_cert",
     [](const toml::node& v, Config& c) { return read_string(v, c.upstream.tls_cert); }},
    {"upstream", "tls_key",
     [](const toml::node& v, Config& c) { return read_string(v, c.upstream.tls_key); }},
    {"buffers", "high_water",
     [](const toml::node& v, Config& c) { return read_size(v, kHighWater, c.buffers.high_water); },
     [] { return describe(kHighWater); }},
    {"buffers", "low_water",
     [](const toml::node& v, Config& c) { return read_size(v, kLowWater, c.buffers.low_water); },
     [] { return describe(kLowWater); }},
    {"log", "level",
     [](const toml::node& v, Config& c) { return read_text(v, parse_log_level, c.log.level); }},
    {"log", "format",
     [](const toml::node& v, Config& c) { return read_text(v, parse_log_format, c.log.format); }},
    {"close", "close_timeout",
     [](const toml::node& v, Config& c) {
       return read_duration(v, kCloseTimeout, c.close.close_timeout);
     },
     [] { return describe(kCloseTimeout); }},
    {"close", "drain_timeout",
     [](const toml::node& v, Config& c) {
       return read_duration(v, kDrainTimeout, c.close.drain_timeout);
     },
     [] { return describe(kDrainTimeout); }},
    {"close", "serve_recent",
     [](const toml::node& v, Config& c) {
       return read_duration(v, kServeRecent, c.close.serve_recent);
     },
     [] { return describe(kServeRecent); }},
    {"close", "client_abort",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_client_abort, c.close.client_abort);
     }},
    {"close", "in_flight",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_in_flight, c.close.in_flight);
     }},
    {"control", "user",
     [](const toml::node& v, Config& c) { return read_string(v, c.control.user); }},
    {"control", "password",
     [](const toml::node& v, Config& c) { return read_string(v, c.control.password); }},
    {"control", "password_env",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_env_name, c.control.password_env); }},
    {"control", "password_file",
     [](const toml::node& v, Config& c) { return read_string(v, c.control.password_file); }},
    {"event_log", "path",
     [](const toml::node& v, Config& c) { return read_string(v, c.event_log.path); }},
    {"event_log", "rotate_size",
     [](const toml::node& v, Config& c) {
       return read_size(v, kRotateSize, c.event_log.rotate_size);
     },
     [] { return describe(kRotateSize); }},
    {"event_log", "rotate_keep",
     [](const toml::node& v, Config& c) {
       return read_count(v, kRotateKeep, c.event_log.rotate_keep);
     },
     [] { return describe(kRotateKeep); }},
    {"event_log", "flush_interval",
     [](const toml::node& v, Config& c) {
       return read_duration(v, kFlushInterval, c.event_log.flush_interval);
     },
     [] { return describe(kFlushInterval); }},
    {"event_log", "loss",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_event_log_loss, c.event_log.loss); }},
    {"event_log", "queue_records",
     [](const toml::node& v, Config& c) {
       return read_count(v, kQueueRecords, c.event_log.queue_records);
     },
     [] { return describe(kQueueRecords); }},
    {"event_log", "hash_chain",
     [](const toml::node& v, Config& c) { return read_bool(v, c.event_log.hash_chain); }},
    {"event_log", "lifecycle",
     [](const toml::node& v, Config& c) { return read_bool(v, c.event_log.lifecycle); }},
    {"event_log", "audit",
     [](const toml::node& v, Config& c) { return read_bool(v, c.event_log.audit); }},
    {"event_log", "params",
     [](const toml::node& v, Config& c) { return read_bool(v, c.event_log.params); }},
    {"event_log", "statement_limit",
     [](const toml::node& v, Config& c) {
       return read_size(v, kStatementLimit, c.event_log.statement_limit);
     },
     [] { return describe(kStatementLimit); }},
    {"event_log", "users",
     [](const toml::node& v, Config& c) { return read_string_list(v, c.event_log.users); }},
    {"event_log", "schemas",
     [](const toml::node& v, Config& c) { return read_string_list(v, c.event_log.schemas); }},
    {"event_log", "commands",
     [](const toml::node& v,
        Config& c) { return read_string_list(v, c.event_log.commands, parse_command_class); }},
    {"binlog", "enabled",
     [](const toml::node& v, Config& c) { return read_bool(v, c.binlog.enabled); }},
    {"binlog", "user",
     [](const toml::node& v, Config& c) { return read_string(v, c.binlog.user); }},
    {"binlog", "password",
     [](const toml::node& v, Config& c) { return read_string(v, c.binlog.password); }},
    {"binlog", "password_env",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_env_name, c.binlog.password_env); }},
    {"binlog", "password_file",
     [](const toml::node& v, Config& c) { return read_string(v, c.binlog.password_file); }},
    {"binlog", "server_id",
     [](const toml::node& v, Config& c) { return read_count(v, kServerId, c.binlog.server_id); },
     [] { return describe(kServerId); }},
    {"binlog", "start",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_binlog_start, c.binlog.start); }},
    {"binlog", "checkpoint",
     [](const toml::node& v, Config& c) { return read_string(v, c.binlog.checkpoint); }},
    {"binlog", "heartbeat",
     [](const toml::node& v, Config& c) {
       return read_duration(v, kHeartbeat, c.binlog.heartbeat);
     },
     [] { return describe(kHeartbeat); }},
    {"binlog", "path",
     [](const toml::node& v, Config& c) { return read_string(v, c.binlog.path); }},
    {"admin", "address",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_admin_address, c.admin.address); }},
    {"publish", "nats_url",
     [](const toml::node& v, Config& c) { return read_nats_urls(v, c.publish.nats_url); }},
    {"publish", "nats_creds",
     [](const toml::node& v, Config& c) { return read_string(v, c.publish.nats_creds); }},
    {"publish", "nats_user",
     [](const toml::node& v, Config& c) { return read_string(v, c.publish.nats_user); }},
    {"publish", "nats_password_env",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_env_name, c.publish.nats_password_env); }},
    {"publish", "nats_tls_ca",
     [](const toml::node& v, Config& c) { return read_string(v, c.publish.nats_tls_ca); }},
    {"publish", "stream",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_stream_name, c.publish.stream); }},
    {"publish", "subject_prefix",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_subject_prefix, c.publish.subject_prefix); }},
    {"publish", "lifecycle",
     [](const toml::node& v, Config& c) { return read_bool(v, c.publish.lifecycle); }},
    {"publish", "audit",
     [](const toml::node& v, Config& c) { return read_bool(v, c.publish.audit); }},
    {"publish", "changes",
     [](const toml::node& v, Config& c) { return read_bool(v, c.publish.changes); }},
    {"publish", "max_pending",
     [](const toml::node& v, Config& c) {
       return read_count(v, kMaxPending, c.publish.max_pending);
     },
     [] { return describe(kMaxPending); }},
    {"publish", "loss",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_event_log_loss, c.publish.loss); }},
    {"publish", "create_stream",
     [](const toml::node& v, Config& c) { return read_bool(v, c.publish.create_stream); }},
    {"publish", "duplicate_window",
     [](const toml::node& v, Config& c) {
       return read_duration(v, kDuplicateWindow, c.publish.duplicate_window);
     },
     [] { return describe(kDuplicateWindow); }},
    {"publish", "instance",
     [](const toml::node& v,
        Config& c) { return read_text(v, parse_instance_name, c.publish.instance); }},
}};

}  // namespace

std::span<const KeySpec> known_keys() { return kKeys; }

std::vector<std::string> known_tables() {
  std::vector<std::string> tables;
  for (const auto& key : kKeys) {
    if (std::find(tables.begin(), tables.end(), key.table) == tables.end()) {
      tables.emplace_back(key.table);
    }
  }
  return tables;
}

std::vector<std::string> known_keys_of(std::string_view table) {
  std::vector<std::string> names;
  for (const auto& key : kKeys) {
    if (key.table == table) names.emplace_back(key.name);
  }
  return names;
}

std::vector<std::string> known_dotted_keys() {
  std::vector<std::string> names;
  names.reserve(kKeys.size());
  for (const auto& key : kKeys) names.push_back(key.dotted());
  return names;
}

const KeySpec* find_key(std::string_view table, std::string_view name) {
  for (const auto& key : kKeys) {
    if (key.table == table && key.name == name) return &key;
  }
  return nullptr;
}

std::string_view type_name(const toml::node& value) {
  switch (value.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

}  // namespace gw::config
