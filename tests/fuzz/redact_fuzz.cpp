// The SQL redactor (eventlog/redact.h), with the property the event log promises: no planted
// secret survives. A statement is built around one secret-bearing construct (IDENTIFIED BY,
// PASSWORD(), introducers, hex and national literals, misspelt keywords, dynamic SQL …) whose
// literal holds the secret; the text before and after it and the separator inside it come from
// the fuzzer. The fuzzed text holds no quote characters or backslashes, and no comment markers
// before the construct; after its keyword they stay (a comment may hide the literal's opening
// quote: the secret is then a bare word where a value goes, which must go too), and so do
// keywords and any other bytes. Also checked: redact_in_place() agrees with redact_statement().

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "eventlog/redact.h"
#include "fuzz_support.h"

using namespace gw;

namespace {

constexpr std::string_view kSecret = "Zq7uSecretPw";
constexpr std::string_view kSecretHex = "5a713775536563726574507";  // a prefix of hex(kSecret)

// {before the literal, the literal's opening, its closing, after it}; {S} is the secret.
struct Construct {
  std::string_view before, open, close, after;
};
constexpr std::array<Construct, 24> kConstructs = {{
    {"CREATE USER 'u'@'%' IDENTIFIED BY", "'", "'", ""},
    {"CREATE USER u IDENTIFIED BY", "\"", "\"", ""},
    {"ALTER USER u IDENTIFIED BYY", "'", "'", ""},
    {"CREATE USER u IDENTIFIED BY", "_latin1'", "'", ""},
    {"CREATE USER u IDENTIFIED BY", "N'", "'", ""},
    {"CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD(", "'", "'", ")"},
    {"GRANT ALL ON *.* TO u IDENTIFIED BY", "'", "'", ""},
    {"SET PASSWORD FOR u = PASSWORD(", "'", "'", ")"},
    {"SET PASSWORD =", "'", "'", ""},
    {"CHANGE MASTER TO MASTER_USER='r', MASTER_PASSWORD =", "'", "'", ""},
    {"SELECT AES_ENCRYPT('data',", "'", "'", ")"},
    {"SELECT * FROM t WHERE password =", "'", "'", ""},
    {"EXECUTE IMMEDIATE CONCAT('CREATE USER u IDENTIFIED BY ',", "'", "'", ")"},
    {"SET @s = 'CREATE USER u IDENTIFIED BY \"", "", "", "\"'"},
    {"PREPARE s FROM 'ALTER USER u IDENTIFIED BY \\'", "", "", "\\''"},
    {"CREATE USER u IDENTIFIED BY 'a'", "'", "'", ""},
    {"CREATE USER u IDENTIFIED BY", "'", "'", " 'more'"},
    {"CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (PASSWORD", "'", "'", ")"},
    {"ALTER USER u IDENTIFIED BY 'new' REPLACE", "'", "'", ""},
    {"CREATE USER u IDENTIFIED WITH mysql_native_password AS", "'", "'", ""},
    {"SELECT ENCODE(", "'", "'", ", 'k')"},
    {"SELECT KDF(", "'", "'", ", 'salt')"},
    {"CREATE USER u IDENTIFIED BY /* note */", "'", "'", ""},
    {"SET PASSWORD FOR u = ", "_utf8mb4 '", "'", ""},
}};

// Fuzzed SQL text: everything except what would open or close a string or an identifier, and
// (before the construct) what could open a comment that hides the construct itself: then the
// statement no longer says there is a secret, and the property would not hold by design.
std::string code_text(ByteView bytes, bool before_construct = false) {
  std::string out;
  for (std::uint8_t b : bytes) {
    if (b == '\'' || b == '"' || b == '`' || b == '\\') continue;
    if (before_construct && (b == '#' || b == '-' || b == '/')) continue;
    out += static_cast<char>(b);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const Construct& c = kConstructs[in.u8() % kConstructs.size()];
  const bool hex = (in.u8() % 4) == 0 && c.open == "'";
  const std::string separator = code_text(in.take(in.u8() % 8));
  const std::string inside_before = code_text(in.take(in.u8() % 8));
  const std::string prefix = code_text(in.take(in.u8()), /*before_construct=*/true);
  const std::string suffix = code_text(in.rest());
  // The secret must come only from the planted literal.
  for (const std::string* part : {&separator, &inside_before, &prefix, &suffix}) {
    if (part->find(kSecret) != std::string::npos) return 0;
    if (part->find(kSecretHex) != std::string::npos) return 0;
  }
  // The literal's inside must stay inside it: no newline that ends a -- comment early is a
  // concern here, only quotes, and code_text removed those.
  std::string sql = prefix;
  sql += ' ';
  sql += c.before;
  sql += separator.empty() ? " " : separator;
  if (hex) {
    sql += "X'";
    sql += kSecretHex;
    sql += "0'";
  } else {
    sql += c.open;
    sql += inside_before;
    sql += kSecret;
    sql += c.close;
  }
  sql += c.after;
  sql += ' ';
  sql += suffix;

  const std::string redacted = eventlog::redact_statement(sql);
  if (redacted.find(kSecret) != std::string::npos ||
      redacted.find(kSecretHex) != std::string::npos) {
    std::fprintf(stderr, "secret survived:\n  in:  ");
    std::fwrite(sql.data(), 1, sql.size(), stderr);
    std::fprintf(stderr, "\n  out: ");
    std::fwrite(redacted.data(), 1, redacted.size(), stderr);
    std::fprintf(stderr, "\n");
    const bool planted_secret_survived_redaction = true;
    FUZZ_CHECK(!planted_secret_survived_redaction);
  }
  std::string in_place = sql;
  eventlog::redact_in_place(in_place);
  FUZZ_CHECK(in_place == redacted);
  return 0;
}
