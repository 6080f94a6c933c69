#include "protocol/binlog/mysql_json.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "core/errors.h"
#include "protocol/binlog/decimal.h"

namespace gw::protocol::binlog {

namespace {

enum JsonType : std::uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUint16 = 0x06,
  kInt32 = 0x07,
  kUint32 = 0x08,
  kInt64 = 0x09,
  kUint64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

// MySQL field types an opaque value may carry that print as something other than base64.
constexpr std::uint8_t kFieldTimestamp = 7;
constexpr std::uint8_t kFieldDate = 10;
constexpr std::uint8_t kFieldTime = 11;
constexpr std::uint8_t kFieldDateTime = 12;
constexpr std::uint8_t kFieldNewDecimal = 246;

std::uint64_t le(ByteView b, std::size_t at, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = width; i > 0; --i) value = value << 8 | b[at + i - 1];
  return value;
}

class Printer {
 public:
  Printer(std::string& out, std::size_t limit) : out_(out), limit_(out.size() + limit) {}

  Result<void> value(std::uint8_t type, ByteView data, std::size_t depth) {
    if (out_.size() > limit_) return fail(codec_errc::invalid_value);
    switch (type) {
      case kSmallObject:
      case kLargeObject:
      case kSmallArray:
      case kLargeArray:
        if (depth >= kMaxJsonDepth) return fail(codec_errc::invalid_value);
        return container(data, type == kLargeObject || type == kLargeArray,
                         type == kSmallObject || type == kLargeObject, depth + 1);
      case kLiteral:
        return literal(data);
      case kInt16:
        return integer<std::int16_t>(data, 2);
      case kUint16:
        return integer<std::uint16_t>(data, 2);
      case kInt32:
        return integer<std::int32_t>(data, 4);
      case kUint32:
        return integer<std::uint32_t>(data, 4);
      case kInt64:
        return integer<std::int64_t>(data, 8);
      case kUint64:
        return integer<std::uint64_t>(data, 8);
      case kDouble:
        return real(data);
      case kString: {
        const auto text = sized(data, 0);
        if (!text) return fail(text.error());
        quoted(as_chars(*text));
        return {};
      }
      case kOpaque:
        return opaque(data);
      default:
        return fail(codec_errc::invalid_value);
    }
  }

 private:
  static bool inlined(std::uint8_t type, bool large) {
    return type == kLiteral || type == kInt16 || type == kUint16 ||
           (large && (type == kInt32 || type == kUint32));
  }

  Result<void> container(ByteView data, bool large, bool object, std::size_t depth) {
    const std::size_t w = large ? 4 : 2;
    if (data.size() < 2 * w) return fail(codec_errc::invalid_value);
    const std::uint64_t count = le(data, 0, w);
    const std::uint64_t size = le(data, w, w);
    if (size > data.size() || size < 2 * w) return fail(codec_errc::invalid_value);
    const ByteView body = data.first(static_cast<std::size_t>(size));
    const std::size_t key_entry = object ? w + 2 : 0;
    const std::size_t value_entry = 1 + w;
    // Bound the count by the container before any arithmetic that could overflow.
    if (count > size / value_entry) return fail(codec_errc::invalid_value);
    const std::size_t n = static_cast<std::size_t>(count);
    const std::size_t keys_at = 2 * w;
    const std::size_t values_at = keys_at + n * key_entry;
    if (values_at + n * value_entry > body.size()) return fail(codec_errc::invalid_value);
    out_ += object ? '{' : '[';
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) out_ += ", ";
      if (object) {
        const std::size_t at = keys_at + i * key_entry;
        const std::uint64_t key_offset = le(body, at, w);
        const std::uint64_t key_length = le(body, at + w, 2);
        if (key_offset > body.size() || key_length > body.size() - key_offset) {
          return fail(codec_errc::invalid_value);
        }
        quoted(as_chars(body.subspan(static_cast<std::size_t>(key_offset),
                                     static_cast<std::size_t>(key_length))));
        out_ += ": ";
      }
      const std::size_t at = values_at + i * value_entry;
      const std::uint8_t type = body[at];
      Result<void> done;
      if (inlined(type, large)) {
        done = value(type, body.subspan(at + 1, w), depth);
      } else {
        const std::uint64_t offset = le(body, at + 1, w);
        if (offset >= body.size()) return fail(codec_errc::invalid_value);
        done = value(type, body.subspan(static_cast<std::size_t>(offset)), depth);
      }
      if (!done) return done;
    }
    out_ += object ? '}' : ']';
    return {};
  }

  Result<void> literal(ByteView data) {
    if (data.empty()) return fail(codec_errc::invalid_value);
    switch (data[0]) {
      case 0x00:
        out_ += "null";
        return {};
      case 0x01:
        out_ += "true";
        return {};
      case 0x02:
        out_ += "false";
        return {};
      default:
        return fail(codec_errc::invalid_value);
    }
  }

  template <typename Int>
  Result<void> integer(ByteView data, std::size_t width) {
    if (data.size() < width) return fail(codec_errc::invalid_value);
    const auto value = static_cast<Int>(le(data, 0, width));
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out_.append(buf, end);
    return {};
  }

  Result<void> real(ByteView data) {
    if (data.size() < 8) return fail(codec_errc::invalid_value);
    double value = 0;
    std::memcpy(&value, data.data(), 8);
    char buf[40];
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    const std::string_view text(buf, static_cast<std::size_t>(end - buf));
    const std::size_t e = text.find('e');
    if (e == std::string_view::npos) {
      out_ += text;
      // MySQL prints a double that holds an integer as 3.0, not 3.
      if (text.find_first_of(".in") == std::string_view::npos) out_ += ".0";
      return {};
    }
    // MySQL writes exponents without a plus sign or leading zeros: 1e100, 1e-7.
    out_ += text.substr(0, e + 1);
    std::size_t i = e + 1;
    if (text[i] == '+') ++i;
    if (text[i] == '-') out_ += text[i++];
    while (i + 1 < text.size() && text[i] == '0') ++i;
    out_ += text.substr(i);
    return {};
  }

  // A variable-length length (7 bits a byte, low first) at `at`, then that many bytes.
  static Result<ByteView> sized(ByteView data, std::size_t at) {
    std::uint64_t length = 0;
    for (std::size_t i = 0;; ++i) {
      if (i == 5 || at + i >= data.size()) return fail(codec_errc::invalid_value);
      const std::uint8_t b = data[at + i];
      length |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        at += i + 1;
        break;
      }
    }
    if (length > data.size() - at) return fail(codec_errc::invalid_value);
    return data.subspan(at, static_cast<std::size_t>(length));
  }

  void quoted(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_ += '"';
    for (const char c : text) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            out_ += "\\u00";
            out_ += kHex[static_cast<unsigned char>(c) >> 4];
            out_ += kHex[c & 0xf];
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }

  Result<void> opaque(ByteView data) {
    if (data.empty()) return fail(codec_errc::invalid_value);
    const std::uint8_t field_type = data[0];
    const auto payload = sized(data, 1);
    if (!payload) return fail(payload.error());
    switch (field_type) {
      case kFieldNewDecimal: {
        if (payload->size() < 2) return fail(codec_errc::invalid_value);
        const auto used = decode_decimal(payload->subspan(2), (*payload)[0], (*payload)[1], out_);
        if (!used) return fail(codec_errc::invalid_value);
        return {};
      }
      case kFieldDate:
      case kFieldDateTime:
      case kFieldTimestamp:
      case kFieldTime:
        if (payload->size() < 8) return fail(codec_errc::invalid_value);
        temporal(field_type, static_cast<std::int64_t>(le(*payload, 0, 8)));
        return {};
      default:
        base64(field_type, *payload);
        return {};
    }
  }

  // The packed form of my_time.h (TIME_to_longlong_*_packed): the integer part << 24 | the
  // microseconds; a DATE/DATETIME integer part is (year*13+month) << 22 | day << 17 | hms,
  // a TIME one hh << 12 | mm << 6 | ss.
  void temporal(std::uint8_t field_type, std::int64_t packed) {
    const bool negative = packed < 0;
    const std::uint64_t magnitude =
        negative ? 0 - static_cast<std::uint64_t>(packed) : static_cast<std::uint64_t>(packed);
    const std::uint64_t whole = magnitude >> 24;
    const auto micro = static_cast<unsigned>(magnitude % (1u << 24));
    const auto hms = static_cast<unsigned>(whole % (1u << 17));
    char buf[48];
    int n = 0;
    if (field_type == kFieldTime) {
      n = std::snprintf(buf, sizeof buf, "\"%s%02u:%02u:%02u.%06u\"", negative ? "-" : "",
                        static_cast<unsigned>((whole >> 12) % (1u << 10)), (hms >> 6) % 64u,
                        hms % 64u, micro % 1000000u);
    } else {
      const std::uint64_t ym = whole >> 22;
      const auto day = static_cast<unsigned>((whole >> 17) % 32);
      const auto year = static_cast<unsigned>(ym / 13 % 10000);
      const auto month = static_cast<unsigned>(ym % 13);
      if (field_type == kFieldDate) {
        n = std::snprintf(buf, sizeof buf, "\"%04u-%02u-%02u\"", year, month, day);
      } else {
        n = std::snprintf(buf, sizeof buf, "\"%04u-%02u-%02u %02u:%02u:%02u.%06u\"", year, month,
                          day, hms >> 12, (hms >> 6) % 64u, hms % 64u, micro % 1000000u);
      }
    }
    if (n > 0) out_.append(buf, static_cast<std::size_t>(n));
  }

  // MySQL prints other opaque values as "base64:typeN:<base64 of the bytes>".
  void base64(std::uint8_t field_type, ByteView bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out_ += "\"base64:type";
    out_ += std::to_string(field_type);
    out_ += ':';
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
      const std::uint32_t v = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
      for (int s = 18; s >= 0; s -= 6) out_ += kAlphabet[v >> s & 63];
    }
    if (i < bytes.size()) {
      const bool two = i + 1 < bytes.size();
      const std::uint32_t v = bytes[i] << 16 | (two ? bytes[i + 1] << 8 : 0);
      out_ += kAlphabet[v >> 18 & 63];
      out_ += kAlphabet[v >> 12 & 63];
      out_ += two ? kAlphabet[v >> 6 & 63] : '=';
      out_ += '=';
    }
    out_ += '"';
  }

  std::string& out_;
  std::size_t limit_;
};

}  // namespace

Result<void> mysql_json_to_text(ByteView binary, std::string& out) {
  if (binary.empty()) {
    out += "null";
    return {};
  }
  const std::size_t start = out.size();
  Printer printer(out, kMaxJsonExpansion * binary.size() + 64);
  auto done = printer.value(binary[0], binary.subspan(1), 0);
  if (!done) {
    out.resize(start);
    return done;
  }
  if (out.size() - start > kMaxJsonExpansion * binary.size() + 64) {
    out.resize(start);
    return fail(codec_errc::invalid_value);
  }
  return {};
}

}  // namespace gw::protocol::binlog
