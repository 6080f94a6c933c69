// Error messages and the other record fields that can quote SQL (redact.h).

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "eventlog/redact.h"
#include "eventlog/secret_words.h"
#include "eventlog/sql_lexer.h"
#include "eventlog/sql_literal.h"

namespace gw::eventlog {
namespace {

bool all_of_digits(std::string_view digits, std::string_view allowed) {
  return !digits.empty() && digits.find_first_not_of(allowed) == std::string_view::npos;
}

constexpr std::string_view kQuotes = "'\"`";
// Shorter literals are left to the quoted-part rule: cutting every "ab" out of a message would
// leave nothing readable.
constexpr std::size_t kShortestEchoed = 4;

// What the statement's literals stand for, under every reading, to cut out of a message that
// repeats one of them outside its quotes.
std::vector<std::string> literal_texts(std::string_view sql) {
  std::vector<std::string> texts;
  for (const LexMode mode : kAllReadings) {
    for (const Token& token : lex_sql(sql, mode)) {
      const auto t = token.text(sql);
      if (token.kind == TokenKind::String) {
        texts.push_back(unquote_sql(t, true));
        texts.push_back(unquote_sql(t, false));
        texts.emplace_back(t);
      } else if (token.kind == TokenKind::Literal && t.size() >= 2) {
        const auto digits = t.substr(2);
        if (ascii_lower(t[0]) == 'x') texts.push_back(decode_hex_digits(digits));
        if (ascii_lower(t[0]) == 'b') texts.push_back(decode_bit_digits(digits));
        texts.push_back(unquote_sql(t.substr(1), true));
      } else if (token.kind == TokenKind::Number && t.size() > 2 && t[0] == '0') {
        if (ascii_lower(t[1]) == 'x') texts.push_back(decode_hex_digits(t.substr(2)));
        if (ascii_lower(t[1]) == 'b') texts.push_back(decode_bit_digits(t.substr(2)));
      }
    }
  }
  std::erase_if(texts, [](const std::string& text) { return text.size() < kShortestEchoed; });
  // Longest first, so a literal that contains another is cut whole.
  std::sort(texts.begin(), texts.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return texts;
}

// What the server's messages say after a quotation: nothing, " at line 3", or a few plain words
// (" doesn't exist", " (using password: YES)"). Anything else (digits, no space after the quote)
// is taken for the rest of a quotation cut short.
bool is_template_tail(std::string_view tail) {
  if (tail.empty()) return true;
  if (tail.front() != ' ') return false;
  if (tail.starts_with(" at line ")) {
    return all_of_digits(tail.substr(std::string_view(" at line ").size()), "0123456789");
  }
  return std::all_of(tail.begin(), tail.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view(" '.,:()-").find(c) != std::string_view::npos;
  });
}

void cut_out(std::string& message, const std::string& text) {
  for (auto at = message.find(text); at != std::string::npos; at = message.find(text, at)) {
    message.replace(at, text.size(), "***");
    at += 3;
  }
}

}  // namespace

std::string redact_error_message(std::string_view message, std::string_view statement,
                                 bool statement_complete) {
  const bool about_secret =
      !statement_complete || (!statement.empty() && mention_in(statement) != Mention::None);
  std::string out(message);
  const auto first = message.find_first_of(kQuotes);
  if (first != std::string_view::npos) {
    // The server quotes SQL between the first quote and the last ("near '…' at line 1"); the
    // quotes inside are not escaped, so that whole stretch is one quotation. It ends at the last
    // quote that the template's own words follow; without one (the quotation was cut short) it
    // runs to the end.
    std::size_t end = message.size();
    for (auto last = message.find_last_of(kQuotes); last != first;
         last = message.find_last_of(kQuotes, last - 1)) {
      if (is_template_tail(message.substr(last + 1))) {
        end = last + 1;
        break;
      }
    }
    if (about_secret || mention_in(message.substr(first, end - first)) != Mention::None) {
      out = std::string(message.substr(0, first)) + std::string(kRedacted) +
            std::string(message.substr(end));
    }
  }
  if (about_secret && !statement.empty()) {
    for (const std::string& text : literal_texts(statement)) cut_out(out, text);
  }
  return out;
}

void redact_record(Record& record) {
  if (auto* command = std::get_if<CommandRecord>(&record)) {
    // The message first: it is judged by the statement as the client sent it.
    if (!command->error_message.empty()) {
      command->error_message = redact_error_message(command->error_message, command->statement,
                                                    !command->statement_truncated);
    }
    redact_in_place(command->statement);
  } else if (auto* auth = std::get_if<AuthRecord>(&record)) {
    if (!auth->error_message.empty())
      auth->error_message = redact_error_message(auth->error_message);
  } else if (auto* change = std::get_if<ChangeUserRecord>(&record)) {
    if (!change->error_message.empty()) {
      change->error_message = redact_error_message(change->error_message);
    }
  } else if (auto* close = std::get_if<CloseRecord>(&record)) {
    if (!close->detail.empty()) close->detail = redact_error_message(close->detail);
  } else if (auto* row = std::get_if<RowRecord>(&record)) {
    redact_in_place(row->statement);
  } else if (auto* ddl = std::get_if<DdlRecord>(&record)) {
    redact_in_place(ddl->statement);
  }
}

}  // namespace gw::eventlog
