// The redactor's one promise, checked on many generated statements: a secret planted in a
// statement that announces one never survives, in the statement or in the server's error text
// that quotes it, whatever the case, spacing, comments, literal kind, quoting or nesting.
// Deterministic (fixed seed); a failure prints the statement.

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <string_view>

#include "eventlog/redact.h"

namespace gw::eventlog {
namespace {

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : random_(seed) {}

  std::string secret() {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    std::string s;
    for (int i = 0; i < 12; ++i) s += kAlphabet[pick(kAlphabet.size())];
    return s;
  }

  // A statement with `secret` in one of its literals (or unquoted where a typo leaves it).
  std::string statement(const std::string& secret) {
    static constexpr auto kShapes = std::to_array<std::string_view>({
        "CREATE USER {u} IDENTIFIED BY {lit}",
        "CREATE USER IF NOT EXISTS {u} IDENTIFIED BY {lit} PASSWORD EXPIRE NEVER",
        "ALTER USER {u} IDENTIFIED WITH mysql_native_password AS {lit}",
        "ALTER USER {u} IDENTIFIED VIA ed25519 USING PASSWORD({lit}) OR unix_socket",
        "GRANT ALL ON *.* TO {u} IDENTIFIED BY {lit} WITH GRANT OPTION",
        "SET PASSWORD FOR {u} = PASSWORD({lit})",
        "SET PASSWORD = {lit}",
        "SET PASSWORD FOR {u} = {lit}",
        "ALTER USER {u} IDENTIFIED BY 'x' REPLACE {lit}",
        "CHANGE MASTER TO MASTER_HOST='h', MASTER_PASSWORD={lit}, MASTER_PORT=3306",
        "START SLAVE USER='r' PASSWORD={lit}",
        "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'u', PASSWORD {lit})",
        "SELECT AES_ENCRYPT(col, {lit}) FROM t",
        "SELECT DES_DECRYPT(col, {lit})",
        "UPDATE users SET password = {lit} WHERE id = 3",
        "INSERT INTO accounts (name, passwd) VALUES ('bob', {quoted})",
        "{create} USER {u} {identified} {by} {lit}",
        "CREATE USERR {u} IDENTIFIED BY {lit}",
        "SELECT PASSWORD({lit}) FRM dual",
    });
    std::string sql(kShapes[pick(kShapes.size())]);
    decorate(sql);
    replace(sql, "{u}", pick(2) ? "'app'@'%'" : "app@localhost");
    replace(sql, "{create}", pick(2) ? "CREATE" : "ALTER");
    replace(sql, "{identified}",
            one_of({"IDENTIFIED", "identified", "IdEnTiFiEd", "IDENTIFED", "IDENTIFIEDD",
                    "IDNETIFIED", "IDENTIFIE"}));
    replace(sql, "{by}", one_of({"BY", "by", "BYY", "BUY", "B Y", "AS", "USING"}));
    replace(sql, "{lit}", literal(secret, true));
    // In a VALUES list nothing marks the place as a secret's: there it is always quoted.
    replace(sql, "{quoted}", literal(secret, false));
    if (pick(4) == 0) sql = dynamic(sql);
    if (pick(5) == 0) sql = "/*!50700 " + sql + " */";
    if (pick(4) == 0) sql = one_of({"SELECT 1; ", "DO 1;\n", "/* hi */ "}) + sql;
    if (pick(4) == 0) sql += one_of({"; SELECT 'x'", ";", " -- done", " # end", "; SELECT 2"});
    return sql;
  }

 private:
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(random_() % n); }
  std::string one_of(std::initializer_list<std::string_view> options) {
    return std::string(options.begin()[pick(options.size())]);
  }

  static void replace(std::string& text, std::string_view from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }

  static std::string hex(std::string_view text, bool upper) {
    static constexpr std::string_view kLower = "0123456789abcdef", kUpper = "0123456789ABCDEF";
    const auto digits = upper ? kUpper : kLower;
    std::string out;
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      out += digits[byte >> 4];
      out += digits[byte & 15];
    }
    return out;
  }

  static std::string bits(std::string_view text) {
    std::string out;
    for (const char c : text) {
      for (int bit = 7; bit >= 0; --bit)
        out += ((static_cast<unsigned char>(c) >> bit) & 1) ? '1' : '0';
    }
    return out;
  }

  // The secret as one of the literal kinds a client can write.
  std::string literal(const std::string& secret, bool may_be_bare) {
    const std::size_t kind = pick(16);
    switch (kind == 11 && !may_be_bare ? 0 : kind) {
      case 0:
        return "'" + secret + "'";
      case 1:
        return "\"" + secret + "\"";
      case 2:
        return one_of({"_latin1", "_utf8mb4", "_binary", "_utf8mb4 "}) + "'" + secret + "'";
      case 3:
        return one_of({"N", "n"}) + "'" + secret + "'";
      case 4:
        return one_of({"X", "x"}) + "'" + hex(secret, pick(2)) + "'";
      case 5:
        return "0x" + hex(secret, pick(2));
      case 6:
        return one_of({"B", "b"}) + "'" + bits(secret) + "'";
      case 7:
        return "'it''s " + secret + "'";
      case 8:
        return "'a\\'" + secret + "\\\\'";
      case 9:
        return "'" + secret.substr(0, 6) + "' '" + secret.substr(6) + "' " + "'" + secret + "'";
      case 10:
        return "'" + secret;  // unterminated
      case 11:
        return secret;  // a forgotten quote
      case 12:
        return "_utf8mb4 X'" + hex(secret, true) + "' COLLATE utf8mb4_bin";
      case 13:
        return "# x\n'" + secret + "'";
      case 14:
        return "-- hides the quote: '\n" + secret + "'";  // a bare word after all
      default:
        return "\"x\\\"" + secret + "\"";
    }
  }

  // Case, spacing and comments between the words of a shape (before any literal is put in).
  void decorate(std::string& sql) {
    std::string out;
    for (const char c : sql) {
      if (c == ' ' && pick(3) == 0) {
        out += one_of({"  ", "\n", "\t", " /* c */ ", " -- c\n", " #c\n", "\r\n", "/**/",
                       " -- it's\n", " /* \" */ "});
      } else if (c >= 'A' && c <= 'Z' && pick(3) == 0) {
        out += static_cast<char>(c | 0x20);
      } else {
        out += c;
      }
    }
    sql = std::move(out);
  }

  // The statement as dynamic SQL: quoted as the server reads it (or naively), maybe in pieces.
  std::string dynamic(const std::string& inner) {
    const char quote = pick(3) == 0 ? '"' : '\'';
    const bool escape_backslashes = pick(2);
    std::string quoted(1, quote);
    for (const char c : inner) {
      if (c == quote) quoted += quote;
      if (c == '\\' && escape_backslashes) quoted += '\\';
      quoted += c;
    }
    quoted += quote;
    switch (pick(5)) {
      case 0:
        return "EXECUTE IMMEDIATE " + quoted;
      case 1:
        return "PREPARE s FROM " + quoted;
      case 2:
        return "SET @s = " + quoted;
      case 3:
        return "EXECUTE IMMEDIATE " + hex_number(inner);
      default: {
        const std::size_t cut = pick(inner.size() + 1);
        return "EXECUTE IMMEDIATE CONCAT(" + quote_plain(inner.substr(0, cut)) + ", " +
               quote_plain(inner.substr(cut)) + ")";
      }
    }
  }
  std::string hex_number(const std::string& text) { return "0x" + hex(text, pick(2)); }
  static std::string quote_plain(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
      if (c == '\'' || c == '\\') out += c == '\'' ? '\'' : '\\';
      out += c;
    }
    return out + "'";
  }

  std::mt19937 random_;
};

std::string bits_of(std::string_view text) {
  std::string out;
  for (const char c : text) {
    for (int bit = 7; bit >= 0; --bit)
      out += ((static_cast<unsigned char>(c) >> bit) & 1) ? '1' : '0';
  }
  return out;
}

std::string hex_of(std::string_view text, bool upper) {
  const std::string_view digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    out += digits[static_cast<unsigned char>(c) >> 4];
    out += digits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

// The planted secret in any form it was written in.
bool leaks(const std::string& text, const std::string& secret) {
  return text.find(secret) != std::string::npos ||
         text.find(hex_of(secret, true)) != std::string::npos ||
         text.find(hex_of(secret, false)) != std::string::npos ||
         text.find(bits_of(secret)) != std::string::npos;
}

constexpr int kRounds = 20'000;

TEST(RedactProperty, NoPlantedSecretSurvivesInTheStatement) {
  Generator generate(20261201);
  int leaked = 0;
  for (int round = 0; round < kRounds && leaked < 5; ++round) {
    const std::string secret = generate.secret();
    const std::string sql = generate.statement(secret);
    ASSERT_TRUE(mentions_secret(sql) || sql.find("IMMEDIATE") != std::string::npos) << sql;
    const std::string out = redact_statement(sql);
    if (leaks(out, secret)) {
      ++leaked;
      ADD_FAILURE() << "round " << round << "\n  in:  " << sql << "\n  out: " << out;
    }
    // The copy-free path gives the same answer.
    std::string in_place = sql;
    redact_in_place(in_place);
    EXPECT_EQ(in_place, out);
  }
}

// MariaDB's ERR 1064 quotes up to 80 bytes of the statement from where parsing failed, which can
// be anywhere, even mid-literal. The message is judged with the statement it answers.
TEST(RedactProperty, NoPlantedSecretSurvivesInTheServersErrorText) {
  Generator generate(1064);
  std::mt19937 random(7);
  int leaked = 0;
  for (int round = 0; round < kRounds && leaked < 5; ++round) {
    const std::string secret = generate.secret();
    const std::string sql = generate.statement(secret);
    const std::size_t from = random() % (sql.size() + 1);
    const std::string message =
        "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB "
        "server version for the right syntax to use near '" +
        sql.substr(from, 80) + "' at line 1";
    const std::string out = redact_error_message(message, sql);
    if (leaks(out, secret)) {
      ++leaked;
      ADD_FAILURE() << "round " << round << "\n  sql: " << sql << "\n  out: " << out;
    }
    EXPECT_TRUE(out.starts_with("You have an error in your SQL syntax")) << out;
  }
}

}  // namespace
}  // namespace gw::eventlog
