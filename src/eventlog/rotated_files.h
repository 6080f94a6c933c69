#pragma once
// Which files the tools read for the paths a user names, in the order they were written.
//
// A path without a numeric suffix stands for itself and the rotated files beside it that exist
// (path.1, path.2, ... up to the first missing number). A path ending in .N stands for itself
// only. Files of one log are ordered oldest first: path.N, ..., path.1, path. Logs appear in
// the order the user named them; a file named twice is read once.

#include <string>
#include <vector>

namespace gw::eventlog {

std::vector<std::string> with_rotated(const std::vector<std::string>& paths);

}  // namespace gw::eventlog
