#include "eventlog/sql_lexer.h"

namespace gw::eventlog {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

class Lexer {
 public:
  Lexer(std::string_view sql, LexMode mode) : sql_(sql), mode_(mode) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (pos_ < sql_.size()) {
      const std::size_t begin = pos_;
      const TokenKind kind = next();
      tokens.push_back({kind, begin, pos_});
    }
    return tokens;
  }

 private:
  char at(std::size_t i) const { return i < sql_.size() ? sql_[i] : '\0'; }

  TokenKind next() {
    const char c = sql_[pos_];
    if (is_space(c)) {
      while (pos_ < sql_.size() && is_space(sql_[pos_])) ++pos_;
      return TokenKind::Space;
    }
    if (c == '#') return line_comment();
    // "--" starts a comment only when followed by whitespace or a control character.
    if (c == '-' && at(pos_ + 1) == '-' &&
        (pos_ + 2 >= sql_.size() || static_cast<unsigned char>(sql_[pos_ + 2]) <= ' ')) {
      return line_comment();
    }
    if (c == '/' && at(pos_ + 1) == '*') return block_comment();
    if (c == '*' && at(pos_ + 1) == '/' && in_executable_) {
      in_executable_ = false;
      pos_ += 2;
      return TokenKind::ExecMarker;
    }
    if (c == '\'' || c == '"') {
      quoted(c);
      return TokenKind::String;
    }
    if (c == '`') {
      quoted('`');
      return TokenKind::Quoted;
    }
    const char lower = static_cast<char>(c | 0x20);
    if ((lower == 'x' || lower == 'b' || lower == 'n') && at(pos_ + 1) == '\'') {
      ++pos_;
      quoted('\'');
      return TokenKind::Literal;
    }
    if (is_digit(c)) {
      while (pos_ < sql_.size() && (is_word_char(sql_[pos_]) || sql_[pos_] == '.')) ++pos_;
      return TokenKind::Number;
    }
    if (is_word_char(c)) {
      while (pos_ < sql_.size() && is_word_char(sql_[pos_])) ++pos_;
      return TokenKind::Word;
    }
    pos_ += (c == ':' && at(pos_ + 1) == '=') ? 2 : 1;
    return TokenKind::Punct;
  }

  TokenKind line_comment() {
    while (pos_ < sql_.size() && sql_[pos_] != '\n') ++pos_;
    return TokenKind::Comment;
  }

  TokenKind block_comment() {
    // "/*!NNNNN" (MySQL) and "/*M!NNNNN" (MariaDB) hold code the server runs.
    std::size_t marker = pos_ + 2;
    if (at(marker) == 'M' && at(marker + 1) == '!') ++marker;
    if (at(marker) == '!' && !in_executable_) {
      pos_ = marker + 1;
      while (pos_ < sql_.size() && is_digit(sql_[pos_])) ++pos_;
      in_executable_ = true;
      return TokenKind::ExecMarker;
    }
    const auto close = sql_.find("*/", pos_ + 2);
    // An unterminated comment is a syntax error the server rejects, but the text still reaches
    // the log: lex what follows as code, so a secret in it is found.
    pos_ = close == std::string_view::npos ? pos_ + 2 : close + 2;
    return TokenKind::Comment;
  }

  // From the opening quote at pos_ to just past the closing one. Inside, a doubled quote and,
  // where the mode says so, a backslash followed by any byte do not end the string.
  void quoted(char quote) {
    const bool escapes =
        (quote == '\'' && mode_.escapes_in_single) || (quote == '"' && mode_.escapes_in_double);
    ++pos_;
    while (pos_ < sql_.size()) {
      const char c = sql_[pos_];
      if (c == '\\' && escapes) {
        pos_ += 2;
        continue;
      }
      ++pos_;
      if (c != quote) continue;
      if (at(pos_) != quote) return;
      ++pos_;  // a doubled quote stands for one quote character
    }
    pos_ = sql_.size();
  }

  std::string_view sql_;
  LexMode mode_;
  std::size_t pos_ = 0;
  bool in_executable_ = false;
};

}  // namespace

std::vector<Token> lex_sql(std::string_view sql, LexMode mode) { return Lexer(sql, mode).run(); }

}  // namespace gw::eventlog
