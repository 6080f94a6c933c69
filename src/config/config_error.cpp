#include "config/config_error.h"

namespace gw::config {

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line != 0) {
    out += (out.empty() ? "line " : ":") + std::to_string(line);
    if (column != 0) out += ":" + std::to_string(column);
  }
  if (!out.empty()) out += ": ";
  if (!key.empty()) out += key + ": ";
  out += problem;
  return out;
}

}  // namespace gw::config
