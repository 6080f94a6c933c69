#pragma once
// The words that announce a secret, found anywhere in a text: code, strings, comments, and the
// bytes of hex and bit literals. The redactor asks this first of every statement and every error
// message; for nearly all of them the answer is "none", and that scan is all they cost.
//
// A word (a run of letters, digits, _ and $) announces a secret when it contains IDENTIF, PASSW,
// PWD, CRYPT, SECRET, AUTHENTIC, AUTH_STR, ENCODE, DECODE, KDF, PASSPHRASE or CREDENTIAL; when it
// is PW or PASS, alone or joined by _ (@pw, new_pass); or when it is a near-miss spelling of
// IDENTIFIED (two edits) or PASSWORD (one edit). A run of hex digits long enough to spell one
// (X'…', 0x…, UNHEX('…')) is decoded and read too, with and without NUL bytes (UCS-2), and so is
// a run of bit digits (B'…', 0b…). A plain decimal number is not read as hex.

#include <string_view>

namespace gw::eventlog {

// What a scan of a text found, in increasing order of consequence.
enum class Mention {
  None,     // nothing: the text is left as it is
  Dynamic,  // PREPARE or EXECUTE IMMEDIATE, whose SQL may be built out of sight
  Secret,   // a word that announces a secret: every literal goes
};

Mention mention_in(std::string_view text);

// One word of SQL: IDENTIFIED or a misspelling of it; a word naming a password (PASSWORD,
// MASTER_PASSWORD, user_passwd, pwd, PASWORD).
bool is_identified_word(std::string_view word);
bool is_password_word(std::string_view word);

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }

inline bool iequals(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (ascii_lower(text[i]) != lower_word[i]) return false;
  }
  return true;
}

}  // namespace gw::eventlog
