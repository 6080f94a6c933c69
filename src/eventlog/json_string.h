#pragma once
// JSON string literals from arbitrary bytes. Statements, user names, attribute values and
// server messages are bytes from the network: they may hold control characters, quotes and
// sequences that are not UTF-8. The log must stay valid JSON (one object per line) and must not
// lose what was sent, so:
//
//   * `"` and `\` are escaped; \b \f \n \r \t use their short forms; every other byte below
//     0x20 becomes \u00XX (lower-case hex). DEL (0x7f) and all valid UTF-8 are copied as is.
//   * An ill-formed UTF-8 sequence (a lone continuation byte, a truncated sequence, an overlong
//     form, a surrogate, a code point above U+10FFFF, the bytes C0, C1, F5..FF) becomes U+FFFD,
//     one per maximal subpart as Unicode 15 §3.9 recommends ("substitution of maximal
//     subparts"), so the text stays readable.
//   * When that happened, the writer adds the exact bytes in a sibling field named
//     `<field>_base64` (RFC 4648 base64 with padding), which makes the record lossless.

#include <string>
#include <string_view>

namespace gw::eventlog {

// Appends `bytes` as a quoted JSON string. Returns false when an ill-formed UTF-8 sequence was
// replaced by U+FFFD, i.e. when the caller should also write the bytes in base64.
bool append_json_string(std::string& out, std::string_view bytes);

// True when `bytes` is well-formed UTF-8.
bool is_valid_utf8(std::string_view bytes);

// RFC 4648 base64 with padding, no line breaks.
void append_base64(std::string& out, std::string_view bytes);
std::string base64(std::string_view bytes);

}  // namespace gw::eventlog
