#include "eventlog/secret_words.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "eventlog/sql_literal.h"

namespace gw::eventlog {
namespace {

// Parts of a word that make it announce a secret: PASSWORD and its spellings (MASTER_PASSWORD,
// user_passwd, pwd), IDENTIFIED and its typos that keep the stem, the encryption and encoding
// functions (whose key is the secret), authentication_string, and the plain word secret. Then the
// words of dynamic SQL.
struct Part {
  std::string_view text;
  Mention mention;
};
constexpr std::array<Part, 14> kParts = {{
    {"identif", Mention::Secret},
    {"passw", Mention::Secret},
    {"pwd", Mention::Secret},
    {"crypt", Mention::Secret},
    {"secret", Mention::Secret},
    {"authentic", Mention::Secret},
    {"auth_str", Mention::Secret},
    {"encode", Mention::Secret},
    {"decode", Mention::Secret},
    {"kdf", Mention::Secret},
    {"passphrase", Mention::Secret},
    {"credential", Mention::Secret},
    {"immediate", Mention::Dynamic},
    {"prepare", Mention::Dynamic},
}};

// The parts by their first letter: a scan tries only those that can start where it is.
constexpr std::uint8_t kNoPart = 0xFF;
constexpr auto kPartsByLetter = [] {
  std::array<std::array<std::uint8_t, 4>, 26> by_letter{};
  for (auto& letter : by_letter) letter.fill(kNoPart);
  for (std::size_t i = 0; i < kParts.size(); ++i) {
    auto& letter = by_letter[static_cast<std::size_t>(kParts[i].text[0] - 'a')];
    std::size_t slot = 0;
    while (letter[slot] != kNoPart) ++slot;  // four suffice: passw, pwd, prepare, passphrase
    letter[slot] = static_cast<std::uint8_t>(i);
  }
  return by_letter;
}();

// For each first letter, the second letters its parts go on with (bit n: 'a' + n).
constexpr auto kSecondLetters = [] {
  std::array<std::uint32_t, 26> second{};
  for (const Part& part : kParts) {
    second[static_cast<std::size_t>(part.text[0] - 'a')] |= 1u << (part.text[1] - 'a');
  }
  return second;
}();

// What each byte is, so the scan costs one table look-up per byte.
enum ByteClass : std::uint8_t {
  kWord = 1,       // part of a word: letter, digit, _ or $
  kHex = 2,        // a hex digit
  kStarts = 4,     // the first letter of a part, either case
  kIdLetter = 8,   // a letter of "identified"
  kPwLetter = 16,  // a letter of "password"
  kDecimal = 32,   // a decimal digit
};

constexpr std::array<std::uint8_t, 256> kClasses = [] {
  std::array<std::uint8_t, 256> classes{};
  const auto mark = [&](std::string_view letters, std::uint8_t flag) {
    for (const char c : letters) {
      classes[static_cast<unsigned char>(c)] |= flag;
      if (c >= 'a' && c <= 'z') classes[static_cast<unsigned char>(c - 32)] |= flag;
    }
  };
  mark("abcdefghijklmnopqrstuvwxyz0123456789_$", kWord);
  mark("0123456789abcdef", kHex);
  mark("0123456789", kDecimal);
  for (const Part& part : kParts) mark(part.text.substr(0, 1), kStarts);
  mark("identified", kIdLetter);
  mark("password", kPwLetter);
  return classes;
}();

bool istarts_with(std::string_view text, std::string_view lower_prefix) {
  return text.size() >= lower_prefix.size() &&
         iequals(text.substr(0, lower_prefix.size()), lower_prefix);
}

std::string lowered(std::string_view word) {
  std::string out(word);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

// Optimal-string-alignment distance (edits and swaps of neighbours), or `max` + 1 when larger.
int edits(std::string_view a, std::string_view b, int max) {
  constexpr std::size_t kLongest = 16;
  const auto size_gap = static_cast<int>(a.size()) - static_cast<int>(b.size());
  if (a.size() >= kLongest || b.size() >= kLongest || std::abs(size_gap) > max) return max + 1;
  std::array<std::array<int, kLongest + 1>, kLongest + 1> d;  // only cells set below are read
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return std::min(d[a.size()][b.size()], max + 1);
}

// Near-miss spellings. A word can only be within `max` edits of the target if all but `max` of
// its letters are the target's letters: counted during the scan, that spares nearly every word
// the distance computation.
bool near_identified(std::string_view lower_word) {
  return lower_word.size() >= 8 && lower_word.size() <= 12 &&
         edits(lower_word, "identified", 2) <= 2;
}
bool near_password(std::string_view lower_word) {
  return lower_word.size() >= 7 && lower_word.size() <= 9 && edits(lower_word, "password", 1) <= 1;
}

// Hex inside hex inside ...: deeper than this is not decoded.
constexpr int kMaxDecodeDepth = 2;

Mention mention_at(std::string_view text, int depth);

// Bytes decoded from a literal: scanned as they are and without NULs (UCS-2, UTF-16 text).
bool decoded_mentions_secret(std::string bytes, int depth) {
  if (mention_at(bytes, depth) == Mention::Secret) return true;
  return std::erase(bytes, '\0') > 0 && mention_at(bytes, depth) == Mention::Secret;
}

// PW and PASS as a word or a word's part: @pw, new_pw, pass_hash. Not a part anywhere in a
// word: "pw" and "pass" hide inside too many others (compass, bypass).
bool is_short_password_name(std::string_view word) {
  for (const std::string_view name : {std::string_view("pw"), std::string_view("pass")}) {
    if (word.size() < name.size()) continue;
    const auto head = word.substr(0, name.size()), tail = word.substr(word.size() - name.size());
    if (iequals(word, name) || (iequals(head, name) && word[name.size()] == '_') ||
        (iequals(tail, name) && word[word.size() - name.size() - 1] == '_')) {
      return true;
    }
  }
  return false;
}

// What a word is made of.
struct WordTally {
  std::size_t hex = 0, decimal = 0, id_letters = 0, pw_letters = 0;
};

// The checks that need the whole word: near-misses and digits long enough to spell a part.
// `quoted`: the word starts just after a quote (X'…', UNHEX('…')).
Mention whole_word(std::string_view word, bool quoted, int depth) {
  const std::size_t size = word.size();
  if (is_short_password_name(word)) return Mention::Secret;
  if (size < 6) return Mention::None;  // too short for a near-miss or a hex-spelled part
  WordTally tally;
  for (const char byte : word) {
    const std::uint8_t c = kClasses[static_cast<unsigned char>(byte)];
    tally.hex += (c & kHex) ? 1 : 0;
    tally.decimal += (c & kDecimal) ? 1 : 0;
    tally.id_letters += (c & kIdLetter) ? 1 : 0;
    tally.pw_letters += (c & kPwLetter) ? 1 : 0;
  }
  if ((size >= 8 && size <= 12 && tally.id_letters + 2 >= size && near_identified(lowered(word))) ||
      (size >= 7 && size <= 9 && tally.pw_letters + 1 >= size && near_password(lowered(word)))) {
    return Mention::Secret;
  }
  if (depth >= kMaxDecodeDepth) return Mention::None;
  // X'…' and UNHEX('…') leave the digits alone; 0x… and 0b… carry a prefix.
  std::string_view digits = word;
  std::size_t hex = tally.hex;
  const char prefix = size > 2 && word[0] == '0' ? ascii_lower(word[1]) : '\0';
  if (prefix == 'x' || prefix == 'b') {
    digits.remove_prefix(2);
    hex -= prefix == 'b' ? 2 : 1;  // the prefix's 0 was counted, and b, a hex digit too
  }
  // A plain decimal number is not read as hex: ids and timestamps are everywhere.
  const bool hex_literal = prefix == 'x' || quoted || tally.decimal < tally.hex;
  if (hex == digits.size() && hex_literal &&
      decoded_mentions_secret(decode_hex_digits(digits), depth + 1)) {
    return Mention::Secret;
  }
  if (digits.size() >= 24 && digits.find_first_not_of("01") == std::string_view::npos &&
      decoded_mentions_secret(decode_bit_digits(digits), depth + 1)) {
    return Mention::Secret;
  }
  return Mention::None;
}

// One pass over the bytes, wherever the words are (code, strings, comments): parts are looked
// for where their first letter is, whole-word checks run where a word ends.
Mention mention_at(std::string_view text, int depth) {
  Mention found = Mention::None;
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const std::uint8_t c = i < text.size() ? kClasses[static_cast<unsigned char>(text[i])] : 0;
    if ((c & kWord) == 0) {
      if (i > begin) {
        const bool quoted = begin > 0 && text[begin - 1] == '\'';
        found = std::max(found, whole_word(text.substr(begin, i - begin), quoted, depth));
      }
      if (found == Mention::Secret) return found;
      begin = i + 1;
      continue;
    }
    if ((c & kStarts) == 0 || i + 1 == text.size()) continue;
    const char letter = ascii_lower(text[i]), next = ascii_lower(text[i + 1]);
    if (next < 'a' || next > 'z' || (kSecondLetters[letter - 'a'] & (1u << (next - 'a'))) == 0) {
      continue;  // nearly every candidate ends here, on its second letter
    }
    const std::string_view rest = text.substr(i);
    for (const std::uint8_t index : kPartsByLetter[letter - 'a']) {
      if (index == kNoPart) break;
      if (istarts_with(rest, kParts[index].text)) found = std::max(found, kParts[index].mention);
    }
    if (found == Mention::Secret) return found;
  }
  return found;
}

}  // namespace

Mention mention_in(std::string_view text) { return mention_at(text, 0); }

bool is_identified_word(std::string_view word) {
  const std::string lower = lowered(word);
  return lower.find("identif") != std::string::npos || near_identified(lower);
}

bool is_password_word(std::string_view word) {
  const std::string lower = lowered(word);
  return lower.find("passw") != std::string::npos || lower.find("pwd") != std::string::npos ||
         is_short_password_name(lower) || near_password(lower);
}

}  // namespace gw::eventlog
