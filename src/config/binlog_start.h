#pragma once
// The binlog positions an operator writes: binlog.start in the config file, and --from/--to of
// `gracewire binlog`.
//
//   "current"                the server's end of log (start only)
//   "binlog.000003:4"        FILE:POS: a binlog file name (no '/', 1..255 bytes) and a decimal
//                            offset of at least 4 (the 4-byte magic comes first); the split is
//                            at the last ':'
//   "0-1-42" / "0-1-42,1-1-7" a MariaDB GTID list, one entry per domain (parse_gtid_list())

#include <string>
#include <string_view>

#include "config/config.h"
#include "config/explained.h"

namespace gw::config {

// Any of the three forms.
[[nodiscard]] Explained<BinlogStart> parse_binlog_start(std::string_view text);
// FILE:POS or a GTID list; "current" is refused (a range needs fixed ends).
[[nodiscard]] Explained<BinlogStart> parse_binlog_position(std::string_view text);

// The text form parse_binlog_start() accepts: "current", "binlog.000003:4", "0-1-42".
std::string format_binlog_start(const BinlogStart& start);

}  // namespace gw::config
