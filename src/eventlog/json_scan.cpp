#include "eventlog/json_scan.h"

#include <charconv>

namespace gw::eventlog {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\n')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }

  // The raw contents of the string that starts at pos_.
  std::optional<std::string_view> string() {
    if (!eat('"')) return std::nullopt;
    const std::size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (c == '"') return text_.substr(start, pos_++ - start);
      ++pos_;
    }
    return std::nullopt;
  }

  std::optional<JsonValue> value() {
    skip_space();
    if (pos_ >= text_.size()) return std::nullopt;
    const char c = text_[pos_];
    if (c == '"') {
      auto raw = string();
      if (!raw) return std::nullopt;
      return JsonValue{JsonValue::Kind::String, *raw};
    }
    if (c == '{' || c == '[')
      return nested(c == '{' ? JsonValue::Kind::Object : JsonValue::Kind::Array);
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ']' &&
           text_[pos_] != ' ') {
      ++pos_;
    }
    const auto raw = text_.substr(start, pos_ - start);
    if (raw == "true") return JsonValue{JsonValue::Kind::True, raw};
    if (raw == "false") return JsonValue{JsonValue::Kind::False, raw};
    if (raw == "null") return JsonValue{JsonValue::Kind::Null, raw};
    if (!raw.empty() && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))) {
      return JsonValue{JsonValue::Kind::Number, raw};
    }
    return std::nullopt;
  }

 private:
  // An object or array, skipped by counting brackets outside strings.
  std::optional<JsonValue> nested(JsonValue::Kind kind) {
    const std::size_t start = pos_;
    int depth = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') {
        if (!string()) return std::nullopt;
        continue;
      }
      ++pos_;
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) {
        return JsonValue{kind, text_.substr(start, pos_ - start)};
      }
    }
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<std::uint32_t> hex4(std::string_view raw, std::size_t at) {
  if (at + 4 > raw.size()) return std::nullopt;
  std::uint32_t value = 0;
  const auto [stop, ec] = std::from_chars(raw.data() + at, raw.data() + at + 4, value, 16);
  if (ec != std::errc{} || stop != raw.data() + at + 4) return std::nullopt;
  return value;
}

}  // namespace

bool scan_object(std::string_view text,
                 const std::function<bool(std::string_view, const JsonValue&)>& member) {
  Scanner scanner(text);
  if (!scanner.eat('{')) return false;
  if (scanner.eat('}')) return scanner.at_end();
  do {
    const auto key = scanner.string();
    if (!key || !scanner.eat(':')) return false;
    const auto value = scanner.value();
    if (!value) return false;
    if (!member(*key, *value)) return true;
  } while (scanner.eat(','));
  return scanner.eat('}') && scanner.at_end();
}

std::string json_unescape(std::string_view raw) {
  if (raw.find('\\') == std::string_view::npos) return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    const char c = raw[++i];
    switch (c) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
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
      case 'u': {
        auto cp = hex4(raw, i + 1);
        if (!cp) {
          out += c;
          break;
        }
        i += 4;
        // A surrogate pair stands for one code point beyond the BMP.
        if (*cp >= 0xD800 && *cp < 0xDC00 && i + 2 < raw.size() && raw[i + 1] == '\\' &&
            raw[i + 2] == 'u') {
          if (auto low = hex4(raw, i + 3); low && *low >= 0xDC00 && *low < 0xE000) {
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, *cp);
        break;
      }
      default:
        out += c;  // \" \\ \/
    }
  }
  return out;
}

std::optional<std::int64_t> json_integer(const JsonValue& value) {
  if (value.kind != JsonValue::Kind::Number) return std::nullopt;
  std::int64_t number = 0;
  const auto [stop, ec] =
      std::from_chars(value.raw.data(), value.raw.data() + value.raw.size(), number);
  if (ec != std::errc{} || stop != value.raw.data() + value.raw.size()) return std::nullopt;
  return number;
}

}  // namespace gw::eventlog
