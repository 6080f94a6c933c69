#include "probe_binary.h"

namespace gw::probe {

enum_field_types ParamSet::int_type(std::size_t width) {
  switch (width) {
    case 1:
      return MYSQL_TYPE_TINY;
    case 2:
      return MYSQL_TYPE_SHORT;
    case 4:
      return MYSQL_TYPE_LONG;
    default:
      return MYSQL_TYPE_LONGLONG;
  }
}

ParamSet::Slot& ParamSet::add(enum_field_types type) {
  Slot& slot = slots_.emplace_back();
  slot.type = type;
  return slot;
}

void ParamSet::add_float(float value) { add(MYSQL_TYPE_FLOAT).value.f32 = value; }

void ParamSet::add_double(double value) { add(MYSQL_TYPE_DOUBLE).value.f64 = value; }

void ParamSet::add_bytes(enum_field_types type, std::string_view bytes) {
  add(type).bytes.assign(bytes);
}

void ParamSet::add_time(enum_field_types type, const MYSQL_TIME& value) {
  add(type).value.time = value;
}

void ParamSet::add_null(enum_field_types type) { add(type).is_null = 1; }

void ParamSet::add_long_data(enum_field_types type) { add(type); }

void ParamSet::set_int(std::size_t index, long long value) {
  Slot& slot = slots_.at(index);
  switch (slot.type) {
    case MYSQL_TYPE_TINY:
      slot.value.i8 = static_cast<signed char>(value);
      break;
    case MYSQL_TYPE_SHORT:
      slot.value.i16 = static_cast<short>(value);
      break;
    case MYSQL_TYPE_LONG:
      slot.value.i32 = static_cast<int>(value);
      break;
    case MYSQL_TYPE_LONGLONG:
      slot.value.i64 = value;
      break;
    default:
      throw ProbeFailure("ParamSet::set_int on a non-integer parameter");
  }
}

void ParamSet::bind(MYSQL_STMT* stmt) {
  binds_.assign(slots_.size(), MYSQL_BIND{});
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    MYSQL_BIND& b = binds_[i];
    b.buffer_type = slot.type;
    b.is_unsigned = slot.is_unsigned ? 1 : 0;
    b.is_null = &slot.is_null;
    if (is_string_type(slot.type) || slot.type == MYSQL_TYPE_NEWDECIMAL) {
      slot.length = static_cast<unsigned long>(slot.bytes.size());
      b.buffer = slot.bytes.data();
      b.buffer_length = slot.length;
      b.length = &slot.length;
    } else {
      b.buffer = &slot.value;
    }
  }
  if (mysql_stmt_bind_param(stmt, binds_.data()) != 0) fail("mysql_stmt_bind_param", stmt);
}

namespace {

enum_field_types result_buffer_type(const MYSQL_FIELD& field) {
  switch (field.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
      return field.type;
    case MYSQL_TYPE_YEAR:
      return MYSQL_TYPE_SHORT;
    case MYSQL_TYPE_INT24:
      return MYSQL_TYPE_LONG;
    default:
      return MYSQL_TYPE_STRING;
  }
}

}  // namespace

RowReader::RowReader(MYSQL_STMT* stmt) : stmt_(stmt) {
  const unsigned int count = mysql_stmt_field_count(stmt);
  MYSQL_FIELD* fields = mariadb_stmt_fetch_fields(stmt);
  if (count > 0 && fields == nullptr) fail("result metadata", stmt);
  fields_ = std::span<const MYSQL_FIELD>(fields, count);
  columns_.resize(count);
  binds_.assign(count, MYSQL_BIND{});
  for (std::size_t i = 0; i < count; ++i) bind_column(i);
  if (count > 0 && mysql_stmt_bind_result(stmt, binds_.data()) != 0) {
    fail("mysql_stmt_bind_result", stmt);
  }
}

void RowReader::bind_column(std::size_t index) {
  Column& c = columns_[index];
  MYSQL_BIND& b = binds_[index];
  c.buffer_type = result_buffer_type(fields_[index]);
  b.buffer_type = c.buffer_type;
  b.is_unsigned = (fields_[index].flags & UNSIGNED_FLAG) != 0 ? 1 : 0;
  b.is_null = &c.is_null;
  b.length = &c.length;
  b.error = &c.error;
  if (c.buffer_type == MYSQL_TYPE_STRING) {
    c.buffer.resize(kInitialBuffer);
    b.buffer = c.buffer.data();
    b.buffer_length = static_cast<unsigned long>(c.buffer.size());
  } else {
    b.buffer = &c.scalar;
    b.buffer_length = sizeof(c.scalar);
  }
}

bool RowReader::fetch() {
  const int rc = mysql_stmt_fetch(stmt_);
  if (rc == MYSQL_NO_DATA) return false;
  if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) fail("mysql_stmt_fetch", stmt_);
  for (std::size_t i = 0; i < columns_.size(); ++i) collect(i);
  return true;
}

// Copies a string-like column's value out of the bound buffer, refetching it whole when the
// buffer was too small (the buffer keeps its size so the binding stays valid).
void RowReader::collect(std::size_t index) {
  Column& c = columns_[index];
  if (c.buffer_type != MYSQL_TYPE_STRING || c.is_null != 0) return;
  if (c.length <= c.buffer.size()) {
    c.value.assign(c.buffer.data(), c.length);
    return;
  }
  c.value.assign(c.length, '\0');
  MYSQL_BIND whole{};
  whole.buffer_type = MYSQL_TYPE_STRING;
  whole.buffer = c.value.data();
  whole.buffer_length = c.length;
  unsigned long length = 0;
  whole.length = &length;
  if (mysql_stmt_fetch_column(stmt_, &whole, static_cast<unsigned int>(index), 0) != 0) {
    fail("mysql_stmt_fetch_column", stmt_);
  }
  if (length != c.length) throw ProbeFailure("mysql_stmt_fetch_column: length changed");
}

std::string RowReader::render(std::size_t column) const {
  const Column& c = columns_[column];
  if (c.is_null != 0) return "NULL";
  if (c.buffer_type != MYSQL_TYPE_STRING) return render_scalar(column);
  const MYSQL_FIELD& f = fields_[column];
  if (!is_string_type(f.type)) return c.value;  // DECIMAL and friends: digits, unquoted
  return render_bytes(c.value, f.charsetnr == kBinaryCharset);
}

std::string RowReader::render_scalar(std::size_t column) const {
  const Column& c = columns_[column];
  const bool is_unsigned = (fields_[column].flags & UNSIGNED_FLAG) != 0;
  switch (c.buffer_type) {
    case MYSQL_TYPE_TINY:
      return is_unsigned ? fmt::format("{}", static_cast<unsigned char>(c.scalar.i8))
                         : fmt::format("{}", c.scalar.i8);
    case MYSQL_TYPE_SHORT:
      return is_unsigned ? fmt::format("{}", static_cast<unsigned short>(c.scalar.i16))
                         : fmt::format("{}", c.scalar.i16);
    case MYSQL_TYPE_LONG:
      return is_unsigned ? fmt::format("{}", static_cast<unsigned int>(c.scalar.i32))
                         : fmt::format("{}", c.scalar.i32);
    case MYSQL_TYPE_LONGLONG:
      return is_unsigned ? fmt::format("{}", static_cast<unsigned long long>(c.scalar.i64))
                         : fmt::format("{}", c.scalar.i64);
    case MYSQL_TYPE_FLOAT:
      return fmt::format("{}", c.scalar.f32);
    case MYSQL_TYPE_DOUBLE:
      return fmt::format("{}", c.scalar.f64);
    default:
      return render_time(c.scalar.time, c.buffer_type, fields_[column].decimals);
  }
}

std::string RowReader::render_row() const {
  std::string out;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) out += " | ";
    out += render(i);
  }
  return out;
}

std::string render_time(const MYSQL_TIME& time, enum_field_types type, unsigned int decimals) {
  std::string out;
  if (type == MYSQL_TYPE_TIME) {
    // libmariadb folds the wire's days into `hour` (and leaves them in `day` as well).
    out = fmt::format("{}{:02}", time.neg ? "-" : "", time.hour);
  } else {
    out = fmt::format("{:04}-{:02}-{:02}", time.year, time.month, time.day);
    if (type == MYSQL_TYPE_DATE) return out;
    out += fmt::format(" {:02}", time.hour);
  }
  out += fmt::format(":{:02}:{:02}", time.minute, time.second);
  if (decimals > 0 && decimals <= 6) {
    unsigned long fraction = time.second_part;
    for (unsigned int i = decimals; i < 6; ++i) fraction /= 10;
    out += fmt::format(".{:0{}}", fraction, decimals);
  }
  return out;
}

void print_binary_result(Transcript& t, MYSQL_STMT* stmt, std::string_view label) {
  RowReader reader(stmt);
  print_fields(t, label, reader.fields());
  std::uint64_t rows = 0;
  while (reader.fetch()) t.line("{} row {}: {}", label, rows++, reader.render_row());
  t.line("{} rows={}", label, rows);
}

void print_stmt_ok(Transcript& t, MYSQL_STMT* stmt, std::string_view label) {
  t.line("{} ok affected={} insert_id={} warnings={}", label, mysql_stmt_affected_rows(stmt),
         mysql_stmt_insert_id(stmt), stmt->upsert_status.warning_count);
}

void prepare(MYSQL_STMT* stmt, std::string_view sql) {
  if (mysql_stmt_prepare(stmt, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    fail(fmt::format("prepare {}", sql), stmt);
  }
}

void execute(MYSQL_STMT* stmt) {
  if (mysql_stmt_execute(stmt) != 0) fail("mysql_stmt_execute", stmt);
}

}  // namespace gw::probe
