#pragma once
// One protocol value (a binlog row's column) as one JSON value, for the `before` and `after`
// objects of "row" records (json.h). Typed, so a consumer gets numbers as numbers:
//
//   NULL                      null
//   integers                  numbers, exact (18446744073709551615, -9223372036854775808)
//   FLOAT, DOUBLE             numbers with the shortest digits that read back exactly (a FLOAT
//                             with a float's digits: 0.1, not 0.10000000149011612); NaN and
//                             infinities, which no server stores, become null
//   DECIMAL                   a string of its exact text: "-12.500" (a JSON number would lose
//                             digits in most parsers)
//   text (String)             a string; see "Bytes that are not UTF-8" below
//   binary (Bytes)            a string of the bytes in base64 (RFC 4648, padded): BINARY,
//                             VARBINARY and BLOB columns render as base64, always
//   GEOMETRY                  {"srid":4326,"wkb":"0101000000..."}, the WKB in lower-case hex
//   DATE                      "2024-01-31"
//   DATETIME, TIMESTAMP       "2024-01-31 10:00:00[.fff]": with fsp >= 0, exactly fsp fraction
//                             digits (fsp 0: none); with kFspUnknown, six digits only when the
//                             microseconds are not zero. Zero dates stay as stored:
//                             "0000-00-00 00:00:00"
//   TIME                      "[-]HH:MM:SS[.fff]", hours = days * 24 + hour (so "-838:59:59"),
//                             the same fraction rule
//   long data                 null (it cannot occur in a row)
//
// Bytes that are not UTF-8 in a text value (a column in latin1, or bytes a client sent as
// utf8mb4 that are not): the string holds U+FFFD for each ill-formed sequence, as every other
// field does (json_string.h), and append_value_json() returns false. A field cannot have a
// `<field>_base64` sibling inside an object keyed by column names (a column may be called
// `x_base64`), so the record does it one level up: beside `before` / `after` it writes
// `before_base64` / `after_base64`, an object keyed by the same column names that holds, for
// each such column only, its exact bytes in base64. A reader that wants exact bytes takes the
// `_base64` member when there is one, and the plain one otherwise.

#include <string>

#include "protocol/value.h"

namespace gw::eventlog {

// Appends `value` as a JSON value. False when a text value was not UTF-8 (see above): the
// caller then writes its exact bytes with append_exact_base64().
bool append_value_json(std::string& out, const protocol::Value& value);

// The quoted base64 of a text value's exact bytes ("" for a value that is not text).
void append_exact_base64(std::string& out, const protocol::Value& value);

std::string value_json(const protocol::Value& value);

}  // namespace gw::eventlog
