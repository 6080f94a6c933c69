// Text that quotes SQL goes through the same redaction: the server's error messages (judged with
// the statement they answer), and every record field that can hold one.

#include <gtest/gtest.h>

#include <string>

#include "eventlog/redact.h"

namespace gw::eventlog {
namespace {

const std::string kSyntax =
    "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB "
    "server version for the right syntax to use near ";

struct MessageCase {
  const char* name;
  std::string message;
  std::string statement;
  bool complete;
  std::string expected;
};

class RedactMessage : public ::testing::TestWithParam<MessageCase> {};

TEST_P(RedactMessage, QuotedSqlGoesWhenItCouldHoldASecret) {
  const auto& c = GetParam();
  EXPECT_EQ(redact_error_message(c.message, c.statement, c.complete), c.expected) << c.message;
}

#define CASE(name, message, statement, complete, expected) \
  MessageCase { name, message, statement, complete, expected }

INSTANTIATE_TEST_SUITE_P(
    Messages, RedactMessage,
    ::testing::Values(
        // ERR 1064 quotes the statement from the misspelt word on: the secret with it.
        CASE("syntax_error_quoting_the_secret",
             kSyntax + "'USERR 'u'@'%' IDENTIFIED BY 'secret'' at line 1",
             "CREATE USERR 'u'@'%' IDENTIFIED BY 'secret'", true, kSyntax + "'***' at line 1"),
        // The quoted part names IDENTIFIED itself: redacted even without the statement.
        CASE("syntax_error_without_the_statement",
             kSyntax + "'USERR 'u'@'%' IDENTIFIED BY 'secret'' at line 1", "", true,
             kSyntax + "'***' at line 1"),
        // The quotation can start after the keyword: only the statement tells.
        CASE("syntax_error_after_the_keyword", kSyntax + "'hunter2' at line 1",
             "CREATE USER u IDENTIFIED BY hunter2", true, kSyntax + "'***' at line 1"),
        CASE("syntax_error_in_dynamic_sql", kSyntax + "'''s3cret''' at line 1",
             "EXECUTE IMMEDIATE CONCAT('ALTER USER u IDENTIFIED BY ', '''s3cret''')", true,
             kSyntax + "'***' at line 1"),
        CASE("quotation_cut_short", kSyntax + "'IDENTIFIED BY 'secr", "", true, kSyntax + "'***'"),
        // Only the beginning of the statement was kept: the rest may have held anything.
        CASE("statement_not_whole", kSyntax + "'x' at line 1", "SELECT 1 /* long …", false,
             kSyntax + "'***' at line 1"),
        // A message that repeats a literal of a secret-bearing statement without quotes.
        CASE("literal_echoed_unquoted", "check failed for hunter22 (see log)",
             "CALL check_password('hunter22')", true, "check failed for *** (see log)"),
        // Quotes end where the template says: what follows a cut quotation is SQL too.
        CASE("template_tail_kept", "Table 'db.pwd' doesn't exist", "SELECT * FROM db.pwd", true,
             "Table '***' doesn't exist"),
        CASE("hex_literal_echoed", "Incorrect value hunter22 for password",
             "SET PASSWORD = X'68756E7465723232'", true, "Incorrect value *** for password"),
        // Nothing announces a secret: the message is kept whole.
        CASE("unrelated_error", "Table 'shop.no_such' doesn't exist", "SELECT * FROM no_such", true,
             "Table 'shop.no_such' doesn't exist"),
        CASE("access_denied", "Access denied for user 'bob'@'localhost' (using password: YES)", "",
             true, "Access denied for user 'bob'@'localhost' (using password: YES)"),
        CASE("syntax_error_without_secret", kSyntax + "'FRM t' at line 1", "SELECT a FRM t", true,
             kSyntax + "'FRM t' at line 1"),
        CASE("empty", "", "CREATE USER u IDENTIFIED BY 'x'", true, "")),
    [](const ::testing::TestParamInfo<MessageCase>& p) { return std::string(p.param.name); });

#undef CASE

TEST(RedactRecord, CommandStatementAndErrorMessage) {
  CommandRecord command;
  command.statement = "SET @s = 'CREATE USER u IDENTIFIED BY \"s3cret\"'";
  command.error_code = 1064;
  command.error_message = kSyntax + "'\"s3cret\"' at line 1";
  Record record = command;
  redact_record(record);
  const auto& out = std::get<CommandRecord>(record);
  EXPECT_EQ(out.statement, "SET @s = '***'");
  // Judged by the statement as sent, not as redacted (which no longer names IDENTIFIED).
  EXPECT_EQ(out.error_message, kSyntax + "'***' at line 1");
}

TEST(RedactRecord, CommandWithoutSecretIsUntouched) {
  CommandRecord command;
  command.statement = "SELECT * FROM t WHERE name = 'bob'";
  command.error_message = "Unknown column 'name' in 'where clause'";
  Record record = command;
  redact_record(record);
  EXPECT_EQ(std::get<CommandRecord>(record).statement, command.statement);
  EXPECT_EQ(std::get<CommandRecord>(record).error_message, command.error_message);
}

TEST(RedactRecord, TruncatedStatementRedactsTheMessage) {
  CommandRecord command;
  command.statement = "INSERT INTO t VALUES ('a'), ('b'), ";
  command.statement_truncated = true;
  command.error_message = kSyntax + "'IDENTIFIED BY 'x'' at line 1";
  Record record = command;
  redact_record(record);
  EXPECT_EQ(std::get<CommandRecord>(record).error_message, kSyntax + "'***' at line 1");
}

TEST(RedactRecord, LifecycleMessagesAndCloseDetail) {
  Record auth = AuthRecord{.error_message = kSyntax + "'PASSWORD('x')' at line 1"};
  redact_record(auth);
  EXPECT_EQ(std::get<AuthRecord>(auth).error_message, kSyntax + "'***' at line 1");

  Record change = ChangeUserRecord{.error_message = "near 'IDENTIFIED BY 'y''"};
  redact_record(change);
  EXPECT_EQ(std::get<ChangeUserRecord>(change).error_message, "near '***'");

  Record close = CloseRecord{.detail = "server sent ERR 1064: near 'SET PASSWORD = 'z'' at line 1"};
  redact_record(close);
  EXPECT_EQ(std::get<CloseRecord>(close).detail, "server sent ERR 1064: near '***' at line 1");
}

TEST(MentionsSecret, WordsAndTheirDisguises) {
  for (const char* text :
       {"IDENTIFIED", "identifeid", "IDNETIFIED", "x.passwd", "MASTER_PASSWORD", "pasword",
        "AES_ENCRYPT", "client_secret", "authentication_string", "X'70617373776F7264'",
        "0x6964656e746966696564", "B'011100000111011101100100'", "'/* pwd */'", "SET @pw = 'x'",
        "new_pass", "pass_hash", "a passphrase", "db_credentials"}) {
    EXPECT_TRUE(mentions_secret(text)) << text;
  }
  for (const char* text :
       {"SELECT * FROM orders WHERE id = 42", "identity", "passport_no", "X'1F'", "0x0123456789",
        "INSERT INTO t VALUES ('a', 'b')", "bypass", "compass_pw2", "id > 707764"}) {
    EXPECT_FALSE(mentions_secret(text)) << text;
  }
}

}  // namespace
}  // namespace gw::eventlog
