#include "eventlog/redact.h"

#include <algorithm>
#include <array>
#include <vector>

#include "eventlog/secret_words.h"
#include "eventlog/sql_lexer.h"
#include "eventlog/sql_literal.h"

namespace gw::eventlog {
namespace {

template <std::size_t N>
bool iequals_any(std::string_view text, const std::array<std::string_view, N>& lower_words) {
  return std::any_of(lower_words.begin(), lower_words.end(),
                     [&](std::string_view w) { return iequals(text, w); });
}

constexpr auto kSecretFunctions = std::to_array<std::string_view>(
    {"password", "old_password", "encrypt", "aes_encrypt", "aes_decrypt", "des_encrypt",
     "des_decrypt", "encode", "decode", "kdf", "validate_password_strength"});

// The words of an IDENTIFIED clause (CREATE/ALTER USER, GRANT) that are not secrets; any other
// word in the clause is, since a client's typo (IDENTIFIED BYY hunter2) still reaches the log.
constexpr std::array<std::string_view, 48> kAuthClauseWords = {
    "by",       "as",      "using",  "with",    "via",       "or",      "and",       "password",
    "random",   "require", "ssl",    "x509",    "none",      "cipher",  "issuer",    "subject",
    "account",  "lock",    "unlock", "comment", "attribute", "default", "role",      "expire",
    "interval", "day",     "never",  "history", "reuse",     "current", "optional",  "retain",
    "replace",  "discard", "old",    "grant",   "option",    "to",      "on",        "if",
    "not",      "exists",  "for",    "initial", "unbounded", "data",    "directory", "no"};
// Account options that take a number, written as one long word.
constexpr std::array<std::string_view, 2> kAuthClauseOptions = {"failed_login_attempts",
                                                                "password_lock_time"};
// After these, a number is a setting (PASSWORD EXPIRE INTERVAL 90 DAY), not a secret.
constexpr auto kNumberSettings = std::to_array<std::string_view>(
    {"interval", "history", "failed_login_attempts", "password_lock_time"});
// Words that may follow a word naming a password without being its value: PASSWORD EXPIRE,
// a column named password in a query or a table definition.
constexpr auto kAfterPasswordWords = std::to_array<std::string_view>(
    {"expire",  "history", "reuse",  "require", "for",    "lock",    "and",     "or",
     "xor",     "from",    "where",  "as",      "is",     "like",    "in",      "not",
     "null",    "default", "random", "current", "retain", "replace", "discard", "old",
     "asc",     "desc",    "limit",  "order",   "group",  "having",  "set",     "values",
     "into",    "join",    "on",     "union",   "then",   "else",    "end",     "when",
     "collate", "between", "text",   "blob",    "char",   "binary",  "int",     "json"});

// A byte range of the statement to replace: with '***', or with `text` when that is set (SQL
// inside a string with its own secrets redacted, or a comment emptied).
struct Span {
  std::size_t begin, end;
  std::string text{};
};

// Dynamic SQL inside dynamic SQL inside ...: deeper than this, the whole literal goes.
constexpr int kMaxNesting = 4;

std::string redact_at_depth(std::string_view sql, int depth, bool force);

// One reading of a secret-bearing statement (one LexMode): finds every literal, every comment
// with something in it, and every unquoted value where a secret goes.
class Reading {
 public:
  Reading(std::string_view sql, LexMode mode, int depth) : sql_(sql), depth_of_sql_(depth) {
    all_ = lex_sql(sql, mode);
    for (const Token& token : all_) {
      if (is_significant(token.kind)) tokens_.push_back(token);
    }
  }

  // EXECUTE IMMEDIATE or PREPARE … FROM with SQL that is not one string or one @variable.
  bool builds_sql_from_expression() const {
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      const std::size_t at = dynamic_sql_at(i);
      if (at == 0) continue;
      if (is_punct(at, "@")) continue;
      if (kind(at) != TokenKind::String) return true;
      if (at + 1 < tokens_.size() && !is_punct(at + 1, ";") && !is_word(at + 1, "using")) {
        return true;
      }
    }
    return false;
  }

  void find(std::vector<Span>& spans) {
    for (const Token& token : all_) {
      if (token.kind == TokenKind::Comment) comment(token, spans);
    }
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
  bool is_word(std::size_t i, std::string_view lower_word) const {
    return kind(i) == TokenKind::Word && iequals(text(i), lower_word);
  }
  bool is_value(std::size_t i) const {
    const TokenKind k = kind(i);
    return k == TokenKind::String || k == TokenKind::Literal || k == TokenKind::Number;
  }
  bool is_hex_or_bit_number(std::size_t i) const {
    const auto t = text(i);
    return kind(i) == TokenKind::Number && t.size() > 1 && t[0] == '0' &&
           (ascii_lower(t[1]) == 'x' || ascii_lower(t[1]) == 'b');
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
  // Where the SQL of EXECUTE IMMEDIATE … / PREPARE name FROM … starts, when token i begins one.
  std::size_t dynamic_sql_at(std::size_t i) const {
    if (is_word(i, "execute") && is_word(i + 1, "immediate")) return i + 2;
    if (is_word(i, "prepare") && is_word(i + 2, "from")) return i + 3;
    return 0;
  }

  // Handles token i and returns the index of the next token to look at.
  std::size_t step(std::size_t i, std::vector<Span>& spans) {
    switch (kind(i)) {
      case TokenKind::Punct:
        return punct(i, spans);
      case TokenKind::String:
      case TokenKind::Literal:
        add(spans, i);
        return i + 1;
      case TokenKind::Number:
        if (is_hex_or_bit_number(i) || (in_auth_clause_ && !after_number_setting(i))) {
          add(spans, i);
        }
        return i + 1;
      default:
        break;
    }
    const std::string_view word = name(i);
    if (word.empty()) return i + 1;
    if (const std::size_t at = dynamic_sql_at(i); at != 0) {
      if (kind(at) != TokenKind::String) return at;
      sql_in_string(at, spans);
      return at + 1;
    }
    if (kind(i) == TokenKind::Word && is_identified_word(word)) {
      in_auth_clause_ = true;
      plugin_next_ = false;
      return i + 1;
    }
    if (kind(i) == TokenKind::Word && iequals_any(word, kSecretFunctions) && is_punct(i + 1, "(")) {
      return function_arguments(i + 2, spans);
    }
    if (in_auth_clause_) return auth_clause_word(i, spans);
    if (is_password_word(word) && !is_punct(i + 1, "(")) return after_password_word(i, spans);
    return i + 1;
  }

  bool after_number_setting(std::size_t i) const {
    if (i == 0 || kind(i - 1) != TokenKind::Word) return false;
    const auto previous = text(i - 1);
    return iequals_any(previous, kNumberSettings) ||
           (previous.size() > 4 && iequals(previous.substr(0, 4), "max_"));
  }

  // Word or `name` i inside an IDENTIFIED clause.
  std::size_t auth_clause_word(std::size_t i, std::vector<Span>& spans) {
    const bool word = kind(i) == TokenKind::Word;
    if (word && (iequals(text(i), "by") || iequals(text(i), "as") || iequals(text(i), "using"))) {
      plugin_next_ = false;
      return secret_at(i + 1, spans);
    }
    if (word && is_punct(i + 1, "(")) return i + 1;  // USER(), a function the clause may hold
    if (plugin_next_) {
      plugin_next_ = false;  // WITH/VIA/OR plugin, COLLATE collation: a name, not a secret
      return i + 1;
    }
    if (word && (iequals(text(i), "with") || iequals(text(i), "via") || iequals(text(i), "or") ||
                 iequals(text(i), "collate"))) {
      plugin_next_ = true;
      return i + 1;
    }
    if (word &&
        (iequals_any(text(i), kAuthClauseWords) || iequals_any(text(i), kAuthClauseOptions))) {
      return i + 1;
    }
    if (word && text(i).size() > 4 && iequals(text(i).substr(0, 4), "max_")) return i + 1;
    add(spans, i);
    return i + 1;
  }

  // Word i names a password (PASSWORD, MASTER_PASSWORD, a column user_pwd) and is not a call.
  std::size_t after_password_word(std::size_t i, std::vector<Span>& spans) {
    if (is_punct(i + 1, "=") || is_punct(i + 1, ":=")) return secret_at(i + 2, spans);
    if (is_value(i + 1)) return secret_at(i + 1, spans);
    if (is_word(i + 1, "for")) awaiting_equals_ = true;  // SET PASSWORD FOR user = …
    const bool value_like = kind(i + 1) == TokenKind::Quoted ||
                            (kind(i + 1) == TokenKind::Word && !is_punct(i + 2, "(") &&
                             !iequals_any(text(i + 1), kAfterPasswordWords));
    if (value_like) {
      add(spans, i + 1);  // CREATE SERVER … OPTIONS (PASSWORD hunter2): a forgotten quote
      return i + 2;
    }
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
      awaiting_equals_ = false;
      return secret_at(i + 1, spans);
    }
    return i + 1;
  }

  // Token i is in a place that holds a secret. Returns where to carry on.
  std::size_t secret_at(std::size_t i, std::vector<Span>& spans) {
    // _utf8mb4'…': the introducer names a character set and stays; the literal goes in step().
    if (kind(i) == TokenKind::Word && text(i).starts_with('_') && is_value(i + 1)) return i + 1;
    switch (kind(i)) {
      case TokenKind::String:
      case TokenKind::Literal:
        return i;  // step() takes every literal
      case TokenKind::Number:
      case TokenKind::Quoted:
        break;
      case TokenKind::Word: {
        const auto word = text(i);
        // A function call, PASSWORD '…' and the keywords that legitimately follow are handled
        // by the next step; any other bare word is a secret someone forgot to quote.
        if (is_punct(i + 1, "(") || iequals(word, "password") || iequals(word, "random") ||
            iequals(word, "null") || iequals(word, "default")) {
          return i;
        }
        break;
      }
      default:
        return i;
    }
    add(spans, i);
    return i + 1;
  }

  // Every value between the parentheses that open just before token i, and every bare word:
  // PASSWORD(hunter2) is a forgotten quote, and AES_ENCRYPT(card, key) names what is secret.
  std::size_t function_arguments(std::size_t i, std::vector<Span>& spans) {
    int depth = 1;
    for (; i < tokens_.size(); ++i) {
      if (is_punct(i, "(")) ++depth;
      if (is_punct(i, ")") && --depth == 0) return i + 1;
      if (is_punct(i, ";")) return i;
      const bool introducer = text(i).starts_with('_') && is_value(i + 1);  // _binary 0x…
      if (is_value(i) || (kind(i) == TokenKind::Word && !is_punct(i + 1, "(") && !introducer)) {
        add(spans, i);
      }
    }
    return i;
  }

  // The SQL inside string token i, redacted as a statement of its own (every literal in it
  // goes); kept readable only when that is safe, otherwise the whole literal goes.
  void sql_in_string(std::size_t i, std::vector<Span>& spans) {
    const std::string_view literal = text(i);
    Span span{tokens_[i].begin, tokens_[i].end};
    if (depth_of_sql_ < kMaxNesting) {
      const std::string inner = unquote_sql(literal, true);
      const std::string plain = unquote_sql(literal, false);
      const std::string redacted = redact_at_depth(inner, depth_of_sql_ + 1, true);
      // Rewritten only when both readings of the literal agree and the result reads back the
      // same in any sql_mode.
      if (inner == plain && redacted.find('\\') == std::string::npos) {
        span.text = quote_sql(redacted, literal.front());
      }
    }
    spans.push_back(std::move(span));
  }

  // A comment is free text: in a secret-bearing statement its contents go.
  static void comment_span(const Token& token, std::string_view sql, std::vector<Span>& spans) {
    const auto t = token.text(sql);
    std::string_view body;
    std::string replacement;
    if (t.starts_with("/*")) {
      if (t.size() < 4 || !t.ends_with("*/")) return;  // an unterminated "/*" alone
      body = t.substr(2, t.size() - 4);
      replacement = "/* *** */";
    } else {
      const std::size_t marker = t.starts_with('#') ? 1 : 2;
      body = t.substr(marker);
      replacement = std::string(t.substr(0, marker)) + " ***";
    }
    if (body.find_first_not_of(" \t\r\n\f\v*") == std::string_view::npos) return;
    // A quote inside a comment may be one the client meant to open a literal: then what follows
    // is its contents, unquoted. Everything from here on goes.
    if (body.find_first_of("'\"`") != std::string_view::npos) {
      spans.push_back({token.begin, sql.size()});
      return;
    }
    spans.push_back({token.begin, token.end, std::move(replacement)});
  }
  void comment(const Token& token, std::vector<Span>& spans) const {
    comment_span(token, sql_, spans);
  }

  void add(std::vector<Span>& spans, std::size_t i) const {
    spans.push_back({tokens_[i].begin, tokens_[i].end});
  }

  std::string_view sql_;
  int depth_of_sql_;  // 0 for the statement, 1 for SQL inside one of its strings, ...
  std::vector<Token> all_;
  std::vector<Token> tokens_;     // the significant ones
  bool in_auth_clause_ = false;   // after IDENTIFIED, until the end of the user's clause
  bool plugin_next_ = false;      // after WITH, VIA, OR or COLLATE in that clause
  bool awaiting_equals_ = false;  // after PASSWORD FOR, until its "="
  int depth_ = 0;                 // parentheses
};

// Readings may disagree on where a secret ends; what any of them calls secret goes. Touching
// spans become one, so the output never shows two redactions run together; a replacement text
// survives only when no other span touches it.
std::string apply(std::string_view sql, std::vector<Span>& spans) {
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

// With `force`, the text is SQL inside a secret-bearing statement's string: redacted as if it
// announced a secret itself.
std::string redact_at_depth(std::string_view sql, int depth, bool force) {
  const Mention mention = force ? Mention::Secret : mention_in(sql);
  if (mention == Mention::None) return std::string(sql);
  std::vector<Span> spans;
  std::vector<Reading> readings;
  readings.reserve(kAllReadings.size());
  for (const LexMode mode : kAllReadings) readings.emplace_back(sql, mode, depth);
  const bool secret = mention == Mention::Secret ||
                      std::any_of(readings.begin(), readings.end(),
                                  [](const Reading& r) { return r.builds_sql_from_expression(); });
  if (!secret) return std::string(sql);
  for (Reading& reading : readings) reading.find(spans);
  if (spans.empty()) return std::string(sql);
  return apply(sql, spans);
}

}  // namespace

bool mentions_secret(std::string_view text) { return mention_in(text) == Mention::Secret; }

std::string redact_statement(std::string_view sql) { return redact_at_depth(sql, 0, false); }

void redact_in_place(std::string& sql) {
  if (mention_in(sql) != Mention::None) sql = redact_at_depth(sql, 0, false);
}

}  // namespace gw::eventlog
