#pragma once
// Every key the config file may hold, and how its TOML value becomes a Config field. Internal to
// gw_config: load.cpp walks the document against this list.

#include <toml++/toml.h>

#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "config/config.h"
#include "config/keys.h"

namespace gw::config {

struct ValueProblem {
  std::error_code code;  // config_errc::wrong_type or config_errc::invalid_value
  std::string text;
};
using ReadResult = std::expected<void, ValueProblem>;

struct KeySpec {
  std::string_view table;  // "buffers"
  std::string_view name;   // "high_water"
  ReadResult (*read)(const toml::node& value, Config& config);
  // The values a numeric key accepts, as conf/gracewire.toml writes them ("1ms..1h",
  // "0 or 4KiB..1024GiB"); null for other keys.
  std::string (*range)() = nullptr;

  std::string dotted() const { return std::string(table) + "." + std::string(name); }
};

std::span<const KeySpec> known_keys();
const KeySpec* find_key(std::string_view table, std::string_view name);

// "boolean", "integer", "string", ... as a person would say it.
std::string_view type_name(const toml::node& value);

}  // namespace gw::config
