#include "config/password.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gw::config {
namespace {

// Far above any password; a file this large was named by mistake (a log, a binary).
constexpr std::uintmax_t kMaxPasswordFile = 64ULL << 10;

std::string key(const PasswordSources& sources, std::string_view name) {
  return std::string(sources.table) + "." + std::string(name);
}

Explained<std::string> from_env(const PasswordSources& sources) {
  const std::string name(sources.password_env);
  const std::string where = key(sources, "password_env");
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return problem(where + ": environment variable " + name + " is not set");
  }
  if (*value == '\0') return problem(where + ": environment variable " + name + " is empty");
  return std::string(value);
}

Explained<std::string> from_file(const PasswordSources& sources) {
  const std::string path(sources.password_file);
  const std::string where = key(sources, "password_file");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return problem(where + ": cannot read " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return problem(where + ": cannot open " + path + ": " + std::strerror(errno));
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxPasswordFile) {
    return problem(where + ": " + path + " is " + std::to_string(size) +
                   " bytes, too large to hold a password");
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string password = content.str();
  password = password.substr(0, password.find_first_of("\r\n"));
  if (password.empty()) return problem(where + ": " + path + " holds no password");
  return password;
}

}  // namespace

PasswordSources password_sources(const ControlConfig& control) {
  return {.table = "control",
          .password = control.password,
          .password_env = control.password_env,
          .password_file = control.password_file};
}

PasswordSources password_sources(const BinlogConfig& binlog) {
  return {.table = "binlog",
          .password = binlog.password,
          .password_env = binlog.password_env,
          .password_file = binlog.password_file};
}

Explained<std::string> read_password(const PasswordSources& sources) {
  if (!sources.password.empty()) return std::string(sources.password);
  if (!sources.password_env.empty()) return from_env(sources);
  if (!sources.password_file.empty()) return from_file(sources);
  return std::string();
}

}  // namespace gw::config
