// One column value of a binlog row image, per type (server sql/field.cc pack/unpack and
// log_event.cc log_event_print_value):
//   TINY/SHORT/INT24/LONG/LONGLONG  1/2/3/4/8 bytes LE, signed unless SIGNEDNESS says not
//   FLOAT/DOUBLE                    4/8 bytes IEEE 754 LE
//   YEAR                            1 byte, 0 or years since 1900
//   NEWDECIMAL                      protocol/binlog/decimal.h
//   BIT                             (bits+7)/8 bytes BE
//   ENUM/SET                        pack length (meta) bytes LE: the 1-based index / the bitmask
//   STRING/VARCHAR/VAR_STRING       1 length byte if the max length in bytes is < 256, else 2 LE
//   BLOB/TEXT/GEOMETRY/JSON         meta (1-4) length bytes LE
//   temporal types                  temporal.cpp
#include "protocol/binlog/column_value.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/errors.h"
#include "protocol/binlog/charset.h"
#include "protocol/binlog/decimal.h"
#include "protocol/binlog/mysql_json.h"
#include "protocol/binlog/rows.h"

namespace gw::protocol::binlog {

namespace detail {

namespace {

// Stores `text` as a String (or Bytes for the binary charset), reusing the storage of a value of
// the same kind.
template <typename Kind>
void put_text(Value& out, std::string_view text) {
  if (auto* held = std::get_if<Kind>(&out)) {
    held->bytes.assign(text);
  } else {
    out.emplace<Kind>().bytes.assign(text);
  }
}

void put_string(const Column& column, Value& out, std::string_view text) {
  if (column.charset == kBinaryCharset) {
    put_text<protocol::Binary>(out, text);
  } else if (is_latin1(column.charset)) {
    // Records are UTF-8 (charset.h).
    auto& value =
        std::holds_alternative<String>(out) ? std::get<String>(out) : out.emplace<String>();
    value.bytes.clear();
    append_latin1_as_utf8(value.bytes, text);
  } else {
    put_text<String>(out, text);
  }
}

Result<std::size_t> integer(const Column& column, ByteView bytes, std::size_t width, Value& out) {
  if (bytes.size() < width) return fail(codec_errc::need_more);
  const std::uint64_t raw = read_le(bytes.data(), width);
  if (column.is_unsigned) {
    out.emplace<std::uint64_t>(raw);
  } else {
    const unsigned shift = static_cast<unsigned>(64 - 8 * width);
    out.emplace<std::int64_t>(static_cast<std::int64_t>(raw << shift) >> shift);
  }
  return width;
}

// The length prefix of `width` bytes and the bytes it announces.
// A length past the column's declared maximum is a lie (invalid_length) even when the bytes
// are there; one past the end of the input is need_more.
Result<std::string_view> prefixed(ByteView bytes, std::size_t width, std::size_t& consumed,
                                  std::uint64_t max = UINT64_MAX) {
  if (width == 0 || width > 4) return fail(codec_errc::invalid_value);
  if (bytes.size() < width) return fail(codec_errc::need_more);
  const std::uint64_t length = read_le(bytes.data(), width);
  if (length > max) return fail(codec_errc::invalid_length);
  if (length > bytes.size() - width) return fail(codec_errc::need_more);
  consumed = width + static_cast<std::size_t>(length);
  return as_chars(bytes.subspan(width, static_cast<std::size_t>(length)));
}

Result<std::size_t> char_or_varchar(const Column& column, ByteView bytes, Value& out) {
  std::size_t consumed = 0;
  const auto text = prefixed(bytes, column.meta < 256 ? 1 : 2, consumed, column.meta);
  if (!text) return fail(text.error());
  if (column.type == ColumnType::String && column.charset == kBinaryCharset) {
    // The server strips a BINARY(n) value's trailing zero bytes before logging it (INET6 '::'
    // arrives empty) and pads them back on read: restore them, so the value is what SELECT
    // returns.
    auto& value = std::holds_alternative<protocol::Binary>(out) ? std::get<protocol::Binary>(out)
                                                                : out.emplace<protocol::Binary>();
    value.bytes.assign(*text);
    value.bytes.resize(column.meta, '\0');
    return consumed;
  }
  put_string(column, out, *text);
  return consumed;
}

Result<std::size_t> blob(const Column& column, ByteView bytes, Value& out) {
  std::size_t consumed = 0;
  const auto text = prefixed(bytes, column.meta, consumed);
  if (!text) return fail(text.error());
  put_string(column, out, *text);
  return consumed;
}

Result<std::size_t> geometry(const Column& column, ByteView bytes, Value& out) {
  std::size_t consumed = 0;
  const auto text = prefixed(bytes, column.meta, consumed);
  if (!text) return fail(text.error());
  Geometry& value =
      std::holds_alternative<Geometry>(out) ? std::get<Geometry>(out) : out.emplace<Geometry>();
  if (text->empty()) {  // an empty value, as a NOT NULL column's default
    value.srid = 0;
    value.wkb.clear();
    return consumed;
  }
  if (text->size() < 4) return fail(codec_errc::invalid_value);
  value.srid = static_cast<std::uint32_t>(read_le(as_bytes(*text).data(), 4));
  value.wkb.assign(text->substr(4));
  return consumed;
}

Result<std::size_t> json(const Column& column, ByteView bytes, Value& out) {
  std::size_t consumed = 0;
  const auto binary = prefixed(bytes, column.meta, consumed);
  if (!binary) return fail(binary.error());
  String& value =
      std::holds_alternative<String>(out) ? std::get<String>(out) : out.emplace<String>();
  value.bytes.clear();
  if (auto done = mysql_json_to_text(as_bytes(*binary), value.bytes); !done) {
    return fail(done.error());
  }
  return consumed;
}

Result<std::size_t> bit(const Column& column, ByteView bytes, Value& out) {
  const std::size_t width = (column.meta + 7u) / 8u;
  if (width == 0 || width > 8) return fail(codec_errc::invalid_value);
  if (bytes.size() < width) return fail(codec_errc::need_more);
  out.emplace<std::uint64_t>(read_be(bytes.data(), width));
  return width;
}

Result<std::size_t> enumeration(const Column& column, ByteView bytes, Value& out) {
  const std::size_t width = column.meta;
  if (width != 1 && width != 2) return fail(codec_errc::invalid_value);
  if (bytes.size() < width) return fail(codec_errc::need_more);
  const std::uint64_t index = read_le(bytes.data(), width);
  if (column.values.empty()) {  // no ENUM_STR_VALUE (binlog_row_metadata MINIMAL): the index
    out.emplace<std::uint64_t>(index);
    return width;
  }
  if (index > column.values.size()) return fail(codec_errc::invalid_value);
  // Index 0 is the empty string the server stores for a value it could not take.
  put_text<String>(out, index == 0 ? std::string_view{} : column.values[index - 1]);
  return width;
}

Result<std::size_t> set(const Column& column, ByteView bytes, Value& out) {
  const std::size_t width = column.meta;
  if (width == 0 || width > 8) return fail(codec_errc::invalid_value);
  if (bytes.size() < width) return fail(codec_errc::need_more);
  std::uint64_t mask = read_le(bytes.data(), width);
  if (column.values.empty()) {  // no SET_STR_VALUE: the bitmask
    out.emplace<std::uint64_t>(mask);
    return width;
  }
  if (column.values.size() < 64 && (mask >> column.values.size()) != 0) {
    return fail(codec_errc::invalid_value);
  }
  String& value =
      std::holds_alternative<String>(out) ? std::get<String>(out) : out.emplace<String>();
  value.bytes.clear();
  while (mask != 0) {
    const auto i = static_cast<std::size_t>(std::countr_zero(mask));
    mask &= mask - 1;
    if (!value.bytes.empty()) value.bytes += ',';
    value.bytes += column.values[i];
  }
  return width;
}

Result<std::size_t> decimal(const Column& column, ByteView bytes, Value& out) {
  Decimal& value =
      std::holds_alternative<Decimal>(out) ? std::get<Decimal>(out) : out.emplace<Decimal>();
  value.text.clear();
  return decode_decimal(bytes, column.meta >> 8, column.meta & 0xFF, value.text);
}

template <typename Float, std::size_t kWidth>
Result<std::size_t> floating(ByteView bytes, Value& out) {
  if (bytes.size() < kWidth) return fail(codec_errc::need_more);
  Float value;
  std::memcpy(&value, bytes.data(), kWidth);  // little-endian hosts only, as the rest of gw
  out.emplace<Float>(value);
  return kWidth;
}

Result<std::size_t> year(ByteView bytes, Value& out) {
  if (bytes.empty()) return fail(codec_errc::need_more);
  out.emplace<std::uint64_t>(bytes[0] == 0 ? 0 : 1900u + bytes[0]);
  return 1;
}

}  // namespace

Result<std::size_t> decode_value_into(const Column& column, ByteView bytes, Value& out) {
  switch (column.type) {
    case ColumnType::Tiny:
      return integer(column, bytes, 1, out);
    case ColumnType::Short:
      return integer(column, bytes, 2, out);
    case ColumnType::Int24:
      return integer(column, bytes, 3, out);
    case ColumnType::Long:
      return integer(column, bytes, 4, out);
    case ColumnType::LongLong:
      return integer(column, bytes, 8, out);
    case ColumnType::Float:
      return floating<float, 4>(bytes, out);
    case ColumnType::Double:
      return floating<double, 8>(bytes, out);
    case ColumnType::Year:
      return year(bytes, out);
    case ColumnType::NewDecimal:
      return decimal(column, bytes, out);
    case ColumnType::Bit:
      return bit(column, bytes, out);
    case ColumnType::Enum:
      return enumeration(column, bytes, out);
    case ColumnType::Set:
      return set(column, bytes, out);
    case ColumnType::String:
    case ColumnType::VarChar:
    case ColumnType::VarString:
      return char_or_varchar(column, bytes, out);
    case ColumnType::Blob:
    case ColumnType::TinyBlob:
    case ColumnType::MediumBlob:
    case ColumnType::LongBlob:
      return blob(column, bytes, out);
    case ColumnType::Geometry:
      return geometry(column, bytes, out);
    case ColumnType::Json:
      return json(column, bytes, out);
    case ColumnType::Null:
      out.emplace<NullValue>();
      return 0;
    case ColumnType::Date:
    case ColumnType::NewDate:
    case ColumnType::Time:
    case ColumnType::Time2:
    case ColumnType::DateTime:
    case ColumnType::DateTime2:
    case ColumnType::Timestamp:
    case ColumnType::Timestamp2:
      return decode_temporal(column, bytes, out);
    default:
      return fail(codec_errc::unsupported);  // old DECIMAL (pre-5.0) and unknown types
  }
}

}  // namespace detail

Result<Value> decode_column_value(const Column& column, ByteView bytes, std::size_t& consumed) {
  Value value;
  auto used = detail::decode_value_into(column, bytes, value);
  if (!used) return fail(used.error());
  consumed = *used;
  return value;
}

}  // namespace gw::protocol::binlog
