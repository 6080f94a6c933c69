#include "protocol/binlog/charset.h"

#include <array>

namespace gw::protocol::binlog {

namespace {

// cp1252's 0x80..0x9F; the five bytes Windows leaves undefined map to the C1 control of the
// same number, as MySQL's latin1 table does.
constexpr std::array<char16_t, 32> kHighControls = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_utf8(std::string& out, char16_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

}  // namespace

bool is_latin1(std::uint32_t collation) {
  // latin1_german1_ci, _swedish_ci (the default), _danish_ci, _german2_ci, _bin, _general_ci,
  // _general_cs, _spanish_ci, and MariaDB's _nopad variants (1032, 1071, 1074, 1080, 1110).
  switch (collation) {
    case 5:
    case 8:
    case 15:
    case 31:
    case 47:
    case 48:
    case 49:
    case 94:
    case 1032:
    case 1071:
    case 1074:
    case 1080:
    case 1110:
      return true;
    default:
      return false;
  }
}

void append_latin1_as_utf8(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + text.size() / 4);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out += c;
    } else if (byte < 0xA0) {
      append_utf8(out, kHighControls[byte - 0x80]);
    } else {
      append_utf8(out, static_cast<char16_t>(byte));
    }
  }
}

}  // namespace gw::protocol::binlog
