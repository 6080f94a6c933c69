#pragma once
// Text columns in the records are UTF-8. A binlog row carries a text value in its column's
// character set; the ones that are not UTF-8 already and that gracewire converts are latin1
// (MySQL's latin1 is Windows-1252) and ascii. Other character sets (ucs2, utf16, gbk, ...) are
// kept as their bytes; the event log then writes them losslessly as base64 beside a U+FFFD
// rendering (eventlog/value_json.h).

#include <cstdint>
#include <string>
#include <string_view>

namespace gw::protocol::binlog {

// Whether `collation` (a collation id from TABLE_MAP metadata) is one of latin1's.
bool is_latin1(std::uint32_t collation);

// Appends `text`, read as MySQL's latin1 (cp1252; its five undefined bytes as U+0081 etc., as
// the server itself converts them), as UTF-8.
void append_latin1_as_utf8(std::string& out, std::string_view text);

}  // namespace gw::protocol::binlog
