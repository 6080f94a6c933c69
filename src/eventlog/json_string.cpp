#include "eventlog/json_string.h"

#include <array>
#include <cstdint>

namespace gw::eventlog {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8
constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Bytes copied verbatim in the fast path: printable ASCII other than the two that need escaping.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[static_cast<std::size_t>(c)] = true;
  plain['"'] = false;
  plain['\\'] = false;
  return plain;
}();

struct Range {
  std::uint8_t low, high;
};

// The allowed range of each continuation byte after lead byte `lead` (Unicode Table 3-7), and
// how many there must be. `count` 0 means `lead` cannot start a sequence.
struct LeadRule {
  int count = 0;
  Range second{0x80, 0xBF};
};

LeadRule rule_for(std::uint8_t lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {1};
  if (lead == 0xE0) return {2, {0xA0, 0xBF}};  // no overlong 3-byte forms
  if (lead == 0xED) return {2, {0x80, 0x9F}};  // no surrogates
  if (lead >= 0xE1 && lead <= 0xEF) return {2};
  if (lead == 0xF0) return {3, {0x90, 0xBF}};  // no overlong 4-byte forms
  if (lead == 0xF4) return {3, {0x80, 0x8F}};  // nothing above U+10FFFF
  if (lead >= 0xF1 && lead <= 0xF3) return {3};
  return {};
}

// The length of the well-formed sequence at `at`, or 0; `subpart` receives the length of the
// maximal subpart to replace when it is ill-formed (at least 1).
std::size_t sequence_length(std::string_view bytes, std::size_t at, std::size_t& subpart) {
  const auto lead = static_cast<std::uint8_t>(bytes[at]);
  const LeadRule rule = rule_for(lead);
  subpart = 1;
  if (rule.count == 0) return 0;
  for (int i = 1; i <= rule.count; ++i) {
    const std::size_t pos = at + static_cast<std::size_t>(i);
    if (pos >= bytes.size()) return 0;
    const auto byte = static_cast<std::uint8_t>(bytes[pos]);
    const Range range = i == 1 ? rule.second : Range{0x80, 0xBF};
    if (byte < range.low || byte > range.high) return 0;
    subpart = static_cast<std::size_t>(i) + 1;
  }
  return static_cast<std::size_t>(rule.count) + 1;
}

void append_escaped_control(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  const auto byte = static_cast<std::uint8_t>(c);
  out += "\\u00";
  out += kHexDigits[byte >> 4];
  out += kHexDigits[byte & 0xF];
}

}  // namespace

bool append_json_string(std::string& out, std::string_view bytes) {
  bool well_formed = true;
  out += '"';
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::size_t run = i;
    while (run < bytes.size() && kPlain[static_cast<std::uint8_t>(bytes[run])]) ++run;
    out.append(bytes.data() + i, run - i);
    i = run;
    if (i == bytes.size()) break;
    const auto byte = static_cast<std::uint8_t>(bytes[i]);
    if (byte < 0x80) {
      append_escaped_control(out, bytes[i]);
      ++i;
      continue;
    }
    std::size_t subpart = 0;
    if (const std::size_t length = sequence_length(bytes, i, subpart); length > 0) {
      out.append(bytes.data() + i, length);
      i += length;
    } else {
      out += kReplacement;
      well_formed = false;
      i += subpart;
    }
  }
  out += '"';
  return well_formed;
}

bool is_valid_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    if (static_cast<std::uint8_t>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t subpart = 0;
    const std::size_t length = sequence_length(bytes, i, subpart);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

void append_base64(std::string& out, std::string_view bytes) {
  const auto at = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i]));
  };
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out += kBase64Alphabet[group >> 18];
    out += kBase64Alphabet[group >> 12 & 0x3F];
    out += kBase64Alphabet[group >> 6 & 0x3F];
    out += kBase64Alphabet[group & 0x3F];
  }
  const std::size_t left = bytes.size() - i;
  if (left == 0) return;
  const std::uint32_t group = at(i) << 16 | (left == 2 ? at(i + 1) << 8 : 0);
  out += kBase64Alphabet[group >> 18];
  out += kBase64Alphabet[group >> 12 & 0x3F];
  out += left == 2 ? kBase64Alphabet[group >> 6 & 0x3F] : '=';
  out += '=';
}

std::string base64(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

}  // namespace gw::eventlog
