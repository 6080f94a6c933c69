#pragma once
// The session state block of an OK packet (CLIENT_SESSION_TRACK, status
// SERVER_SESSION_STATE_CHANGED): what changed in the session during the command.
//
//   repeated until the block ends:
//     int<1>          type    0 system variable, 1 schema, 2 state change, 3 GTIDs (MySQL),
//                             4 transaction characteristics, 5 transaction state
//     string<lenenc>  data    for a system variable: string<lenenc> name, string<lenenc> value
//
// gracewire reads one entry from it: MariaDB's `last_gtid` system variable, which the server
// reports after each command that committed a transaction (when session_track_system_variables
// names it), so that a binlog change record can name the session that made it.

#include <optional>
#include <string_view>

#include "core/bytes.h"

namespace gw::protocol {

// The value of the system variable `name` in `session_state` (OkPacket::session_state), the
// last one when it changed more than once; nullopt when it is not there or the block is
// malformed (a block is informational: a bad one is skipped, never trusted in part).
[[nodiscard]] std::optional<std::string_view> find_tracked_variable(ByteView session_state,
                                                                    std::string_view name);

}  // namespace gw::protocol
