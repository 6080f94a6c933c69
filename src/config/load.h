#pragma once
// Reading a TOML config into a Config. Everything is checked: unknown tables and keys (with a
// "did you mean"), wrong types, bad values and rules between keys. Keys not in the file keep
// the defaults from config.h. Start-up only; nothing here is on the data path.

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/config_error.h"

namespace gw::config {

// The first error in file order.
[[nodiscard]] std::expected<Config, ConfigError> parse_config(std::string_view toml_text,
                                                              std::string_view source_name);
[[nodiscard]] std::expected<Config, ConfigError> load_config_file(const std::string& path);

// Every error, in file order, for --check-config. A TOML syntax error stops parsing, so it is
// always alone.
[[nodiscard]] std::expected<Config, std::vector<ConfigError>> parse_config_all(
    std::string_view toml_text, std::string_view source_name);
[[nodiscard]] std::expected<Config, std::vector<ConfigError>> load_config_file_all(
    const std::string& path);

}  // namespace gw::config
