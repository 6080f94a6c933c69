#pragma once
// `gracewire report` and `gracewire verify`, the event log's tools, and `gracewire binlog`, the
// binlog follower alone (binlog_command.h). They are chosen by the first argument, before the
// proxy's own command line is parsed, and never start the proxy.

#include <iosfwd>
#include <optional>

namespace gw::app {

// The exit code when argv[1] names a subcommand; nullopt when it does not.
std::optional<int> run_subcommand(int argc, const char* const* argv, std::ostream& out,
                                  std::ostream& err);

}  // namespace gw::app
