#include "eventlog/value_json.h"

#include <fmt/format.h>

#include <cmath>
#include <type_traits>

#include "eventlog/json_string.h"

namespace gw::eventlog {
namespace {

// `value` in decimal, zero-padded to at least `width` digits (at most 20).
void append_padded(std::string& out, std::uint64_t value, int width) {
  char digits[20];
  std::size_t n = 0;
  do {
    digits[sizeof digits - ++n] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n < static_cast<std::size_t>(width) && n < sizeof digits) {
    digits[sizeof digits - ++n] = '0';
  }
  out.append(digits + sizeof digits - n, n);
}

// The fraction of a DATETIME or TIME: exactly `fsp` digits of the microseconds when the column
// declares them, six digits when it does not and they are not zero.
void append_fraction(std::string& out, std::uint32_t microsecond, std::int8_t fsp) {
  if (fsp == 0) return;
  if (fsp < 0 && microsecond == 0) return;
  const int digits = fsp < 0 || fsp > 6 ? 6 : fsp;
  // The wire bounds microseconds to six digits; a larger value is cut, never overflows. The
  // first `digits` of the six: the rest are dropped, not rounded.
  std::uint32_t leading = microsecond % 1000000;
  for (int dropped = digits; dropped < 6; ++dropped) leading /= 10;
  out += '.';
  append_padded(out, leading, digits);
}

// "HH:MM:SS" (hours may run past two digits: a TIME's days are folded into them).
void append_clock(std::string& out, std::uint64_t hours, std::uint8_t minute, std::uint8_t second) {
  append_padded(out, hours, 2);
  out += ':';
  append_padded(out, minute, 2);
  out += ':';
  append_padded(out, second, 2);
}

void append_date_time(std::string& out, const protocol::DateTime& v) {
  out += '"';
  append_padded(out, v.year, 4);
  out += '-';
  append_padded(out, v.month, 2);
  out += '-';
  append_padded(out, v.day, 2);
  if (v.type != protocol::DateTime::Type::Date) {
    out += ' ';
    append_clock(out, v.hour, v.minute, v.second);
    append_fraction(out, v.microsecond, v.fsp);
  }
  out += '"';
}

void append_time(std::string& out, const protocol::Time& v) {
  // 64-bit: a nonsense day count from the wire cannot wrap.
  const std::uint64_t hours = std::uint64_t{v.days} * 24 + v.hour;
  out += v.negative ? "\"-" : "\"";
  append_clock(out, hours, v.minute, v.second);
  append_fraction(out, v.microsecond, v.fsp);
  out += '"';
}

void append_geometry(std::string& out, const protocol::Geometry& v) {
  static constexpr char kHex[] = "0123456789abcdef";
  fmt::format_to(std::back_inserter(out), R"({{"srid":{},"wkb":")", v.srid);
  for (const char c : v.wkb) {
    const auto byte = static_cast<unsigned char>(c);
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
  out += "\"}";
}

template <typename F>
void append_floating(std::string& out, F value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", value);
}

}  // namespace

bool append_value_json(std::string& out, const protocol::Value& value) {
  return std::visit(
      [&](const auto& v) -> bool {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, protocol::NullValue> ||
                      std::is_same_v<T, protocol::LongData>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint64_t>) {
          const fmt::format_int digits(v);
          out.append(digits.data(), digits.size());
        } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
          append_floating(out, v);
        } else if constexpr (std::is_same_v<T, protocol::Decimal>) {
          return append_json_string(out, v.text);
        } else if constexpr (std::is_same_v<T, protocol::String>) {
          return append_json_string(out, v.bytes);
        } else if constexpr (std::is_same_v<T, protocol::Binary>) {
          out += '"';
          append_base64(out, v.bytes);
          out += '"';
        } else if constexpr (std::is_same_v<T, protocol::Geometry>) {
          append_geometry(out, v);
        } else if constexpr (std::is_same_v<T, protocol::DateTime>) {
          append_date_time(out, v);
        } else if constexpr (std::is_same_v<T, protocol::Time>) {
          append_time(out, v);
        } else {
          static_assert(sizeof(T) == 0, "a Value alternative without a JSON rendering");
        }
        return true;
      },
      value);
}

void append_exact_base64(std::string& out, const protocol::Value& value) {
  out += '"';
  if (const auto* text = std::get_if<protocol::String>(&value)) append_base64(out, text->bytes);
  if (const auto* decimal = std::get_if<protocol::Decimal>(&value)) {
    append_base64(out, decimal->text);
  }
  out += '"';
}

std::string value_json(const protocol::Value& value) {
  std::string out;
  append_value_json(out, value);
  return out;
}

}  // namespace gw::eventlog
