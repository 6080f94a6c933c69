#include "protocol/stmt_params.h"

#include <bit>
#include <string>

#include "core/byte_reader.h"
#include "core/errors.h"
#include "protocol/commands.h"

namespace gw::protocol {

namespace {

// MYSQL_TYPE_* values (Connector/C mariadb_com.h, enum_field_types).
enum : std::uint8_t {
  kDecimal = 0,
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
  kNewDecimal = 0xf6,
};

Value integer(ByteReader& reader, int width, bool is_unsigned) {
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
  if (is_unsigned) return raw;
  const int shift = 64 - 8 * width;
  return static_cast<std::int64_t>(raw << shift) >> shift;  // sign-extend from `width` bytes
}

// DATE, DATETIME, TIMESTAMP: length 0, 4, 7 or 11.
DateTime date_time(ByteReader& reader, DateTime::Type type) {
  DateTime value;
  value.type = type;
  const std::uint8_t length = reader.u8();
  if (length >= 4) {
    value.year = reader.u16();
    value.month = reader.u8();
    value.day = reader.u8();
  }
  if (length >= 7) {
    value.hour = reader.u8();
    value.minute = reader.u8();
    value.second = reader.u8();
  }
  if (length >= 11) value.microsecond = reader.u32();
  if (length != 0 && length != 4 && length != 7 && length != 11) {
    reader.set_error(codec_errc::invalid_length);
  }
  return value;
}

// TIME: length 0, 8 or 12: negative flag, days, hours, minutes, seconds, microseconds.
Time time_value(ByteReader& reader) {
  Time value;
  const std::uint8_t length = reader.u8();
  if (length >= 8) {
    value.negative = reader.u8() != 0;
    value.days = reader.u32();
    value.hour = reader.u8();
    value.minute = reader.u8();
    value.second = reader.u8();
  }
  if (length >= 12) value.microsecond = reader.u32();
  if (length != 0 && length != 8 && length != 12) reader.set_error(codec_errc::invalid_length);
  return value;
}

Value value(ByteReader& reader, const ParamType& type) {
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
      return std::bit_cast<float>(reader.u32());
    case kDouble:
      return std::bit_cast<double>(reader.u64());
    case kNull:
      return NullValue{};
    case kDate:
      return date_time(reader, DateTime::Type::Date);
    case kTimestamp:
      return date_time(reader, DateTime::Type::Timestamp);
    case kDateTime:
      return date_time(reader, DateTime::Type::DateTime);
    case kTime:
      return time_value(reader);
    case kDecimal:
    case kNewDecimal:
      return Decimal{std::string(reader.lenenc_string())};
    default:
      return String{std::string(reader.lenenc_string())};  // strings, blobs, JSON, BIT
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
      params.values.emplace_back(NullValue{});
    } else if (i < long_data.size() && long_data[i]) {
      params.values.emplace_back(LongData{});
    } else {
      params.values.push_back(value(reader, params.types[i]));
    }
    if (!reader.ok()) return fail(reader.error());
  }
  return params;
}

}  // namespace gw::protocol
