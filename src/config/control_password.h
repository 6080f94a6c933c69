#pragma once
// The control interface's password, from whichever one source the config names. Errors say
// which source failed and why, never what the password is or what the file held.

#include <string>

#include "config/config.h"
#include "config/explained.h"

namespace gw::config {

// Empty when no source is set. A file's content is used up to its first line break, so a
// file written with `echo secret > file` works.
[[nodiscard]] Explained<std::string> read_control_password(const ControlConfig& control);

}  // namespace gw::config
