#include "config/schema.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/enum_names.h"
#include "config/units.h"
#include "core/errors.h"

namespace gw::config {
namespace {

// Far above any fd limit worth having, low enough that a typo of extra zeros is caught.
constexpr std::int64_t kMaxConnectionsLimit = 1'000'000;

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

ReadResult read_duration(const toml::node& value, std::chrono::milliseconds& field) {
  if (const auto* number = value.as_integer()) {
    if (number->get() < 0)
      return invalid("cannot be negative, got " + std::to_string(number->get()));
    field = std::chrono::milliseconds(number->get());
    return {};
  }
  if (const auto* text = value.as_string()) return store(parse_duration(text->get()), field);
  return wrong_type(R"(a duration like "2s" or integer milliseconds)", value);
}

ReadResult read_size(const toml::node& value, std::uint64_t& field) {
  if (const auto* number = value.as_integer()) {
    if (number->get() < 0)
      return invalid("cannot be negative, got " + std::to_string(number->get()));
    field = static_cast<std::uint64_t>(number->get());
    return {};
  }
  if (const auto* text = value.as_string()) return store(parse_size(text->get()), field);
  return wrong_type(R"(a size like "64KiB")", value);
}

ReadResult read_bool(const toml::node& value, bool& field) {
  const auto* flag = value.as_boolean();
  if (flag == nullptr) return wrong_type("true or false", value);
  field = flag->get();
  return {};
}

// An integer between `low` and `high`.
template <typename T>
ReadResult read_count(const toml::node& value, std::int64_t low, std::int64_t high, T& field) {
  const auto* number = value.as_integer();
  if (number == nullptr) return wrong_type("an integer", value);
  if (number->get() < low || number->get() > high) {
    return invalid("must be between " + std::to_string(low) + " and " + std::to_string(high) +
                   ", got " + std::to_string(number->get()));
  }
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

ReadResult read_max_connections(const toml::node& value, Config& config) {
  const auto* number = value.as_integer();
  if (number == nullptr) return wrong_type("an integer", value);
  if (number->get() < 1 || number->get() > kMaxConnectionsLimit) {
    return invalid("must be between 1 and " + std::to_string(kMaxConnectionsLimit) + ", got " +
                   std::to_string(number->get()));
  }
  config.listener.max_connections = static_cast<std::uint32_t>(number->get());
  return {};
}

ReadResult read_connect_timeout(const toml::node& value, Config& config) {
  auto& field = config.upstream.connect_timeout;
  if (auto read = read_duration(value, field); !read) return read;
  if (field.count() == 0) return invalid("must be greater than 0");
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

// A queue longer than this holds gigabytes of records: surely a typo.
constexpr std::int64_t kMaxQueueRecords = 10'000'000;
constexpr std::int64_t kMaxRotateKeep = 1'000;

constexpr std::array<KeySpec, 30> kKeys = {{
    {"listener", "address",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_listen_address, c.listener.address);
     }},
    {"listener", "max_connections", read_max_connections},
    {"upstream", "address",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_upstream_address, c.upstream.address);
     }},
    {"upstream", "connect_timeout", read_connect_timeout},
    {"buffers", "high_water",
     [](const toml::node& v, Config& c) { return read_size(v, c.buffers.high_water); }},
    {"buffers", "low_water",
     [](const toml::node& v, Config& c) { return read_size(v, c.buffers.low_water); }},
    {"log", "level",
     [](const toml::node& v, Config& c) { return read_text(v, parse_log_level, c.log.level); }},
    {"log", "format",
     [](const toml::node& v, Config& c) { return read_text(v, parse_log_format, c.log.format); }},
    {"close", "close_timeout",
     [](const toml::node& v, Config& c) { return read_duration(v, c.close.close_timeout); }},
    {"close", "drain_timeout",
     [](const toml::node& v, Config& c) { return read_duration(v, c.close.drain_timeout); }},
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
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_env_name, c.control.password_env);
     }},
    {"control", "password_file",
     [](const toml::node& v, Config& c) { return read_string(v, c.control.password_file); }},
    {"event_log", "path",
     [](const toml::node& v, Config& c) { return read_string(v, c.event_log.path); }},
    {"event_log", "rotate_size",
     [](const toml::node& v, Config& c) { return read_size(v, c.event_log.rotate_size); }},
    {"event_log", "rotate_keep",
     [](const toml::node& v, Config& c) {
       return read_count(v, 0, kMaxRotateKeep, c.event_log.rotate_keep);
     }},
    {"event_log", "flush_interval",
     [](const toml::node& v, Config& c) { return read_duration(v, c.event_log.flush_interval); }},
    {"event_log", "loss",
     [](const toml::node& v, Config& c) {
       return read_text(v, parse_event_log_loss, c.event_log.loss);
     }},
    {"event_log", "queue_records",
     [](const toml::node& v, Config& c) {
       return read_count(v, 1, kMaxQueueRecords, c.event_log.queue_records);
     }},
    {"event_log", "hash_chain",
     [](const toml::node& v, Config& c) { return read_bool(v, c.event_log.hash_chain); }},
    {"event_log", "lifecycle",
     [](const toml::node& v, Config& c) { return read_bool(v, c.event_log.lifecycle); }},
    {"event_log", "audit",
     [](const toml::node& v, Config& c) { return read_bool(v, c.event_log.audit); }},
    {"event_log", "params",
     [](const toml::node& v, Config& c) { return read_bool(v, c.event_log.params); }},
    {"event_log", "statement_limit",
     [](const toml::node& v, Config& c) { return read_size(v, c.event_log.statement_limit); }},
    {"event_log", "users",
     [](const toml::node& v, Config& c) { return read_string_list(v, c.event_log.users); }},
    {"event_log", "schemas",
     [](const toml::node& v, Config& c) { return read_string_list(v, c.event_log.schemas); }},
    {"event_log", "commands",
     [](const toml::node& v, Config& c) {
       return read_string_list(v, c.event_log.commands, parse_command_class);
     }},
}};

}  // namespace

std::span<const KeySpec> known_keys() { return kKeys; }

std::vector<std::string> known_tables() {
  std::vector<std::string> tables;
  for (const auto& key : kKeys) {
    if (tables.empty() || tables.back() != key.table) tables.emplace_back(key.table);
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
