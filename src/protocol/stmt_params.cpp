#include "protocol/stmt_params.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "core/byte_reader.h"
#include "core/errors.h"
#include "protocol/commands.h"

namespace gw::protocol {

namespace {

// MYSQL_TYPE_* values (Connector/C mariadb_com.h, enum_field_types).
enum : std::uint8_t {
  kTiny = 1,
  kShort = 2,
  kLong = 3,
  kFloat = 4,
  kDouble = 5,
  kNull = 6,
  kTimestamp = 7,
  kLongLong = 8,
  kInt24 = 9,
  kDate = 10,
  kTime = 11,
  kDateTime = 12,
  kYear = 13,
};

std::string quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string integer(ByteReader& reader, int width, bool is_unsigned) {
  std::uint64_t raw = 0;
  switch (width) {
    case 1:
      raw = reader.u8();
      break;
    case 2:
      raw = reader.u16();
      break;
    case 4:
      raw = reader.u32();
      break;
    default:
      raw = reader.u64();
      break;
  }
  if (is_unsigned) return fmt::format("{}", raw);
  const int shift = 64 - 8 * width;
  return fmt::format("{}", static_cast<std::int64_t>(raw << shift) >> shift);
}

// DATE, DATETIME, TIMESTAMP: length 0, 4, 7 or 11.
std::string date_time(ByteReader& reader, bool with_time) {
  const std::uint8_t length = reader.u8();
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micro = 0;
  if (length >= 4) {
    year = reader.u16();
    month = reader.u8();
    day = reader.u8();
  }
  if (length >= 7) {
    hour = reader.u8();
    minute = reader.u8();
    second = reader.u8();
  }
  if (length >= 11) micro = reader.u32();
  if (length != 0 && length != 4 && length != 7 && length != 11) {
    reader.set_error(codec_errc::invalid_length);
  }
  std::string text = fmt::format("{:04}-{:02}-{:02}", year, month, day);
  if (with_time) text += fmt::format(" {:02}:{:02}:{:02}", hour, minute, second);
  if (micro != 0) text += fmt::format(".{:06}", micro);
  return quoted(text);
}

// TIME: length 0, 8 or 12: negative flag, days, hours, minutes, seconds, microseconds.
std::string time_value(ByteReader& reader) {
  const std::uint8_t length = reader.u8();
  bool negative = false;
  unsigned days = 0, hour = 0, minute = 0, second = 0, micro = 0;
  if (length >= 8) {
    negative = reader.u8() != 0;
    days = reader.u32();
    hour = reader.u8();
    minute = reader.u8();
    second = reader.u8();
  }
  if (length >= 12) micro = reader.u32();
  if (length != 0 && length != 8 && length != 12) reader.set_error(codec_errc::invalid_length);
  std::string text =
      fmt::format("{}{:02}:{:02}:{:02}", negative ? "-" : "", days * 24 + hour, minute, second);
  if (micro != 0) text += fmt::format(".{:06}", micro);
  return quoted(text);
}

std::string value(ByteReader& reader, const ParamType& type) {
  switch (type.type) {
    case kTiny:
      return integer(reader, 1, type.is_unsigned);
    case kShort:
    case kYear:
      return integer(reader, 2, type.is_unsigned);
    case kLong:
    case kInt24:
      return integer(reader, 4, type.is_unsigned);
    case kLongLong:
      return integer(reader, 8, type.is_unsigned);
    case kFloat:
      return fmt::format("{}", std::bit_cast<float>(reader.u32()));
    case kDouble:
      return fmt::format("{}", std::bit_cast<double>(reader.u64()));
    case kNull:
      return "NULL";
    case kDate:
      return date_time(reader, false);
    case kTimestamp:
    case kDateTime:
      return date_time(reader, true);
    case kTime:
      return time_value(reader);
    default:
      return quoted(reader.lenenc_string());  // strings, decimals, blobs, JSON, BIT
  }
}

}  // namespace

Result<ExecuteParams> decode_execute_params(ByteView payload, std::uint16_t num_params,
                                            const std::vector<ParamType>& previous_types,
                                            const std::vector<bool>& long_data) {
  ExecuteParams params;
  if (num_params == 0) return params;
  if (payload.size() < kStmtExecuteHeaderSize) return fail(codec_errc::need_more);
  ByteReader reader(payload.subspan(kStmtExecuteHeaderSize));
  const ByteView nulls = reader.bytes((num_params + 7u) / 8u);
  const bool types_sent = reader.u8() == 1;
  if (!reader.ok()) return fail(reader.error());  // cut short: need_more, not "no types"
  if (types_sent) {
    for (std::uint16_t i = 0; i < num_params; ++i) {
      const std::uint8_t type = reader.u8();
      const std::uint8_t flags = reader.u8();
      params.types.push_back({type, (flags & 0x80) != 0});
    }
  } else if (previous_types.size() == num_params) {
    params.types = previous_types;
  } else {
    return fail(codec_errc::invalid_value);  // no types now, none remembered
  }
  if (!reader.ok()) return fail(reader.error());
  for (std::uint16_t i = 0; i < num_params; ++i) {
    if ((nulls[i / 8] >> (i % 8)) & 1) {
      params.values.emplace_back("NULL");
    } else if (i < long_data.size() && long_data[i]) {
      params.values.emplace_back("<long data>");
    } else {
      params.values.push_back(value(reader, params.types[i]));
    }
    if (!reader.ok()) return fail(reader.error());
  }
  return params;
}

}  // namespace gw::protocol
