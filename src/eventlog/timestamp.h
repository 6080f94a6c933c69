#pragma once
// RFC 3339 timestamps in UTC with microseconds: "2026-11-24T09:02:08.582123Z". Fixed width, so
// lines sort by time as text and every record's `ts` has the same shape.

#include <chrono>
#include <string>

namespace gw::eventlog {

void append_rfc3339(std::string& out, std::chrono::system_clock::time_point ts);
std::string rfc3339(std::chrono::system_clock::time_point ts);

}  // namespace gw::eventlog
