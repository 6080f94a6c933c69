#pragma once
// Just enough of MySQL's lexical structure to find where one token ends and the next begins:
// strings with either quote, backslash escapes and doubled quotes; backquoted identifiers;
// comments of the three kinds; executable comments (/*!50700 ... */ and MariaDB's /*M!...*/),
// whose contents the server runs and which are therefore lexed as code. Used by the redactor,
// which must never mistake the inside of a string for a keyword or the other way round.
//
// Where the server's reading depends on the session's sql_mode (NO_BACKSLASH_ESCAPES makes a
// backslash an ordinary character; ANSI_QUOTES makes "..." an identifier, in which a backslash
// is ordinary too), the caller says which reading to use: the redactor tries each, because a
// string that ends early under one reading can hide a keyword under another.

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

namespace gw::eventlog {

enum class TokenKind {
  Space,       // whitespace
  Comment,     // -- ..., # ..., /* ... */ (unterminated: only the "/*", the rest is lexed)
  ExecMarker,  // the "/*!50700" that opens or the "*/" that closes an executable comment
  Word,        // keyword or identifier: letters, digits, _, $, and any byte from 0x80
  Quoted,      // `backquoted identifier`
  String,      // '...' or "..." (also unterminated, to the end of the text)
  Literal,     // X'..', B'..', N'..'
  Number,      // 42, 1.5, 1e3, 0x1F, 0b101
  Punct,       // any other single character; ":=" is one token
};

struct Token {
  TokenKind kind = TokenKind::Punct;
  std::size_t begin = 0, end = 0;  // byte offsets into the text

  std::string_view text(std::string_view sql) const { return sql.substr(begin, end - begin); }
};

// Which quotes treat a backslash as an escape. The default is the server's default sql_mode.
struct LexMode {
  bool escapes_in_single = true;  // false under NO_BACKSLASH_ESCAPES
  bool escapes_in_double = true;  // false under NO_BACKSLASH_ESCAPES or ANSI_QUOTES
};

std::vector<Token> lex_sql(std::string_view sql, LexMode mode = {});

// The readings under which strings end in different places: the default sql_mode,
// NO_BACKSLASH_ESCAPES, ANSI_QUOTES. What any of them calls a literal is one.
inline constexpr std::array<LexMode, 3> kAllReadings = {{
    {.escapes_in_single = true, .escapes_in_double = true},
    {.escapes_in_single = false, .escapes_in_double = false},
    {.escapes_in_single = true, .escapes_in_double = false},
}};

// Comments, whitespace and executable-comment markers carry no meaning for the redactor.
inline bool is_significant(TokenKind kind) {
  return kind != TokenKind::Space && kind != TokenKind::Comment && kind != TokenKind::ExecMarker;
}

}  // namespace gw::eventlog
