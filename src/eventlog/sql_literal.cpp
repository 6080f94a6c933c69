#include "eventlog/sql_literal.h"

namespace gw::eventlog {

std::string unquote_sql(std::string_view literal, bool backslashes) {
  std::string out;
  if (literal.empty()) return out;
  const char quote = literal.front();
  std::string_view body = literal.substr(1);
  if (body.size() >= 1 && body.back() == quote) body.remove_suffix(1);
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == quote && i + 1 < body.size() && body[i + 1] == quote) {
      out += quote;
      ++i;
      continue;
    }
    if (c != '\\' || !backslashes || i + 1 == body.size()) {
      out += c;
      continue;
    }
    const char next = body[++i];
    switch (next) {
      case '0':
        out += '\0';
        break;
      case 'b':
        out += '\b';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'Z':
        out += '\x1A';
        break;
      case '%':
      case '_':
        out += '\\';
        out += next;
        break;
      default:
        out += next;
    }
  }
  return out;
}

std::string quote_sql(std::string_view text, char quote) {
  std::string out(1, quote);
  for (const char c : text) {
    out += c;
    if (c == quote) out += quote;
  }
  out += quote;
  return out;
}

}  // namespace gw::eventlog
