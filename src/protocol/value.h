#pragma once
// One value as the MySQL protocol carries it: a bound parameter of COM_STMT_EXECUTE today, a
// binlog row's column next. Typed, not rendered: the event log renders it as an SQL literal
// (eventlog/sql_literal.h), other readers may want the number or the bytes themselves.

#include <cstdint>
#include <string>
#include <variant>

namespace gw::protocol {

// SQL NULL.
struct NullValue {
  friend bool operator==(const NullValue&, const NullValue&) = default;
};

// A parameter whose bytes came earlier with COM_STMT_SEND_LONG_DATA; the value is not here.
struct LongData {
  friend bool operator==(const LongData&, const LongData&) = default;
};

// DECIMAL / NEWDECIMAL: the protocol sends the digits as text ("-12.50"), kept exactly.
struct Decimal {
  std::string text;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

// Strings, blobs, JSON, BIT, ENUM, SET, GEOMETRY: raw bytes in the column's character set.
// In binlog rows: text columns (a character set other than binary), ENUM and SET as their
// strings, JSON as its text.
struct String {
  std::string bytes;
  friend bool operator==(const String&, const String&) = default;
};

// Binlog rows: a column of the binary character set (BINARY, VARBINARY, BLOB, and the data-type
// plugins stored that way). The event log renders the bytes as base64.
struct Binary {
  std::string bytes;
  friend bool operator==(const Binary&, const Binary&) = default;
};

// Binlog rows: GEOMETRY as the server stores it, a 4-byte SRID then the WKB.
struct Geometry {
  std::uint32_t srid = 0;
  std::string wkb;
  friend bool operator==(const Geometry&, const Geometry&) = default;
};

// Fractional-second digits a temporal column declares (DATETIME(3) -> 3); kFspUnknown where the
// wire does not say (the binary protocol), and the renderer prints microseconds only when they
// are not zero.
inline constexpr std::int8_t kFspUnknown = -1;

// DATE, DATETIME and TIMESTAMP. The wire sends what is not zero (length 0, 4, 7 or 11); the
// fields not sent are zero.
struct DateTime {
  enum class Type : std::uint8_t {
    Date,       // MYSQL_TYPE_DATE: the time fields are not part of the value
    DateTime,   // MYSQL_TYPE_DATETIME
    Timestamp,  // MYSQL_TYPE_TIMESTAMP
  };
  Type type = Type::DateTime;
  std::uint16_t year = 0;
  std::uint8_t month = 0;
  std::uint8_t day = 0;
  std::uint8_t hour = 0;
  std::uint8_t minute = 0;
  std::uint8_t second = 0;
  std::uint32_t microsecond = 0;
  std::int8_t fsp = kFspUnknown;
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// TIME: a signed duration, days apart from hours as the wire sends it (length 0, 8 or 12).
struct Time {
  bool negative = false;
  std::uint32_t days = 0;
  std::uint8_t hour = 0;
  std::uint8_t minute = 0;
  std::uint8_t second = 0;
  std::uint32_t microsecond = 0;
  std::int8_t fsp = kFspUnknown;
  friend bool operator==(const Time&, const Time&) = default;
};

// Integers are signed or unsigned as the type's flag says (TINY..LONGLONG, INT24, YEAR; in
// binlog rows also BIT, as its unsigned value); FLOAT stays a float so that it renders with the
// digits a float has, not a double's.
using Value = std::variant<NullValue, std::int64_t, std::uint64_t, float, double, Decimal, String,
                           DateTime, Time, LongData, Binary, Geometry>;

}  // namespace gw::protocol
