// Temporal columns in binlog rows (server sql/field.cc, mysys/my_time.c):
//   DATE       3 bytes LE: day | month << 5 | year << 9
//   TIME2      3 bytes BE (hh:mm:ss packed, + 0x800000) then (fsp+1)/2 fraction bytes BE;
//              a negative value with a fraction borrows one second from the integer part
//   DATETIME2  5 bytes BE ((year*13+month) << 22 | day << 17 | hh << 12 | mm << 6 | ss,
//              + 0x8000000000) then the fraction
//   TIMESTAMP2 4 bytes BE seconds since the epoch (UTC) then the fraction; 0 = the zero date
//   old TIME 3 bytes LE signed HHMMSS, DATETIME 8 bytes LE YYYYMMDDHHMMSS, TIMESTAMP 4 bytes LE
#include <cstdint>

#include "core/errors.h"
#include "protocol/binlog/column_value.h"

namespace gw::protocol::binlog::detail {

namespace {

constexpr std::uint8_t kMaxFsp = 6;

std::size_t fraction_bytes(std::uint8_t fsp) { return (fsp + 1u) / 2u; }

// Microseconds from the fraction bytes, unsigned (DATETIME2 and TIMESTAMP2 are never negative).
std::uint32_t fraction_us(const std::uint8_t* p, std::uint8_t fsp) {
  switch (fraction_bytes(fsp)) {
    case 1:
      return p[0] * 10000u;
    case 2:
      return static_cast<std::uint32_t>(read_be(p, 2)) * 100u;
    case 3:
      return static_cast<std::uint32_t>(read_be(p, 3));
    default:
      return 0;
  }
}

// Days since 1970-01-01 to a proleptic Gregorian date (the era algorithm: 400-year cycles of
// 146097 days starting on March 1st, so that the leap day is the last day of a year).
void civil_from_days(std::int64_t days, DateTime& out) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<std::uint32_t>(days - era * 146097);
  const std::uint32_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::uint32_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::uint32_t mp = (5 * day_of_year + 2) / 153;
  const std::uint32_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const std::uint32_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
  out.year = static_cast<std::uint16_t>(year);
  out.month = static_cast<std::uint8_t>(month);
  out.day = static_cast<std::uint8_t>(day);
}

Result<std::size_t> time2(std::uint8_t fsp, ByteView bytes, Value& out) {
  const std::size_t size = 3 + fraction_bytes(fsp);
  if (bytes.size() < size) return fail(codec_errc::need_more);
  const std::uint8_t* p = bytes.data();
  constexpr std::int64_t kIntOffset = 0x800000;
  std::int64_t int_part = static_cast<std::int64_t>(read_be(p, 3)) - kIntOffset;
  std::int64_t frac = 0;  // in microseconds, signed like the value
  switch (fraction_bytes(fsp)) {
    case 1:
      frac = p[3];
      if (int_part < 0 && frac != 0) {
        ++int_part;
        frac -= 0x100;
      }
      frac *= 10000;
      break;
    case 2:
      frac = static_cast<std::int64_t>(read_be(p + 3, 2));
      if (int_part < 0 && frac != 0) {
        ++int_part;
        frac -= 0x10000;
      }
      frac *= 100;
      break;
    case 3: {
      // Six digits: the whole value is one 48-bit number, offset by 0x800000000000.
      constexpr std::int64_t kOffset = 0x800000000000;
      const std::int64_t packed = static_cast<std::int64_t>(read_be(p, 6)) - kOffset;
      int_part = packed / (std::int64_t{1} << 24);
      frac = packed % (std::int64_t{1} << 24);
      break;
    }
    default:
      break;
  }
  std::int64_t packed = int_part * (std::int64_t{1} << 24) + frac;
  Time time;
  time.fsp = static_cast<std::int8_t>(fsp);
  time.negative = packed < 0;
  if (time.negative) packed = -packed;
  const std::int64_t hms = packed >> 24;
  const std::int64_t micro = packed % (std::int64_t{1} << 24);
  if (micro > 999999) return fail(codec_errc::invalid_value);
  const auto hours = static_cast<std::uint32_t>((hms >> 12) % (1 << 10));
  time.days = hours / 24;
  time.hour = static_cast<std::uint8_t>(hours % 24);
  time.minute = static_cast<std::uint8_t>((hms >> 6) % (1 << 6));
  time.second = static_cast<std::uint8_t>(hms % (1 << 6));
  time.microsecond = static_cast<std::uint32_t>(micro);
  out.emplace<Time>(time);
  return size;
}

void split_ymdhms(std::uint64_t packed, DateTime& value) {
  const std::uint64_t ymd = packed >> 17;
  const std::uint64_t ym = ymd >> 5;
  const std::uint64_t hms = packed % (1 << 17);
  value.day = static_cast<std::uint8_t>(ymd % (1 << 5));
  value.month = static_cast<std::uint8_t>(ym % 13);
  value.year = static_cast<std::uint16_t>(ym / 13);
  value.second = static_cast<std::uint8_t>(hms % (1 << 6));
  value.minute = static_cast<std::uint8_t>((hms >> 6) % (1 << 6));
  value.hour = static_cast<std::uint8_t>(hms >> 12);
}

Result<std::size_t> datetime2(std::uint8_t fsp, ByteView bytes, Value& out) {
  const std::size_t size = 5 + fraction_bytes(fsp);
  if (bytes.size() < size) return fail(codec_errc::need_more);
  constexpr std::uint64_t kIntOffset = 0x8000000000;
  const std::uint64_t raw = read_be(bytes.data(), 5);
  // A negative DATETIME cannot be stored; the top bit clear is a corrupt value.
  if (raw < kIntOffset) return fail(codec_errc::invalid_value);
  DateTime value;
  value.type = DateTime::Type::DateTime;
  value.fsp = static_cast<std::int8_t>(fsp);
  split_ymdhms(raw - kIntOffset, value);
  value.microsecond = fraction_us(bytes.data() + 5, fsp);
  if (value.microsecond > 999999) return fail(codec_errc::invalid_value);
  out.emplace<DateTime>(value);
  return size;
}

Result<std::size_t> timestamp2(std::uint8_t fsp, ByteView bytes, Value& out) {
  const std::size_t size = 4 + fraction_bytes(fsp);
  if (bytes.size() < size) return fail(codec_errc::need_more);
  const std::uint64_t seconds = read_be(bytes.data(), 4);
  DateTime value;
  value.type = DateTime::Type::Timestamp;
  value.fsp = static_cast<std::int8_t>(fsp);
  value.microsecond = fraction_us(bytes.data() + 4, fsp);
  if (value.microsecond > 999999) return fail(codec_errc::invalid_value);
  if (seconds != 0 || value.microsecond != 0) {  // 0 is '0000-00-00 00:00:00'
    civil_from_days(static_cast<std::int64_t>(seconds / 86400), value);
    const std::uint64_t in_day = seconds % 86400;
    value.hour = static_cast<std::uint8_t>(in_day / 3600);
    value.minute = static_cast<std::uint8_t>(in_day / 60 % 60);
    value.second = static_cast<std::uint8_t>(in_day % 60);
  }
  out.emplace<DateTime>(value);
  return size;
}

Result<std::size_t> date(ByteView bytes, Value& out) {
  if (bytes.size() < 3) return fail(codec_errc::need_more);
  const std::uint64_t packed = read_le(bytes.data(), 3);
  DateTime value;
  value.type = DateTime::Type::Date;
  value.fsp = 0;
  value.day = static_cast<std::uint8_t>(packed & 31);
  value.month = static_cast<std::uint8_t>(packed >> 5 & 15);
  value.year = static_cast<std::uint16_t>(packed >> 9);
  out.emplace<DateTime>(value);
  return 3;
}

Result<std::size_t> old_time(ByteView bytes, Value& out) {
  if (bytes.size() < 3) return fail(codec_errc::need_more);
  auto packed = static_cast<std::int32_t>(read_le(bytes.data(), 3));
  if ((packed & 0x800000) != 0) packed -= 0x1000000;  // sign-extend 24 bits
  Time time;
  time.fsp = 0;
  time.negative = packed < 0;
  const auto magnitude = static_cast<std::uint32_t>(packed < 0 ? -packed : packed);
  const std::uint32_t hours = magnitude / 10000;
  time.days = hours / 24;
  time.hour = static_cast<std::uint8_t>(hours % 24);
  time.minute = static_cast<std::uint8_t>(magnitude / 100 % 100);
  time.second = static_cast<std::uint8_t>(magnitude % 100);
  out.emplace<Time>(time);
  return 3;
}

Result<std::size_t> old_datetime(ByteView bytes, Value& out) {
  if (bytes.size() < 8) return fail(codec_errc::need_more);
  const std::uint64_t packed = read_le(bytes.data(), 8);
  DateTime value;
  value.fsp = 0;
  const std::uint64_t ymd = packed / 1000000;
  const std::uint64_t hms = packed % 1000000;
  if (ymd / 10000 > 9999) return fail(codec_errc::invalid_value);
  value.year = static_cast<std::uint16_t>(ymd / 10000);
  value.month = static_cast<std::uint8_t>(ymd / 100 % 100);
  value.day = static_cast<std::uint8_t>(ymd % 100);
  value.hour = static_cast<std::uint8_t>(hms / 10000);
  value.minute = static_cast<std::uint8_t>(hms / 100 % 100);
  value.second = static_cast<std::uint8_t>(hms % 100);
  out.emplace<DateTime>(value);
  return 8;
}

Result<std::size_t> old_timestamp(ByteView bytes, Value& out) {
  if (bytes.size() < 4) return fail(codec_errc::need_more);
  // The same as TIMESTAMP2 without a fraction, but little-endian.
  const std::uint8_t be[4] = {bytes[3], bytes[2], bytes[1], bytes[0]};
  return timestamp2(0, ByteView(be, 4), out);
}

}  // namespace

Result<std::size_t> decode_temporal(const Column& column, ByteView bytes, Value& out) {
  const bool fractional = column.type == ColumnType::Time2 ||
                          column.type == ColumnType::DateTime2 ||
                          column.type == ColumnType::Timestamp2;
  if (fractional && column.meta > kMaxFsp) return fail(codec_errc::invalid_value);
  const auto fsp = static_cast<std::uint8_t>(column.meta);
  switch (column.type) {
    case ColumnType::Date:
    case ColumnType::NewDate:
      return date(bytes, out);
    case ColumnType::Time2:
      return time2(fsp, bytes, out);
    case ColumnType::DateTime2:
      return datetime2(fsp, bytes, out);
    case ColumnType::Timestamp2:
      return timestamp2(fsp, bytes, out);
    case ColumnType::Time:
      return old_time(bytes, out);
    case ColumnType::DateTime:
      return old_datetime(bytes, out);
    case ColumnType::Timestamp:
      return old_timestamp(bytes, out);
    default:
      return fail(codec_errc::unsupported);
  }
}

}  // namespace gw::protocol::binlog::detail
