#pragma once
// TABLE_MAP: the table model every row event refers to, taken from the event itself. With
// binlog_row_metadata=FULL (MariaDB 10.5+, MySQL 8.0.1x+) the optional metadata carries column
// names, signedness, character sets, ENUM/SET strings and the primary key, so rows decode
// without asking the server or parsing DDL. References: MariaDB KB "Table_map_log_event";
// MySQL libbinlogevents rows_event.h (Table_map_event, optional metadata field types 1-12).
//
// Wire layout (body, after the common header):
//   int<6>          table_id
//   int<2>          flags
//   int<1>          db length, string db, 0x00
//   int<1>          table length, string table, 0x00
//   int<lenenc>     column count n
//   int<1>[n]       column types (MYSQL_TYPE_*)
//   int<lenenc>     metadata length, then the per-column metadata block (0-2 bytes per type)
//   bitmap (n+7)/8  nullable columns
//   optional metadata: TLVs of int<1> type, int<lenenc> length, value, to the end

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol::binlog {

// MYSQL_TYPE_* as they appear in TABLE_MAP (mysql_com.h / libmariadb mariadb_com.h).
enum class ColumnType : std::uint8_t {
  Decimal = 0,
  Tiny = 1,
  Short = 2,
  Long = 3,
  Float = 4,
  Double = 5,
  Null = 6,
  Timestamp = 7,
  LongLong = 8,
  Int24 = 9,
  Date = 10,
  Time = 11,
  DateTime = 12,
  Year = 13,
  NewDate = 14,
  VarChar = 15,
  Bit = 16,
  Timestamp2 = 17,
  DateTime2 = 18,
  Time2 = 19,
  Json = 245,  // MySQL binary JSON (MariaDB's JSON is a LONGTEXT: Blob)
  NewDecimal = 246,
  Enum = 247,
  Set = 248,
  TinyBlob = 249,
  MediumBlob = 250,
  LongBlob = 251,
  Blob = 252,
  VarString = 253,
  String = 254,
  Geometry = 255,
};

inline constexpr std::uint32_t kBinaryCharset = 63;  // the "binary" collation id

struct Column {
  // The real type: a CHAR column's ENUM or SET hidden in STRING's metadata is unpacked here.
  ColumnType type = ColumnType::Null;
  // Type metadata, normalised: VARCHAR/CHAR max length in bytes, BLOB/GEOMETRY/JSON length
  // bytes, DECIMAL precision (high byte) and scale (low byte), FLOAT/DOUBLE pack length,
  // BIT its declared width in bits (1-64; the wire's bytes*8 + odd bits), TIMESTAMP2/DATETIME2/
  // TIME2 fsp, ENUM/SET pack length.
  std::uint16_t meta = 0;
  bool nullable = false;
  bool is_unsigned = false;  // SIGNEDNESS: numeric columns, YEAR included, BIT not (measured)
  // Collation id; 0 = not known (no metadata); 63 = binary. From DEFAULT_/COLUMN_CHARSET for
  // CHAR/VARCHAR/BLOB/TEXT and GEOMETRY (the server counts it), ENUM_AND_SET_* for ENUM/SET.
  std::uint32_t charset = 0;
  std::string name;                 // COLUMN_NAME; empty without metadata
  std::vector<std::string> values;  // ENUM_STR_VALUE / SET_STR_VALUE
  std::uint32_t geometry_type = 0;
  bool in_primary_key = false;
  bool visible = true;  // COLUMN_VISIBILITY (MySQL 8.0.23+ invisible columns)
};

struct TableMap {
  std::uint64_t table_id = 0;
  std::uint16_t flags = 0;
  std::string db;
  std::string table;
  std::vector<Column> columns;
  std::vector<std::uint32_t> primary_key;  // column indexes, in key order
  bool has_names = false;                  // every column has its name (binlog_row_metadata=FULL)
};

// Decodes a TABLE_MAP body. post_header_length comes from the FORMAT_DESCRIPTION (8 for
// TABLE_MAP on every supported server; 6 is the pre-5.1 form and is refused as unsupported).
// Column and metadata counts are checked against the bytes left before anything is reserved.
Result<TableMap> decode_table_map(ByteView body, std::uint8_t post_header_length);

}  // namespace gw::protocol::binlog
