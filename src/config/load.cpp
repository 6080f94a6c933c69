#include "config/load.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ranges>
#include <sstream>

#include "config/schema.h"
#include "config/suggest.h"
#include "config/validate.h"
#include "core/errors.h"

namespace gw::config {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Lines 1..`last` of `text`, without their newlines.
std::vector<std::string_view> first_lines(std::string_view text, std::size_t last) {
  std::vector<std::string_view> lines;
  while (lines.size() < last) {
    const auto newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return lines;
}

// toml++ quotes the characters it choked on, which may be part of a password. Details are
// withheld for any line that names a password and for everything under [control] and [binlog],
// the tables that hold one.
bool may_hold_secret(std::string_view text, std::size_t line) {
  const auto lines = first_lines(text, line);
  if (lines.empty()) return false;
  if (lowercase(lines.back()).find("password") != std::string::npos) return true;
  for (const auto& entry : std::views::reverse(lines)) {
    const auto start = entry.find_first_not_of(" \t");
    if (start != std::string_view::npos && entry[start] == '[') {
      const auto header = lowercase(entry);
      // [publish]: a nats_url may carry user:password@ (refused later, but quoted here).
      return header.find("control") != std::string::npos ||
             header.find("binlog") != std::string::npos ||
             header.find("publish") != std::string::npos;
    }
  }
  return false;
}

ConfigError syntax_error(const toml::parse_error& error, std::string_view text,
                         std::string_view source_name) {
  std::string description(error.description());
  if (!description.empty()) {
    description[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(description[0])));
  }
  const auto& where = error.source().begin;
  if (may_hold_secret(text, where.line)) {
    // toml++ puts what it was parsing before the colon and what it saw after it.
    const auto colon = description.find(':');
    description = (colon == std::string::npos ? "syntax error" : description.substr(0, colon)) +
                  " (details withheld: this part of the file may hold a password)";
  }
  return {.problem = "invalid TOML: " + description,
          .line = where.line,
          .column = where.column,
          .file = std::string(source_name),
          .code = config_errc::parse_error};
}

// Walks the parsed document against the schema, filling `config` and collecting errors.
class Walker {
 public:
  Walker(Config& config, std::string_view source_name) : config_(config), file_(source_name) {}

  void walk(const toml::table& root) {
    for (const auto& [key, node] : root) {
      const std::string name(key.str());
      const std::size_t line = key.source().begin.line;
      const auto tables = known_tables();
      if (std::find(tables.begin(), tables.end(), name) == tables.end()) {
        unknown_at_root(name, node, line);
      } else if (const auto* table = node.as_table()) {
        walk_table(name, *table);
      } else {
        add(name, "expected a table ([" + name + "]), got " + std::string(type_name(node)), line,
            config_errc::wrong_type);
      }
    }
  }

  const KeyLines& lines() const { return lines_; }
  std::vector<ConfigError>& errors() { return errors_; }

 private:
  void walk_table(const std::string& table_name, const toml::table& table) {
    for (const auto& [key, node] : table) {
      const std::string name(key.str());
      const std::size_t line = key.source().begin.line;
      const KeySpec* spec = find_key(table_name, name);
      if (spec == nullptr) {
        unknown_in_table(table_name, name, line);
        continue;
      }
      lines_[spec->dotted()] = line;
      if (auto read = spec->read(node, config_); !read) {
        add(spec->dotted(), std::move(read.error().text), line, read.error().code);
      }
    }
  }

  void unknown_at_root(const std::string& name, const toml::node& node, std::size_t line) {
    const bool is_table = node.is_table();
    std::string problem_text = is_table ? "unknown table" : "unknown key";
    // Compare with tables and with "table.key", so "log_level" finds "log.level".
    auto candidates = known_tables();
    const auto dotted = known_dotted_keys();
    candidates.insert(candidates.end(), dotted.begin(), dotted.end());
    if (auto guess = closest_match(name, candidates)) {
      problem_text += " (did you mean " + in_quotes(*guess) + "?)";
    } else {
      problem_text += "; known tables are " + joined(known_tables());
    }
    add(name, std::move(problem_text), line, config_errc::unknown_key);
  }

  void unknown_in_table(const std::string& table_name, const std::string& name, std::size_t line) {
    std::string problem_text = "unknown key";
    const auto siblings = known_keys_of(table_name);
    if (auto guess = closest_match(name, siblings)) {
      problem_text += " (did you mean " + in_quotes(table_name + "." + *guess) + "?)";
    } else if (auto elsewhere = key_in_other_table(name)) {
      problem_text += " in [" + table_name + "] (did you mean " + in_quotes(*elsewhere) + "?)";
    } else {
      problem_text += "; [" + table_name + "] accepts " + joined(siblings);
    }
    add(table_name + "." + name, std::move(problem_text), line, config_errc::unknown_key);
  }

  // A key written under the wrong table, such as drain_timeout under [log].
  static std::optional<std::string> key_in_other_table(std::string_view name) {
    for (const auto& spec : known_keys()) {
      if (spec.name == name) return spec.dotted();
    }
    return std::nullopt;
  }

  void add(std::string key, std::string problem_text, std::size_t line, std::error_code code) {
    errors_.push_back({.key = std::move(key),
                       .problem = std::move(problem_text),
                       .line = line,
                       .file = std::string(file_),
                       .code = code});
  }

  Config& config_;
  std::string_view file_;
  KeyLines lines_;
  std::vector<ConfigError> errors_;
};

}  // namespace

namespace {

// toml++ 3.3.0 (Debian 12) reaches TOML_UNREACHABLE, undefined behaviour, when it asks whether a
// code point in U+FC06..U+FEFE is whitespace (found by fuzzing the loader). No key or value of
// gracewire's needs those Arabic presentation forms, so a file holding one is refused before the
// library sees it.
std::optional<ConfigError> refuse_unreadable_characters(std::string_view text,
                                                        std::string_view source_name) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < text.size(); ++i, ++column) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      ++line;
      column = 0;
      continue;
    }
    if (byte != 0xEF || i + 2 >= text.size()) continue;
    const auto b1 = static_cast<unsigned char>(text[i + 1]);
    const auto b2 = static_cast<unsigned char>(text[i + 2]);
    if ((b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) continue;
    const std::uint32_t code_point = 0xF000u | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
    if (code_point < 0xFC06 || code_point > 0xFEFE) continue;
    return ConfigError{.problem = fmt::format("character U+{:04X} is not allowed in a config file "
                                              "(the TOML library cannot read U+FC06..U+FEFE "
                                              "safely)",
                                              code_point),
                       .line = line,
                       .column = column,
                       .file = std::string(source_name),
                       .code = config_errc::parse_error};
  }
  return std::nullopt;
}

}  // namespace

std::expected<Config, std::vector<ConfigError>> parse_config_all(std::string_view toml_text,
                                                                 std::string_view source_name) {
  if (auto refused = refuse_unreadable_characters(toml_text, source_name)) {
    return std::unexpected(std::vector{std::move(*refused)});
  }
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    return std::unexpected(std::vector{syntax_error(error, toml_text, source_name)});
  }

  Config config;
  Walker walker(config, source_name);
  walker.walk(root);
  auto& errors = walker.errors();
  // Rules between keys only make sense once every key read cleanly.
  if (errors.empty()) {
    for (auto& error : validate(config, walker.lines())) {
      error.file = std::string(source_name);
      errors.push_back(std::move(error));
    }
  }
  if (!errors.empty()) {
    // toml++ tables are ordered by key name; people read files top to bottom.
    std::stable_sort(errors.begin(), errors.end(),
                     [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
    return std::unexpected(std::move(errors));
  }
  return config;
}

std::expected<Config, std::vector<ConfigError>> load_config_file_all(const std::string& path) {
  const auto cannot = [&](const char* what, int error_number) {
    return std::unexpected(
        std::vector<ConfigError>{{.problem = std::string(what) + ": " + std::strerror(error_number),
                                  .file = path,
                                  .code = std::error_code(error_number, std::generic_category())}});
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return cannot("cannot read", EISDIR);
  std::ifstream in(path, std::ios::binary);
  if (!in) return cannot("cannot open", errno != 0 ? errno : ENOENT);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return cannot("cannot read", EIO);
  return parse_config_all(text.str(), path);
}

std::expected<Config, ConfigError> parse_config(std::string_view toml_text,
                                                std::string_view source_name) {
  auto config = parse_config_all(toml_text, source_name);
  if (!config) return std::unexpected(std::move(config.error().front()));
  return std::move(*config);
}

std::expected<Config, ConfigError> load_config_file(const std::string& path) {
  auto config = load_config_file_all(path);
  if (!config) return std::unexpected(std::move(config.error().front()));
  return std::move(*config);
}

}  // namespace gw::config
