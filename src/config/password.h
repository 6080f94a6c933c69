#pragma once
// Passwords of the accounts gracewire logs in with ([control], [binlog]), from whichever one
// source the config names: the value itself, an environment variable or a file. Errors say
// which source failed and why, never what the password is or what the file held.

#include <string>
#include <string_view>

#include "config/config.h"
#include "config/explained.h"

namespace gw::config {

// The password keys of one table, viewed (not copied) from its config.
struct PasswordSources {
  std::string_view table;  // "control": errors name "control.password_env", ...
  std::string_view password;
  std::string_view password_env;   // name of an environment variable
  std::string_view password_file;  // path of a file
};

PasswordSources password_sources(const ControlConfig& control);
PasswordSources password_sources(const BinlogConfig& binlog);

// Empty when no source is set; the first set source otherwise (validate.cpp refuses a config
// with two). A file's content is used up to its first line break, so a file written with
// `echo secret > file` works; a file above 64KiB is refused unread.
[[nodiscard]] Explained<std::string> read_password(const PasswordSources& sources);

[[nodiscard]] inline Explained<std::string> read_password(const ControlConfig& control) {
  return read_password(password_sources(control));
}
[[nodiscard]] inline Explained<std::string> read_password(const BinlogConfig& binlog) {
  return read_password(password_sources(binlog));
}

}  // namespace gw::config
