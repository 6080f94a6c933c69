#include "config/control_password.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gw::config {
namespace {

Explained<std::string> from_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return problem("control.password_env: environment variable " + name + " is not set");
  }
  if (*value == '\0') {
    return problem("control.password_env: environment variable " + name + " is empty");
  }
  return std::string(value);
}

Explained<std::string> from_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return problem("control.password_file: cannot read " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return problem("control.password_file: cannot open " + path + ": " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string password = content.str();
  password = password.substr(0, password.find_first_of("\r\n"));
  if (password.empty()) return problem("control.password_file: " + path + " holds no password");
  return password;
}

}  // namespace

Explained<std::string> read_control_password(const ControlConfig& control) {
  if (!control.password.empty()) return control.password;
  if (!control.password_env.empty()) return from_env(control.password_env);
  if (!control.password_file.empty()) return from_file(control.password_file);
  return std::string();
}

}  // namespace gw::config
