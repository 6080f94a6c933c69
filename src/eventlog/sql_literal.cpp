#include "eventlog/sql_literal.h"

#include <fmt/format.h>

#include <cstdint>
#include <string_view>
#include <type_traits>

namespace gw::eventlog {

std::string unquote_sql(std::string_view literal, bool backslashes) {
  std::string out;
  if (literal.empty()) return out;
  const char quote = literal.front();
  std::string_view body = literal.substr(1);
  if (body.size() >= 1 && body.back() == quote) body.remove_suffix(1);
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == quote && i + 1 < body.size() && body[i + 1] == quote) {
      out += quote;
      ++i;
      continue;
    }
    if (c != '\\' || !backslashes || i + 1 == body.size()) {
      out += c;
      continue;
    }
    const char next = body[++i];
    switch (next) {
      case '0':
        out += '\0';
        break;
      case 'b':
        out += '\b';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'Z':
        out += '\x1A';
        break;
      case '%':
      case '_':
        out += '\\';
        out += next;
        break;
      default:
        out += next;
    }
  }
  return out;
}

std::string quote_sql(std::string_view text, char quote) {
  std::string out(1, quote);
  for (const char c : text) {
    out += c;
    if (c == quote) out += quote;
  }
  out += quote;
  return out;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string decode_hex_digits(std::string_view digits) {
  std::size_t count = 0;
  while (count < digits.size() && hex_value(digits[count]) >= 0) ++count;
  std::string out;
  out.reserve(count / 2 + 1);
  std::size_t i = 0;
  if (count % 2 == 1) out += static_cast<char>(hex_value(digits[i++]));
  for (; i + 1 < count; i += 2) {
    out += static_cast<char>(hex_value(digits[i]) * 16 + hex_value(digits[i + 1]));
  }
  return out;
}

std::string decode_bit_digits(std::string_view digits) {
  std::size_t count = 0;
  while (count < digits.size() && (digits[count] == '0' || digits[count] == '1')) ++count;
  std::string out;
  unsigned byte = 0;
  std::size_t bits = (8 - count % 8) % 8;  // the padding on the left
  for (std::size_t i = 0; i < count; ++i) {
    byte = (byte << 1) | (digits[i] == '1' ? 1u : 0u);
    if (++bits == 8) {
      out += static_cast<char>(byte);
      byte = 0;
      bits = 0;
    }
  }
  return out;
}

namespace {

// Backslash escapes, as the server's default sql_mode reads them back.
std::string backslash_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string render_date_time(const protocol::DateTime& value) {
  std::string text = fmt::format("{:04}-{:02}-{:02}", value.year, value.month, value.day);
  if (value.type != protocol::DateTime::Type::Date) {
    text += fmt::format(" {:02}:{:02}:{:02}", value.hour, value.minute, value.second);
  }
  if (value.microsecond != 0) text += fmt::format(".{:06}", value.microsecond);
  return backslash_quoted(text);
}

// X'0aff': binary bytes that no character set could misread.
std::string hex_literal(std::string_view bytes) {
  std::string text = "X'";
  for (const char c : bytes) text += fmt::format("{:02x}", static_cast<unsigned char>(c));
  text += '\'';
  return text;
}

std::string render_time(const protocol::Time& value) {
  // Unsigned arithmetic, as the wire's days are: a nonsense day count wraps, never traps.
  const unsigned hours = value.days * 24u + value.hour;
  std::string text = fmt::format("{}{:02}:{:02}:{:02}", value.negative ? "-" : "", hours,
                                 value.minute, value.second);
  if (value.microsecond != 0) text += fmt::format(".{:06}", value.microsecond);
  return backslash_quoted(text);
}

}  // namespace

std::string render_sql_literal(const protocol::Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, protocol::NullValue>) {
          return "NULL";
        } else if constexpr (std::is_same_v<T, protocol::LongData>) {
          return "<long data>";
        } else if constexpr (std::is_same_v<T, protocol::Decimal>) {
          return backslash_quoted(v.text);
        } else if constexpr (std::is_same_v<T, protocol::String>) {
          return backslash_quoted(v.bytes);
        } else if constexpr (std::is_same_v<T, protocol::Binary>) {
          return hex_literal(v.bytes);
        } else if constexpr (std::is_same_v<T, protocol::Geometry>) {
          return fmt::format("ST_GeomFromWKB({}, {})", hex_literal(v.wkb), v.srid);
        } else if constexpr (std::is_same_v<T, protocol::DateTime>) {
          return render_date_time(v);
        } else if constexpr (std::is_same_v<T, protocol::Time>) {
          return render_time(v);
        } else {
          return fmt::format("{}", v);  // integers, float, double: the shortest exact digits
        }
      },
      value);
}

}  // namespace gw::eventlog
