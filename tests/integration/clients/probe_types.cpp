// prepared_types: every common column type written through COM_STMT_EXECUTE parameters and read
// back as a binary-protocol result set (and once as text for comparison).
#include <cstdint>
#include <limits>
#include <string>

#include "probe_binary.h"
#include "scenarios.h"

namespace gw::probe {
namespace {

constexpr std::string_view kCreate = R"sql(CREATE TEMPORARY TABLE gw_probe_types (
  id INT NOT NULL PRIMARY KEY,
  c_tinyint TINYINT, c_utinyint TINYINT UNSIGNED,
  c_smallint SMALLINT, c_usmallint SMALLINT UNSIGNED,
  c_mediumint MEDIUMINT, c_umediumint MEDIUMINT UNSIGNED,
  c_int INT, c_uint INT UNSIGNED,
  c_bigint BIGINT, c_ubigint BIGINT UNSIGNED,
  c_float FLOAT, c_double DOUBLE, c_decimal DECIMAL(30,10),
  c_date DATE, c_time TIME(6), c_datetime DATETIME(6), c_timestamp TIMESTAMP NULL DEFAULT NULL,
  c_year YEAR, c_char CHAR(10), c_varchar VARCHAR(64), c_binary BINARY(8), c_varbinary VARBINARY(32),
  c_text TEXT, c_blob BLOB, c_mediumblob MEDIUMBLOB,
  c_enum ENUM('red','green','blue'), c_set SET('a','b','c','d'), c_bit BIT(10), c_json JSON)
DEFAULT CHARSET=utf8mb4)sql";

constexpr int kColumns = 30;

std::string insert_sql() {
  std::string sql = "INSERT INTO gw_probe_types VALUES (?";
  for (int i = 1; i < kColumns; ++i) sql += ", ?";
  return sql + ")";
}

MYSQL_TIME date_time(unsigned int y, unsigned int mo, unsigned int d, unsigned int h = 0,
                     unsigned int mi = 0, unsigned int s = 0, unsigned long us = 0) {
  MYSQL_TIME t{};
  t.year = y;
  t.month = mo;
  t.day = d;
  t.hour = h;
  t.minute = mi;
  t.second = s;
  t.second_part = us;
  t.time_type = h + mi + s + us == 0 ? MYSQL_TIMESTAMP_DATE : MYSQL_TIMESTAMP_DATETIME;
  return t;
}

// libmariadb sends a TIME parameter's days from `day` and only the low byte of `hour`, so hours
// past 23 must be split (reading, it reports the total in `hour`).
MYSQL_TIME time_of_day(bool neg, unsigned int hours, unsigned int mi, unsigned int s,
                       unsigned long us) {
  MYSQL_TIME t{};
  t.neg = neg ? 1 : 0;
  t.day = hours / 24;
  t.hour = hours % 24;
  t.minute = mi;
  t.second = s;
  t.second_part = us;
  t.time_type = MYSQL_TIMESTAMP_TIME;
  return t;
}

std::string byte_ramp(std::size_t size, unsigned int step) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * step) & 0xff);
  return out;
}

// Row 1: the low end of every range, empty strings.
void add_low_row(ParamSet& p) {
  p.add_int(1);
  p.add_int(std::int8_t{-128});
  p.add_int(std::uint8_t{0});
  p.add_int(std::int16_t{-32768});
  p.add_int(std::uint16_t{0});
  p.add_int(std::int32_t{-8388608});
  p.add_int(std::uint32_t{0});
  p.add_int(std::numeric_limits<std::int32_t>::min());
  p.add_int(std::uint32_t{0});
  p.add_int(std::numeric_limits<std::int64_t>::min());
  p.add_int(std::uint64_t{0});
  p.add_float(-0.0015f);
  p.add_double(-2.2250738585072014e-308);
  p.add_bytes(MYSQL_TYPE_NEWDECIMAL, "-99999999999999999999.9999999999");
  p.add_time(MYSQL_TYPE_DATE, date_time(1000, 1, 1));
  p.add_time(MYSQL_TYPE_TIME, time_of_day(true, 838, 59, 59, 0));
  p.add_time(MYSQL_TYPE_DATETIME, date_time(1000, 1, 1, 0, 0, 0, 1));
  p.add_time(MYSQL_TYPE_TIMESTAMP, date_time(1970, 1, 1, 0, 0, 1));
  p.add_int(std::int16_t{1901});
  p.add_bytes(MYSQL_TYPE_STRING, "");
  p.add_bytes(MYSQL_TYPE_VAR_STRING, "");
  p.add_bytes(MYSQL_TYPE_BLOB, "");
  p.add_bytes(MYSQL_TYPE_BLOB, "");
  p.add_bytes(MYSQL_TYPE_BLOB, "");
  p.add_bytes(MYSQL_TYPE_BLOB, "");
  p.add_bytes(MYSQL_TYPE_MEDIUM_BLOB, "");
  p.add_bytes(MYSQL_TYPE_STRING, "red");
  p.add_bytes(MYSQL_TYPE_STRING, "");
  p.add_int(std::int64_t{0});
  p.add_bytes(MYSQL_TYPE_STRING, "[]");
}

// Row 2: the high end of every range, multi-byte text, all byte values, a >64 KiB blob.
void add_high_row(ParamSet& p) {
  p.add_int(2);
  p.add_int(std::int8_t{127});
  p.add_int(std::uint8_t{255});
  p.add_int(std::int16_t{32767});
  p.add_int(std::uint16_t{65535});
  p.add_int(std::int32_t{8388607});
  p.add_int(std::uint32_t{16777215});
  p.add_int(std::numeric_limits<std::int32_t>::max());
  p.add_int(std::numeric_limits<std::uint32_t>::max());
  p.add_int(std::numeric_limits<std::int64_t>::max());
  p.add_int(std::numeric_limits<std::uint64_t>::max());
  p.add_float(3.4028234e38f);
  p.add_double(1.7976931348623157e308);
  p.add_bytes(MYSQL_TYPE_NEWDECIMAL, "99999999999999999999.9999999999");
  p.add_time(MYSQL_TYPE_DATE, date_time(9999, 12, 31));
  p.add_time(MYSQL_TYPE_TIME, time_of_day(false, 838, 59, 59, 999999));
  p.add_time(MYSQL_TYPE_DATETIME, date_time(9999, 12, 31, 23, 59, 59, 999999));
  p.add_time(MYSQL_TYPE_TIMESTAMP, date_time(2038, 1, 19, 3, 14, 7));
  p.add_int(std::int16_t{2155});
  p.add_bytes(MYSQL_TYPE_STRING, "abcdefghij");
  p.add_bytes(MYSQL_TYPE_VAR_STRING, "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80");
  p.add_bytes(MYSQL_TYPE_BLOB, std::string_view("\x00\xff\x00\xff\x00\xff\x00\xff", 8));
  p.add_bytes(MYSQL_TYPE_BLOB, byte_ramp(32, 1));
  p.add_bytes(MYSQL_TYPE_BLOB, "line1\nline2 'quoted' \\ tab\t end");
  p.add_bytes(MYSQL_TYPE_BLOB, byte_ramp(256, 1));
  p.add_bytes(MYSQL_TYPE_MEDIUM_BLOB, byte_ramp(70000, 7));
  p.add_bytes(MYSQL_TYPE_STRING, "blue");
  p.add_bytes(MYSQL_TYPE_STRING, "a,b,c,d");
  p.add_bytes(MYSQL_TYPE_BLOB, std::string_view("\x03\xff", 2));
  p.add_bytes(MYSQL_TYPE_STRING, R"({"k": [1, 2.5, "x"], "n": null, "u": "\u00e9"})");
}

// Row 3: ordinary values sent with a different C type than the column, so the server converts.
void add_converted_row(ParamSet& p) {
  p.add_int(3);
  p.add_int(std::int64_t{42});
  p.add_bytes(MYSQL_TYPE_STRING, "200");
  p.add_double(-1234.0);
  p.add_bytes(MYSQL_TYPE_STRING, "4321");
  p.add_int(std::int16_t{-5});
  p.add_int(std::int64_t{5});
  p.add_bytes(MYSQL_TYPE_VAR_STRING, "-77");
  p.add_int(std::int8_t{77});
  p.add_int(std::int32_t{-1});
  p.add_bytes(MYSQL_TYPE_STRING, "18446744073709551000");
  p.add_double(0.1);
  p.add_float(0.1f);
  p.add_double(1234.5678);
  p.add_time(MYSQL_TYPE_DATETIME, date_time(2024, 2, 29));
  p.add_bytes(MYSQL_TYPE_STRING, "12:34:56.789");
  p.add_bytes(MYSQL_TYPE_STRING, "2024-02-29 12:34:56.123456");
  p.add_time(MYSQL_TYPE_DATETIME, date_time(2024, 2, 29, 12, 0, 0));
  p.add_int(std::int32_t{2024});
  p.add_bytes(MYSQL_TYPE_STRING, "ab  ");
  p.add_bytes(MYSQL_TYPE_BLOB, "x");
  p.add_bytes(MYSQL_TYPE_STRING, "ab");
  p.add_bytes(MYSQL_TYPE_STRING, "ab");
  p.add_bytes(MYSQL_TYPE_STRING, "plain text");
  p.add_bytes(MYSQL_TYPE_STRING, "blob from a string");
  p.add_bytes(MYSQL_TYPE_BLOB, "tiny");
  p.add_int(std::int32_t{2});
  p.add_int(std::int32_t{5});
  p.add_int(std::int64_t{682});
  p.add_bytes(MYSQL_TYPE_STRING, R"({"nested": {"a": [true, false]}})");
}

// Row 4: every column NULL through the is_null indicator, each with its column's type.
void add_typed_null_row(ParamSet& p) {
  static constexpr enum_field_types kTypes[kColumns - 1] = {
      MYSQL_TYPE_TINY,        MYSQL_TYPE_TINY,     MYSQL_TYPE_SHORT,  MYSQL_TYPE_SHORT,
      MYSQL_TYPE_LONG,        MYSQL_TYPE_LONG,     MYSQL_TYPE_LONG,   MYSQL_TYPE_LONG,
      MYSQL_TYPE_LONGLONG,    MYSQL_TYPE_LONGLONG, MYSQL_TYPE_FLOAT,  MYSQL_TYPE_DOUBLE,
      MYSQL_TYPE_NEWDECIMAL,  MYSQL_TYPE_DATE,     MYSQL_TYPE_TIME,   MYSQL_TYPE_DATETIME,
      MYSQL_TYPE_TIMESTAMP,   MYSQL_TYPE_SHORT,    MYSQL_TYPE_STRING, MYSQL_TYPE_VAR_STRING,
      MYSQL_TYPE_BLOB,        MYSQL_TYPE_BLOB,     MYSQL_TYPE_BLOB,   MYSQL_TYPE_BLOB,
      MYSQL_TYPE_MEDIUM_BLOB, MYSQL_TYPE_STRING,   MYSQL_TYPE_STRING, MYSQL_TYPE_LONGLONG,
      MYSQL_TYPE_STRING};
  p.add_int(4);
  for (enum_field_types type : kTypes) p.add_null(type);
}

// Row 5: every column NULL as MYSQL_TYPE_NULL.
void add_untyped_null_row(ParamSet& p) {
  p.add_int(5);
  for (int i = 1; i < kColumns; ++i) p.add_null(MYSQL_TYPE_NULL);
}

void insert_rows(Transcript& t, MYSQL* mysql) {
  Statement stmt(mysql);
  prepare(stmt.get(), insert_sql());
  t.line("insert param_count={}", mysql_stmt_param_count(stmt.get()));
  using RowFn = void (*)(ParamSet&);
  constexpr RowFn kRows[] = {add_low_row, add_high_row, add_converted_row, add_typed_null_row,
                             add_untyped_null_row};
  int row = 1;
  for (RowFn add_row : kRows) {
    ParamSet params;
    add_row(params);
    params.bind(stmt.get());
    std::string label = fmt::format("insert row {}", row++);
    if (mysql_stmt_execute(stmt.get()) != 0) {
      t.line("{} {}", label, describe_error(stmt.get()));
      continue;
    }
    print_stmt_ok(t, stmt.get(), label);
    if (stmt.get()->upsert_status.warning_count > 0) print_warnings(t, mysql, label);
  }
}

// One line per value so a failing comparison names the column.
void select_rows(Transcript& t, MYSQL* mysql) {
  Statement stmt(mysql);
  prepare(stmt.get(), "SELECT * FROM gw_probe_types ORDER BY id");
  execute(stmt.get());
  RowReader reader(stmt.get());
  print_fields(t, "select", reader.fields());
  int rows = 0;
  while (reader.fetch()) {
    for (std::size_t i = 0; i < reader.size(); ++i) {
      t.line("select row {} {}={}", rows, reader.fields()[i].name, reader.render(i));
    }
    ++rows;
  }
  t.line("select rows={}", rows);
}

void select_with_params(Transcript& t, MYSQL* mysql) {
  Statement stmt(mysql);
  prepare(stmt.get(),
          "SELECT id, c_varchar, c_ubigint FROM gw_probe_types "
          "WHERE c_bigint = ? OR c_date = ? OR c_ubigint = ? ORDER BY id");
  ParamSet params;
  params.add_int(std::numeric_limits<std::int64_t>::max());
  params.add_time(MYSQL_TYPE_DATE, date_time(1000, 1, 1));
  params.add_int(std::numeric_limits<std::uint64_t>::max());
  params.bind(stmt.get());
  execute(stmt.get());
  print_binary_result(t, stmt.get(), "select where");
}

// What types the server reports for bare parameters echoed back.
void select_param_echo(Transcript& t, MYSQL* mysql) {
  Statement stmt(mysql);
  prepare(stmt.get(),
          "SELECT ? AS p_tiny, ? AS p_ubig, ? AS p_double, ? AS p_text, ? AS p_time, "
          "? AS p_datetime, ? AS p_null");
  ParamSet params;
  params.add_int(std::int8_t{-7});
  params.add_int(std::uint64_t{18446744073709551615ULL});
  params.add_double(6.02214076e23);
  params.add_bytes(MYSQL_TYPE_STRING, "caf\xc3\xa9");
  params.add_time(MYSQL_TYPE_TIME, time_of_day(true, 100, 0, 0, 500000));
  params.add_time(MYSQL_TYPE_DATETIME, date_time(2000, 1, 2, 3, 4, 5, 600000));
  params.add_null(MYSQL_TYPE_NULL);
  params.bind(stmt.get());
  execute(stmt.get());
  print_binary_result(t, stmt.get(), "echo");
}

}  // namespace

void scenario_prepared_types(Transcript& t, const ConnectParams& params) {
  Connection conn(params);
  exec(conn.get(), "SET time_zone = '+00:00'");
  exec(conn.get(), "DROP TEMPORARY TABLE IF EXISTS gw_probe_types");
  exec(conn.get(), kCreate);
  insert_rows(t, conn.get());
  select_rows(t, conn.get());
  select_with_params(t, conn.get());
  select_param_echo(t, conn.get());
  run_text_query(t, conn.get(), "text select", "SELECT * FROM gw_probe_types ORDER BY id");
  exec(conn.get(), "DROP TEMPORARY TABLE gw_probe_types");
}

}  // namespace gw::probe
