#pragma once
// MySQL's binary JSON (the JSON column type, 245, in MySQL 5.7+ rows; MariaDB stores JSON as
// text and never sends this), converted to JSON text the way MySQL prints it ({"a": 1, "b": [1,
// 2]}). Reference: MySQL sql-common/json_binary.h, which documents the format:
//
//   doc    ::= type value
//   type   ::= 0x00 small object | 0x01 large object | 0x02 small array | 0x03 large array
//            | 0x04 literal (0x00 null, 0x01 true, 0x02 false) | 0x05 int16 | 0x06 uint16
//            | 0x07 int32 | 0x08 uint32 | 0x09 int64 | 0x0a uint64 | 0x0b double
//            | 0x0c utf8mb4 string | 0x0f opaque (a MySQL field type byte, then data)
//   object ::= count size key-entry* value-entry* key* value*   (count, size, offsets: 2 bytes
//   array  ::= count size value-entry* value*                    small, 4 bytes large; LE)
//   key-entry   ::= offset(2|4) length(2)
//   value-entry ::= type offset-or-inlined-value(2|4)  (literals, [u]int16 and, when large,
//                   [u]int32 are inlined)
//   string/opaque lengths: 7 bits per byte, low group first, high bit = more (up to 5 bytes)
//   offsets count from the start of the object or array (after its type byte)
//
// Hostile input: every offset and length is checked against its container, nesting is limited
// to kMaxJsonDepth, and the text is limited to kMaxJsonExpansion times the input (offsets may
// point many entries at one value: without a limit a small document could print for ever).

#include <cstddef>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol::binlog {

inline constexpr std::size_t kMaxJsonDepth = 100;  // MySQL's own document depth limit
inline constexpr std::size_t kMaxJsonExpansion = 16;

// Appends the text of `binary` to `out`. An empty input is JSON null (MySQL writes an empty
// value for a JSON null in some row images). invalid_value for anything malformed.
Result<void> mysql_json_to_text(ByteView binary, std::string& out);

}  // namespace gw::protocol::binlog
