#include "protocol/binlog/decimal.h"

#include <array>

#include "core/errors.h"

namespace gw::protocol::binlog {

namespace {

constexpr unsigned kDigitsPerGroup = 9;
constexpr std::array<std::uint8_t, 10> kDigitBytes = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr std::array<std::uint32_t, 10> kPowers = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

std::size_t part_size(unsigned digits) {
  return digits / kDigitsPerGroup * 4 + kDigitBytes[digits % kDigitsPerGroup];
}

// Reads a big-endian group of `width` bytes, undoing the sign inversion.
std::uint32_t group(const std::uint8_t* p, std::size_t width, std::uint8_t mask, bool first) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    std::uint8_t b = p[i];
    if (first && i == 0) b ^= 0x80;
    value = value << 8 | static_cast<std::uint8_t>(b ^ mask);
  }
  return value;
}

// Writes `value` as exactly `digits` decimal digits, zero padded, into `buf`.
char* put_digits(char* buf, std::uint32_t value, unsigned digits) {
  for (unsigned i = digits; i > 0; --i) {
    buf[i - 1] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return buf + digits;
}

}  // namespace

std::size_t decimal_size(unsigned precision, unsigned scale) {
  if (precision == 0 || precision > kMaxDecimalPrecision || scale > kMaxDecimalScale ||
      scale > precision) {
    return 0;
  }
  return part_size(precision - scale) + part_size(scale);
}

Result<std::size_t> decode_decimal(ByteView bytes, unsigned precision, unsigned scale,
                                   std::string& out) {
  const std::size_t size = decimal_size(precision, scale);
  if (size == 0) return fail(codec_errc::invalid_value);
  if (bytes.size() < size) return fail(codec_errc::need_more);
  const std::uint8_t* p = bytes.data();
  const bool negative = (p[0] & 0x80) == 0;
  const std::uint8_t mask = negative ? 0xFF : 0x00;
  const unsigned int_digits = precision - scale;

  // 65 digits, a sign, a point: the text fits on the stack and is copied into `out` once.
  std::array<char, kMaxDecimalPrecision + 8> text{};
  char* at = text.data();
  bool first = true;
  bool leading = true;  // still skipping leading zero digits of the integer part
  const auto emit_int = [&](std::uint32_t value, unsigned digits) {
    if (value >= kPowers[digits]) return false;
    if (leading) {
      if (value == 0) return true;
      unsigned n = 1;
      while (n < digits && value >= kPowers[n]) ++n;
      at = put_digits(at, value, n);
      leading = false;
      return true;
    }
    at = put_digits(at, value, digits);
    return true;
  };

  const unsigned lead_digits = int_digits % kDigitsPerGroup;
  if (lead_digits > 0) {
    const std::size_t width = kDigitBytes[lead_digits];
    if (!emit_int(group(p, width, mask, first), lead_digits)) {
      return fail(codec_errc::invalid_value);
    }
    p += width;
    first = false;
  }
  for (unsigned i = 0; i < int_digits / kDigitsPerGroup; ++i) {
    if (!emit_int(group(p, 4, mask, first), kDigitsPerGroup)) {
      return fail(codec_errc::invalid_value);
    }
    p += 4;
    first = false;
  }
  if (leading) *at++ = '0';
  if (scale > 0) {
    *at++ = '.';
    for (unsigned i = 0; i < scale / kDigitsPerGroup; ++i) {
      const std::uint32_t value = group(p, 4, mask, first);
      if (value >= kPowers[kDigitsPerGroup]) return fail(codec_errc::invalid_value);
      at = put_digits(at, value, kDigitsPerGroup);
      p += 4;
      first = false;
    }
    const unsigned tail_digits = scale % kDigitsPerGroup;
    if (tail_digits > 0) {
      const std::uint32_t value = group(p, kDigitBytes[tail_digits], mask, first);
      if (value >= kPowers[tail_digits]) return fail(codec_errc::invalid_value);
      at = put_digits(at, value, tail_digits);
    }
  }
  // "-0.00" is how the server prints no value; a negative zero keeps no sign.
  bool all_zero = true;
  for (const char* c = text.data(); c != at; ++c) {
    if (*c >= '1' && *c <= '9') {
      all_zero = false;
      break;
    }
  }
  if (negative && !all_zero) out += '-';
  out.append(text.data(), at);
  return size;
}

}  // namespace gw::protocol::binlog
