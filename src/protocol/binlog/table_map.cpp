#include "protocol/binlog/table_map.h"

#include <algorithm>
#include <string_view>

#include "core/byte_reader.h"
#include "core/errors.h"

namespace gw::protocol::binlog {

namespace {

// Optional metadata field types (MySQL rows_event.h Optional_metadata_field_type).
enum class Tlv : std::uint8_t {
  Signedness = 1,
  DefaultCharset = 2,
  ColumnCharset = 3,
  ColumnName = 4,
  SetStrValue = 5,
  EnumStrValue = 6,
  GeometryType = 7,
  SimplePrimaryKey = 8,
  PrimaryKeyWithPrefix = 9,
  EnumAndSetDefaultCharset = 10,
  EnumAndSetColumnCharset = 11,
  ColumnVisibility = 12,
};

// SIGNEDNESS covers these, in column order. Measured on MariaDB 10.11: YEAR is counted (as an
// unsigned column), BIT is not.
bool is_numeric(ColumnType type) {
  switch (type) {
    case ColumnType::Tiny:
    case ColumnType::Short:
    case ColumnType::Int24:
    case ColumnType::Long:
    case ColumnType::LongLong:
    case ColumnType::Float:
    case ColumnType::Double:
    case ColumnType::NewDecimal:
    case ColumnType::Decimal:
    case ColumnType::Year:
      return true;
    default:
      return false;
  }
}

// DEFAULT_CHARSET / COLUMN_CHARSET cover these. ENUM and SET have their own lists; GEOMETRY is
// counted (measured on MariaDB 10.11: a binary-charset entry for it), JSON (MySQL) is not.
bool is_character(ColumnType type) {
  switch (type) {
    case ColumnType::String:
    case ColumnType::VarString:
    case ColumnType::VarChar:
    case ColumnType::Blob:
    case ColumnType::TinyBlob:
    case ColumnType::MediumBlob:
    case ColumnType::LongBlob:
    case ColumnType::Geometry:
      return true;
    default:
      return false;
  }
}

bool is_enum_or_set(ColumnType type) { return type == ColumnType::Enum || type == ColumnType::Set; }

// Reads the per-column metadata block into the columns, unpacking STRING's real type.
Result<void> read_type_metadata(ByteReader& in, std::vector<Column>& columns) {
  for (Column& column : columns) {
    switch (column.type) {
      case ColumnType::Float:
      case ColumnType::Double:
      case ColumnType::Blob:
      case ColumnType::TinyBlob:
      case ColumnType::MediumBlob:
      case ColumnType::LongBlob:
      case ColumnType::Geometry:
      case ColumnType::Json:
      case ColumnType::Timestamp2:
      case ColumnType::DateTime2:
      case ColumnType::Time2:
        column.meta = in.u8();
        break;
      case ColumnType::VarChar:
      case ColumnType::VarString:
        column.meta = in.u16();
        break;
      case ColumnType::NewDecimal: {
        const std::uint8_t precision = in.u8();
        const std::uint8_t scale = in.u8();
        column.meta = static_cast<std::uint16_t>(precision << 8 | scale);
        break;
      }
      case ColumnType::Bit: {
        const std::uint8_t odd_bits = in.u8();
        const std::uint8_t bytes = in.u8();
        if (odd_bits > 7 || bytes > 8 || bytes * 8 + odd_bits > 64) {
          return fail(codec_errc::invalid_value);
        }
        column.meta = static_cast<std::uint16_t>(bytes * 8 + odd_bits);
        break;
      }
      case ColumnType::String:
      case ColumnType::Enum:
      case ColumnType::Set: {
        // field_string::save_field_metadata: byte 0 = real type with bits 4-5 of a CHAR length
        // above 255 folded in (XOR), byte 1 = the low 8 bits of the length (ENUM/SET: the pack
        // length).
        const std::uint8_t high = in.u8();
        const std::uint8_t low = in.u8();
        if ((high & 0x30) != 0x30) {
          column.type = ColumnType::String;
          column.meta = static_cast<std::uint16_t>(low | (((high & 0x30) ^ 0x30) << 4));
          break;
        }
        const auto real = static_cast<ColumnType>(high);
        if (real != ColumnType::String && real != ColumnType::Enum && real != ColumnType::Set) {
          return fail(codec_errc::invalid_value);
        }
        column.type = real;
        column.meta = low;
        break;
      }
      default:
        break;  // no metadata
    }
  }
  if (!in.ok()) return fail(codec_errc::invalid_value);  // the block is shorter than its types
  return {};
}

// MSB-first bitmap over the columns `applies` selects, in order.
template <typename Applies, typename Set>
void read_bitmap(ByteView value, std::vector<Column>& columns, Applies applies, Set set) {
  std::size_t bit = 0;
  for (Column& column : columns) {
    if (!applies(column)) continue;
    const std::size_t byte = bit / 8;
    if (byte >= value.size()) return;  // the server writes exactly enough; be lenient if not
    set(column, (value[byte] >> (7 - bit % 8) & 1) != 0);
    ++bit;
  }
}

template <typename Applies>
std::size_t count_of(const std::vector<Column>& columns, Applies applies) {
  return static_cast<std::size_t>(std::count_if(columns.begin(), columns.end(), applies));
}

// The k-th column `applies` selects, or nullptr.
template <typename Applies>
Column* nth(std::vector<Column>& columns, std::uint64_t k, Applies applies) {
  for (Column& column : columns) {
    if (!applies(column)) continue;
    if (k-- == 0) return &column;
  }
  return nullptr;
}

// DEFAULT_CHARSET: the default, then (index among the selected columns, charset) pairs for the
// columns that differ from it.
template <typename Applies>
Result<void> read_default_charset(ByteView value, std::vector<Column>& columns, Applies applies) {
  ByteReader in(value);
  const auto fallback = static_cast<std::uint32_t>(in.lenenc());
  if (!in.ok()) return fail(codec_errc::invalid_value);
  for (Column& column : columns) {
    if (applies(column)) column.charset = fallback;
  }
  while (in.ok() && !in.empty()) {
    const std::uint64_t index = in.lenenc();
    const std::uint64_t charset = in.lenenc();
    if (!in.ok()) break;
    Column* column = nth(columns, index, applies);
    if (column == nullptr) return fail(codec_errc::invalid_value);
    column->charset = static_cast<std::uint32_t>(charset);
  }
  if (!in.ok()) return fail(codec_errc::invalid_value);
  return {};
}

// COLUMN_CHARSET: one charset per selected column, in order.
template <typename Applies>
Result<void> read_column_charset(ByteView value, std::vector<Column>& columns, Applies applies) {
  ByteReader in(value);
  for (Column& column : columns) {
    if (!applies(column)) continue;
    column.charset = static_cast<std::uint32_t>(in.lenenc());
  }
  if (!in.ok()) return fail(codec_errc::invalid_value);
  return {};
}

Result<void> read_names(ByteView value, std::vector<Column>& columns) {
  ByteReader in(value);
  for (Column& column : columns) column.name = in.lenenc_string();
  if (!in.ok()) return fail(codec_errc::invalid_value);
  return {};
}

// SET_STR_VALUE / ENUM_STR_VALUE: per column of the kind, a count then that many strings.
Result<void> read_str_values(ByteView value, std::vector<Column>& columns, ColumnType kind) {
  ByteReader in(value);
  for (Column& column : columns) {
    if (column.type != kind) continue;
    const std::uint64_t count = in.lenenc();
    // Each string takes at least its length byte: bound the count before reserving.
    if (!in.ok() || count > in.remaining()) return fail(codec_errc::invalid_value);
    column.values.clear();
    column.values.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
      column.values.emplace_back(in.lenenc_string());
    }
  }
  if (!in.ok()) return fail(codec_errc::invalid_value);
  return {};
}

Result<void> read_geometry_types(ByteView value, std::vector<Column>& columns) {
  ByteReader in(value);
  for (Column& column : columns) {
    if (column.type != ColumnType::Geometry) continue;
    column.geometry_type = static_cast<std::uint32_t>(in.lenenc());
  }
  if (!in.ok()) return fail(codec_errc::invalid_value);
  return {};
}

Result<void> read_primary_key(ByteView value, TableMap& table, bool with_prefix) {
  ByteReader in(value);
  // Each index takes at least one byte.
  table.primary_key.reserve(value.size());
  while (in.ok() && !in.empty()) {
    const std::uint64_t index = in.lenenc();
    if (with_prefix) (void)in.lenenc();  // the prefix length; the key columns are what we keep
    if (!in.ok()) break;
    if (index >= table.columns.size()) return fail(codec_errc::invalid_value);
    table.primary_key.push_back(static_cast<std::uint32_t>(index));
    table.columns[static_cast<std::size_t>(index)].in_primary_key = true;
  }
  if (!in.ok()) return fail(codec_errc::invalid_value);
  return {};
}

Result<void> read_optional_metadata(ByteReader& in, TableMap& table) {
  auto& columns = table.columns;
  const auto numeric = [](const Column& c) { return is_numeric(c.type); };
  const auto character = [](const Column& c) { return is_character(c.type); };
  const auto enum_set = [](const Column& c) { return is_enum_or_set(c.type); };
  bool names = false;
  while (in.ok() && !in.empty()) {
    const auto type = static_cast<Tlv>(in.u8());
    const std::uint64_t length = in.lenenc();
    if (!in.ok()) break;
    if (length > in.remaining()) return fail(codec_errc::invalid_length);
    const ByteView value = in.bytes(static_cast<std::size_t>(length));
    Result<void> done;
    switch (type) {
      case Tlv::Signedness:
        read_bitmap(value, columns, numeric, [](Column& c, bool on) { c.is_unsigned = on; });
        break;
      case Tlv::DefaultCharset:
        done = read_default_charset(value, columns, character);
        break;
      case Tlv::ColumnCharset:
        done = read_column_charset(value, columns, character);
        break;
      case Tlv::ColumnName:
        done = read_names(value, columns);
        names = done.has_value();
        break;
      case Tlv::SetStrValue:
        done = read_str_values(value, columns, ColumnType::Set);
        break;
      case Tlv::EnumStrValue:
        done = read_str_values(value, columns, ColumnType::Enum);
        break;
      case Tlv::GeometryType:
        done = read_geometry_types(value, columns);
        break;
      case Tlv::SimplePrimaryKey:
        done = read_primary_key(value, table, false);
        break;
      case Tlv::PrimaryKeyWithPrefix:
        done = read_primary_key(value, table, true);
        break;
      case Tlv::EnumAndSetDefaultCharset:
        done = read_default_charset(value, columns, enum_set);
        break;
      case Tlv::EnumAndSetColumnCharset:
        done = read_column_charset(value, columns, enum_set);
        break;
      case Tlv::ColumnVisibility:
        read_bitmap(
            value, columns, [](const Column&) { return true; },
            [](Column& c, bool on) { c.visible = on; });
        break;
      default:
        break;  // a field from a newer server: skipped by its length
    }
    if (!done) return done;
  }
  if (!in.ok()) return fail(in.error());
  table.has_names = names && !columns.empty();
  return {};
}

}  // namespace

Result<TableMap> decode_table_map(ByteView body, std::uint8_t post_header_length) {
  if (post_header_length < 8) return fail(codec_errc::unsupported);
  ByteReader in(body);
  TableMap table;
  table.table_id = in.u48();
  table.flags = in.u16();
  in.skip(post_header_length - 8u);
  table.db = in.string(in.u8());
  if (in.u8() != 0 && in.ok()) return fail(codec_errc::invalid_value);
  table.table = in.string(in.u8());
  if (in.u8() != 0 && in.ok()) return fail(codec_errc::invalid_value);
  const std::uint64_t count = in.lenenc();
  if (!in.ok()) return fail(in.error());
  // One type byte per column: a count past the bytes left cannot be right.
  if (count > in.remaining()) return fail(codec_errc::need_more);
  const ByteView types = in.bytes(static_cast<std::size_t>(count));
  table.columns.resize(types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    table.columns[i].type = static_cast<ColumnType>(types[i]);
  }
  const std::uint64_t meta_length = in.lenenc();
  if (!in.ok()) return fail(in.error());
  if (meta_length > in.remaining()) return fail(codec_errc::need_more);
  ByteReader meta(in.bytes(static_cast<std::size_t>(meta_length)));
  if (auto read = read_type_metadata(meta, table.columns); !read) return fail(read.error());
  if (!meta.empty()) return fail(codec_errc::invalid_value);  // more metadata than the types use
  const ByteView nullable = in.bytes((types.size() + 7) / 8);
  if (!in.ok()) return fail(in.error());
  for (std::size_t i = 0; i < types.size(); ++i) {
    table.columns[i].nullable = (nullable[i / 8] >> (i % 8) & 1) != 0;
  }
  if (auto read = read_optional_metadata(in, table); !read) return fail(read.error());
  return table;
}

}  // namespace gw::protocol::binlog
