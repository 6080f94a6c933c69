#pragma once
// One thing wrong with a configuration, located well enough for a person to fix it.

#include <cstddef>
#include <string>
#include <system_error>

namespace gw::config {

// Members all have initializers so designated initializers may leave any of them out.
struct ConfigError {
  std::string key{};       // dotted, e.g. "buffers.high_water"; empty for syntax and file errors
  std::string problem{};   // what is wrong, never quoting a password
  std::size_t line = 0;    // 1-based; 0 when the error has no place in the file
  std::size_t column = 0;  // 1-based; set for TOML syntax errors only
  std::string file{};      // the path or name the text came from; may be empty
  std::error_code code{};  // config_errc, for callers that branch on the kind of error

  // "conf/x.toml:12: buffers.high_water: expected a size like \"64KiB\", got boolean"; parts that
  // are not set are left out.
  std::string to_string() const;
};

}  // namespace gw::config
