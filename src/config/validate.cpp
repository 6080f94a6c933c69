#include "config/validate.h"

#include <array>

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
void check_password_sources(const ControlConfig& control, const KeyLines& lines,
                            std::vector<ConfigError>& errors) {
  const std::array<std::pair<std::string, bool>, 3> sources = {{
      {"control.password", !control.password.empty()},
      {"control.password_env", !control.password_env.empty()},
      {"control.password_file", !control.password_file.empty()},
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

}  // namespace

std::vector<ConfigError> validate(const Config& config, const KeyLines& lines) {
  std::vector<ConfigError> errors;
  check_water_marks(config.buffers, lines, errors);
  check_password_sources(config.control, lines, errors);
  return errors;
}

}  // namespace gw::config
