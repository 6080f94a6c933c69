// Binary-protocol helpers: typed parameter binding and typed result fetching for MYSQL_STMT.
#pragma once

#include <concepts>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "probe.h"

namespace gw::probe {

// Parameters for mysql_stmt_bind_param. Each add_* appends one parameter with its own storage;
// bind() hands the whole set to the statement. Storage lives as long as the ParamSet, which must
// outlive every execute that uses it.
class ParamSet {
 public:
  template <std::integral T>
  void add_int(T value) {
    Slot& slot = add(int_type(sizeof(T)));
    slot.is_unsigned = std::unsigned_integral<T>;
    if constexpr (sizeof(T) == 1) slot.value.i8 = static_cast<signed char>(value);
    if constexpr (sizeof(T) == 2) slot.value.i16 = static_cast<short>(value);
    if constexpr (sizeof(T) == 4) slot.value.i32 = static_cast<int>(value);
    if constexpr (sizeof(T) == 8) slot.value.i64 = static_cast<long long>(value);
  }
  void add_float(float value);
  void add_double(double value);
  // Strings, decimals (as text), blobs, bit strings: `type` is what the server is told.
  void add_bytes(enum_field_types type, std::string_view bytes);
  void add_time(enum_field_types type, const MYSQL_TIME& value);
  // A NULL announced with `type`, via the is_null indicator (MYSQL_TYPE_NULL also works alone).
  void add_null(enum_field_types type);
  // A parameter whose value will come from mysql_stmt_send_long_data (a string-like `type`). It
  // is bound to an empty, non-null buffer: libmariadb marks a parameter without a buffer NULL in
  // COM_STMT_EXECUTE even when long data was sent, which is not what applications send.
  void add_long_data(enum_field_types type);

  // Changes an integer parameter, truncating to the width it was added with.
  void set_int(std::size_t index, long long value);

  void bind(MYSQL_STMT* stmt);

 private:
  union Scalar {
    signed char i8;
    short i16;
    int i32;
    long long i64;
    float f32;
    double f64;
    MYSQL_TIME time;
  };
  struct Slot {
    enum_field_types type = MYSQL_TYPE_NULL;
    bool is_unsigned = false;
    Scalar value{};
    std::string bytes;
    unsigned long length = 0;
    my_bool is_null = 0;
  };

  static enum_field_types int_type(std::size_t width);
  Slot& add(enum_field_types type);

  std::vector<Slot> slots_;
  std::vector<MYSQL_BIND> binds_;
};

// Binds every column of the statement's current result to a buffer of its natural C type and
// renders fetched values canonically. Build a new one for each result set (multi-results).
class RowReader {
 public:
  explicit RowReader(MYSQL_STMT* stmt);
  RowReader(const RowReader&) = delete;
  RowReader& operator=(const RowReader&) = delete;

  // Fetches the next row: true when there is one, false at the end; throws on errors.
  bool fetch();
  std::span<const MYSQL_FIELD> fields() const { return fields_; }
  std::size_t size() const { return columns_.size(); }
  bool is_null(std::size_t column) const { return columns_[column].is_null != 0; }
  // The full bytes of a string-like column of the current row.
  const std::string& bytes(std::size_t column) const { return columns_[column].value; }
  std::string render(std::size_t column) const;
  // All columns of the current row, joined with " | ".
  std::string render_row() const;

 private:
  static constexpr std::size_t kInitialBuffer = 256;
  struct Column {
    enum_field_types buffer_type = MYSQL_TYPE_STRING;
    union {
      signed char i8;
      short i16;
      int i32;
      long long i64;
      float f32;
      double f64;
      MYSQL_TIME time;
    } scalar{};
    std::vector<char> buffer;  // bound buffer for string-like columns
    std::string value;         // complete value, refetched when the buffer was too small
    unsigned long length = 0;
    my_bool is_null = 0;
    my_bool error = 0;
  };

  void bind_column(std::size_t index);
  void collect(std::size_t index);
  std::string render_scalar(std::size_t column) const;

  MYSQL_STMT* stmt_;
  std::span<const MYSQL_FIELD> fields_;
  std::vector<Column> columns_;
  std::vector<MYSQL_BIND> binds_;
};

// Prints "<label> columns=..", the column lines, every row and "<label> rows=N" for the
// statement's current result.
void print_binary_result(Transcript& t, MYSQL_STMT* stmt, std::string_view label);
// Prints "<label> ok affected=.. insert_id=.. warnings=.." from the statement's last OK packet.
void print_stmt_ok(Transcript& t, MYSQL_STMT* stmt, std::string_view label);
// Prepares `sql`; throws on failure.
void prepare(MYSQL_STMT* stmt, std::string_view sql);
// Executes; throws on failure.
void execute(MYSQL_STMT* stmt);

std::string render_time(const MYSQL_TIME& time, enum_field_types type, unsigned int decimals);

}  // namespace gw::probe
