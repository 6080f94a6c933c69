#include "eventlog/redact.h"

#include <algorithm>
#include <array>
#include <vector>

#include "eventlog/sql_lexer.h"
#include "eventlog/sql_literal.h"

namespace gw::eventlog {
namespace {

// A byte range of the statement to replace: with '***', or with `text` when that is set (a
// string of SQL with the secrets inside it redacted).
struct Span {
  std::size_t begin, end;
  std::string text{};
};

// Dynamic SQL inside dynamic SQL inside ...: deeper than this, the whole literal goes.
constexpr int kMaxNesting = 4;

std::string redact_at_depth(std::string_view sql, int depth);

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }

bool iequals(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (lower(text[i]) != lower_word[i]) return false;
  }
  return true;
}

bool iends_with(std::string_view text, std::string_view lower_suffix) {
  return text.size() >= lower_suffix.size() &&
         iequals(text.substr(text.size() - lower_suffix.size()), lower_suffix);
}

constexpr std::array<std::string_view, 11> kSecretFunctions = {
    "password",
    "old_password",
    "encrypt",
    "aes_encrypt",
    "aes_decrypt",
    "des_encrypt",
    "des_decrypt",
    "encode",
    "decode",
    "kdf",
    "validate_password_strength",
};

bool is_secret_function(std::string_view word) {
  return std::any_of(kSecretFunctions.begin(), kSecretFunctions.end(),
                     [&](std::string_view name) { return iequals(word, name); });
}

// Any of the words that can start a secret, anywhere in the text. Most statements have none and
// skip the lexer entirely, so this scan is the redactor's cost for nearly every statement: one
// table look-up per byte, and a comparison only where a trigger's first letter is.
bool may_hold_secret(std::string_view sql) {
  static constexpr std::array<std::string_view, 6> kTriggers = {"identified", "password", "crypt",
                                                                "encode",     "decode",   "kdf"};
  static constexpr std::array<bool, 256> kFirst = [] {
    std::array<bool, 256> first{};
    for (const auto trigger : kTriggers) {
      first[static_cast<unsigned char>(trigger[0])] = true;
      first[static_cast<unsigned char>(trigger[0] - 32)] = true;  // upper case
    }
    return first;
  }();
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (!kFirst[static_cast<unsigned char>(sql[i])]) continue;
    const char c = lower(sql[i]);
    for (const auto trigger : kTriggers) {
      if (c == trigger[0] && iequals(sql.substr(i, trigger.size()), trigger)) return true;
    }
  }
  return false;
}

// Walks the significant tokens of one reading of the statement and collects the secrets.
class Finder {
 public:
  Finder(std::string_view sql, LexMode mode, int depth) : sql_(sql), depth_of_sql_(depth) {
    for (const Token& token : lex_sql(sql, mode)) {
      if (is_significant(token.kind)) tokens_.push_back(token);
    }
  }

  void find(std::vector<Span>& spans) {
    std::size_t i = 0;
    while (i < tokens_.size()) i = step(i, spans);
  }

 private:
  std::string_view text(std::size_t i) const {
    return i < tokens_.size() ? tokens_[i].text(sql_) : std::string_view{};
  }
  TokenKind kind(std::size_t i) const {
    return i < tokens_.size() ? tokens_[i].kind : TokenKind::Space;
  }
  bool is_punct(std::size_t i, std::string_view p) const {
    return kind(i) == TokenKind::Punct && text(i) == p;
  }
  bool is_value(std::size_t i) const {
    const TokenKind k = kind(i);
    return k == TokenKind::String || k == TokenKind::Literal || k == TokenKind::Number;
  }
  // The name a word or a `quoted identifier` spells.
  std::string_view name(std::size_t i) const {
    if (kind(i) == TokenKind::Word) return text(i);
    if (kind(i) == TokenKind::Quoted) {
      const auto t = text(i);
      return t.size() >= 2 ? t.substr(1, t.size() - 2) : std::string_view{};
    }
    return {};
  }

  // Handles token i and returns the index of the next token to look at.
  std::size_t step(std::size_t i, std::vector<Span>& spans) {
    if (kind(i) == TokenKind::Punct) return punct(i, spans);
    const std::string_view word = name(i);
    if (word.empty()) return i + 1;
    if (kind(i) == TokenKind::Word && iequals(word, "identified")) {
      in_auth_clause_ = true;
      return i + 1;
    }
    if (in_auth_clause_ && kind(i) == TokenKind::Word &&
        (iequals(word, "by") || iequals(word, "as") || iequals(word, "using"))) {
      return secret_at(i + 1, spans);
    }
    if (kind(i) == TokenKind::Word && is_secret_function(word) && is_punct(i + 1, "(")) {
      return function_arguments(i + 2, spans);
    }
    if (iends_with(word, "password")) {
      if (is_punct(i + 1, "=") || is_punct(i + 1, ":=")) return secret_at(i + 2, spans);
      if (is_value(i + 1)) return secret_at(i + 1, spans);
      if (kind(i + 1) == TokenKind::Word && iequals(text(i + 1), "for")) awaiting_equals_ = true;
      return i + 1;
    }
    if (kind(i) == TokenKind::Word && iequals(word, "replace") &&
        (kind(i + 1) == TokenKind::String || kind(i + 1) == TokenKind::Literal)) {
      return secret_at(i + 1, spans);
    }
    // PREPARE name FROM '…' and EXECUTE IMMEDIATE '…' carry SQL in a string.
    if (kind(i) == TokenKind::Word && iequals(word, "prepare") && kind(i + 2) == TokenKind::Word &&
        iequals(text(i + 2), "from") && kind(i + 3) == TokenKind::String) {
      return sql_in_string(i + 3, spans);
    }
    if (kind(i) == TokenKind::Word && iequals(word, "execute") && kind(i + 1) == TokenKind::Word &&
        iequals(text(i + 1), "immediate") && kind(i + 2) == TokenKind::String) {
      return sql_in_string(i + 2, spans);
    }
    return i + 1;
  }

  // Redacts the SQL inside string token i, keeping it readable where that is safe.
  std::size_t sql_in_string(std::size_t i, std::vector<Span>& spans) {
    const std::string_view literal = text(i);
    const std::string inner = unquote_sql(literal, true);
    const std::string plain = unquote_sql(literal, false);
    const bool nested_too_deep = depth_of_sql_ >= kMaxNesting;
    const std::string redacted =
        nested_too_deep ? inner : redact_at_depth(inner, depth_of_sql_ + 1);
    const bool plain_has_secret =
        nested_too_deep || redact_at_depth(plain, depth_of_sql_ + 1) != plain;
    if (redacted == inner && !plain_has_secret) return i + 1;
    Span span{tokens_[i].begin, tokens_[i].end};
    // Rewritten only when both readings of the literal agree and the result reads back the same
    // in any sql_mode; otherwise the whole literal goes.
    if (inner == plain && redacted.find('\\') == std::string::npos && !nested_too_deep) {
      span.text = quote_sql(redacted, literal.front());
    }
    spans.push_back(std::move(span));
    return i + 1;
  }

  std::size_t punct(std::size_t i, std::vector<Span>& spans) {
    const auto p = text(i);
    if (p == ";") {
      in_auth_clause_ = false;
      awaiting_equals_ = false;
      depth_ = 0;
    } else if (p == "," && depth_ == 0) {
      in_auth_clause_ = false;  // the next user of CREATE USER a …, b …
    } else if (p == "(") {
      ++depth_;
    } else if (p == ")" && depth_ > 0) {
      --depth_;
    } else if ((p == "=" || p == ":=") && awaiting_equals_) {
      awaiting_equals_ = false;  // SET PASSWORD FOR user = …
      return secret_at(i + 1, spans);
    }
    return i + 1;
  }

  // Token i is in a place that holds a secret. Returns where to carry on.
  std::size_t secret_at(std::size_t i, std::vector<Span>& spans) {
    // _utf8mb4'…': the introducer names a character set and stays.
    if (kind(i) == TokenKind::Word && text(i).starts_with('_') &&
        kind(i + 1) == TokenKind::String) {
      ++i;
    }
    switch (kind(i)) {
      case TokenKind::String:
      case TokenKind::Literal:
      case TokenKind::Number:
      case TokenKind::Quoted:
        break;
      case TokenKind::Word: {
        const auto word = text(i);
        // A function call, PASSWORD '…' and the keywords that legitimately follow are handled
        // by the caller's next step; any other bare word is a secret someone forgot to quote.
        if (is_punct(i + 1, "(") || iends_with(word, "password") || iequals(word, "random") ||
            iequals(word, "null") || iequals(word, "default")) {
          return i;
        }
        break;
      }
      default:
        return i;
    }
    add(spans, i);
    ++i;
    // 'sec' 'ret' is one string to the server.
    while (kind(i) == TokenKind::String) add(spans, i++);
    return i;
  }

  // Redacts every value between the parentheses that open just before token i.
  std::size_t function_arguments(std::size_t i, std::vector<Span>& spans) {
    int depth = 1;
    for (; i < tokens_.size(); ++i) {
      if (is_punct(i, "(")) ++depth;
      if (is_punct(i, ")") && --depth == 0) return i + 1;
      if (is_punct(i, ";")) return i;
      if (is_value(i)) add(spans, i);
    }
    return i;
  }

  void add(std::vector<Span>& spans, std::size_t i) const {
    spans.push_back({tokens_[i].begin, tokens_[i].end});
  }

  std::string_view sql_;
  int depth_of_sql_;  // 0 for the statement, 1 for SQL inside one of its strings, ...
  std::vector<Token> tokens_;
  bool in_auth_clause_ = false;   // after IDENTIFIED, until the end of the user's clause
  bool awaiting_equals_ = false;  // after PASSWORD FOR, until its "="
  int depth_ = 0;                 // parentheses
};

// The readings under which strings end in different places.
constexpr std::array<LexMode, 3> kModes = {{
    {.escapes_in_single = true, .escapes_in_double = true},    // the default sql_mode
    {.escapes_in_single = false, .escapes_in_double = false},  // NO_BACKSLASH_ESCAPES
    {.escapes_in_single = true, .escapes_in_double = false},   // ANSI_QUOTES
}};

std::string redact_at_depth(std::string_view sql, int depth) {
  if (!may_hold_secret(sql)) return std::string(sql);
  std::vector<Span> spans;
  for (const LexMode mode : kModes) Finder(sql, mode, depth).find(spans);
  if (spans.empty()) return std::string(sql);

  // Readings may disagree on where a secret ends; what any of them calls secret goes. Touching
  // spans become one, so the output never shows two redactions run together; a rewritten
  // string survives only when no other span touches it.
  std::stable_sort(spans.begin(), spans.end(),
                   [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(sql.size());
  std::size_t copied = 0;
  for (std::size_t i = 0; i < spans.size();) {
    Span merged = spans[i];
    for (++i; i < spans.size() && spans[i].begin <= merged.end; ++i) {
      if (spans[i].begin != merged.begin || spans[i].end != merged.end ||
          spans[i].text != merged.text) {
        merged.text.clear();
      }
      merged.end = std::max(merged.end, spans[i].end);
    }
    out.append(sql.substr(copied, merged.begin - copied));
    out.append(merged.text.empty() ? std::string(kRedacted) : merged.text);
    copied = merged.end;
  }
  out.append(sql.substr(copied));
  return out;
}

}  // namespace

std::string redact_statement(std::string_view sql) { return redact_at_depth(sql, 0); }

void redact_in_place(std::string& sql) {
  if (may_hold_secret(sql)) sql = redact_at_depth(sql, 0);
}

}  // namespace gw::eventlog
