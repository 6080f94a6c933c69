// The [binlog] table: every key, the three forms of `start`, the rules for an enabled follower,
// and its password, which like the control password never reaches a message.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/binlog_start.h"
#include "config/load.h"
#include "config/password.h"
#include "config/validate.h"
#include "core/errors.h"

namespace gw::config {
namespace {

using std::chrono::milliseconds;

constexpr const char* kSecret = "Sup3rS3cretValue";

std::vector<ConfigError> all_errors(const std::string& text) {
  auto parsed = parse_config_all(text, "b.toml");
  EXPECT_FALSE(parsed) << text;
  return parsed ? std::vector<ConfigError>{} : parsed.error();
}

TEST(BinlogConfig, DefaultsAreOffAndCurrent) {
  const BinlogConfig binlog;
  EXPECT_FALSE(binlog.enabled);
  EXPECT_EQ(binlog.server_id, 0u);
  EXPECT_EQ(binlog.start.kind, BinlogStart::Kind::Current);
  EXPECT_EQ(binlog.heartbeat, milliseconds(1'000));
  EXPECT_TRUE(binlog.path.empty());
  EXPECT_TRUE(binlog.checkpoint.empty());
}

TEST(BinlogConfig, ReadsEveryKey) {
  const auto parsed = parse_config(R"([binlog]
enabled = true
user = "repl"
password_env = "GW_BINLOG_PASSWORD"
server_id = 4294967295
start = "binlog.000003:1234"
checkpoint = "/var/lib/gracewire/binlog.checkpoint"
heartbeat = "250ms"
path = "-"
)",
                                   "b.toml");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const BinlogConfig& b = parsed->binlog;
  EXPECT_TRUE(b.enabled);
  EXPECT_EQ(b.user, "repl");
  EXPECT_EQ(b.password_env, "GW_BINLOG_PASSWORD");
  EXPECT_EQ(b.server_id, 4'294'967'295u);
  EXPECT_EQ(
      b.start,
      (BinlogStart{
          .kind = BinlogStart::Kind::FilePos, .file = "binlog.000003", .pos = 1234, .gtid = {}}));
  EXPECT_EQ(b.checkpoint, "/var/lib/gracewire/binlog.checkpoint");
  EXPECT_EQ(b.heartbeat, milliseconds(250));
  EXPECT_EQ(b.path, "-");
}

TEST(BinlogStartText, TheThreeForms) {
  EXPECT_EQ(parse_binlog_start("current"), BinlogStart{});
  const auto file_pos = parse_binlog_start("mysql-bin.000001:4");
  ASSERT_TRUE(file_pos) << file_pos.error();
  EXPECT_EQ(file_pos->kind, BinlogStart::Kind::FilePos);
  EXPECT_EQ(file_pos->file, "mysql-bin.000001");
  EXPECT_EQ(file_pos->pos, 4u);
  // The split is at the last ':', so a name holding one still works.
  const auto colon_name = parse_binlog_start("a:b.000001:18446744073709551615");
  ASSERT_TRUE(colon_name) << colon_name.error();
  EXPECT_EQ(colon_name->file, "a:b.000001");
  EXPECT_EQ(colon_name->pos, 18'446'744'073'709'551'615u);
  // GTID lists come back sorted by domain, as the server spells them.
  const auto gtid = parse_binlog_start("1-1-7, 0-1-42");
  ASSERT_TRUE(gtid) << gtid.error();
  EXPECT_EQ(gtid->kind, BinlogStart::Kind::Gtid);
  EXPECT_EQ(gtid->gtid, "0-1-42,1-1-7");
  EXPECT_EQ(format_binlog_start(*gtid), "0-1-42,1-1-7");
  EXPECT_EQ(format_binlog_start(*file_pos), "mysql-bin.000001:4");
  EXPECT_EQ(format_binlog_start(BinlogStart{}), "current");
}

struct BadStart {
  std::string text;
  std::string problem_contains;
};

class BinlogStartBad : public ::testing::TestWithParam<BadStart> {};

TEST_P(BinlogStartBad, ExplainsWhy) {
  const auto parsed = parse_binlog_start(GetParam().text);
  ASSERT_FALSE(parsed) << GetParam().text;
  EXPECT_NE(parsed.error().find(GetParam().problem_contains), std::string::npos) << parsed.error();
}

INSTANTIATE_TEST_SUITE_P(
    BinlogConfig, BinlogStartBad,
    ::testing::Values(
        BadStart{"", "empty"}, BadStart{"Current", "is not a position"},
        BadStart{"binlog.000003", "is not a position"}, BadStart{":4", "file name is empty"},
        BadStart{"binlog.000003:", "decimal number"}, BadStart{"binlog.000003:3", "at least 4"},
        BadStart{"binlog.000003:0", "at least 4"}, BadStart{"binlog.000003:-4", "decimal number"},
        BadStart{"binlog.000003:+4", "decimal number"},
        BadStart{"binlog.000003:4x", "decimal number"},
        BadStart{"binlog.000003:18446744073709551616", "decimal number"},
        BadStart{"/var/lib/mysql/binlog.000003:4", "no '/'"},
        BadStart{std::string(256, 'b') + ":4", "at most 255"}, BadStart{"0-1", "is not a position"},
        BadStart{"0-1-x", "is not a position"},
        BadStart{"0-1-42,0-2-43", "is not a position"},  // one entry per domain
        BadStart{"0-1-42,", "is not a position"}, BadStart{"4294967296-1-1", "is not a position"}));

TEST(BinlogStartText, PositionsForARangeRefuseCurrent) {
  EXPECT_FALSE(parse_binlog_position("current"));
  EXPECT_TRUE(parse_binlog_position("binlog.000001:4"));
  EXPECT_TRUE(parse_binlog_position("0-1-1"));
}

TEST(BinlogConfig, BadValuesNameTheKeyAndLine) {
  struct Case {
    std::string text;
    std::string key;
    std::string problem_contains;
  };
  const Case cases[] = {
      {"[binlog]\nserver_id = 4294967296", "binlog.server_id",
       "must be 0 or between 1 and 4294967295"},
      {"[binlog]\nserver_id = -1", "binlog.server_id", "must be 0 or between"},
      {"[binlog]\nserver_id = \"7\"", "binlog.server_id", "expected an integer"},
      {"[binlog]\nheartbeat = \"50ms\"", "binlog.heartbeat", "between 100ms and 1m"},
      {"[binlog]\nheartbeat = \"2m\"", "binlog.heartbeat", "between 100ms and 1m"},
      {"[binlog]\nstart = \"binlog.000001:2\"", "binlog.start", "at least 4"},
      {"[binlog]\nstart = 4", "binlog.start", "expected a string"},
      {"[binlog]\nenabled = \"yes\"", "binlog.enabled", "expected true or false"},
      {"[binlog]\npassword_env = \"A-B\"", "binlog.password_env", "not an environment variable"},
  };
  for (const auto& c : cases) {
    const auto errors = all_errors(c.text);
    ASSERT_EQ(errors.size(), 1u) << c.text;
    EXPECT_EQ(errors[0].key, c.key) << c.text;
    EXPECT_EQ(errors[0].line, 2u) << c.text;
    EXPECT_NE(errors[0].problem.find(c.problem_contains), std::string::npos) << errors[0].problem;
  }
}

TEST(BinlogConfig, EnabledNeedsServerIdAndUserNamingTheEnabledLine) {
  const auto errors = all_errors("[log]\nlevel = \"info\"\n[binlog]\nenabled = true\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].to_string().rfind("b.toml:4: binlog.server_id: required when the binlog "
                                        "follower is enabled (binlog.enabled = true)",
                                        0),
            0u)
      << errors[0].to_string();
  EXPECT_EQ(errors[0].code, config_errc::missing_value);
  EXPECT_EQ(errors[1].to_string().rfind("b.toml:4: binlog.user: required", 0), 0u)
      << errors[1].to_string();

  const auto user_only = all_errors("[binlog]\nenabled = true\nuser = \"repl\"\n");
  ASSERT_EQ(user_only.size(), 1u);
  EXPECT_EQ(user_only[0].key, "binlog.server_id");
}

TEST(BinlogConfig, DisabledNeedsNothing) {
  const auto parsed = parse_config("[binlog]\nenabled = false\n", "b.toml");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
}

TEST(BinlogConfig, EnabledFromTheCommandLineHasNoLine) {
  BinlogConfig binlog;
  binlog.enabled = true;
  binlog.user = "repl";
  const auto errors = check_binlog_enabled(binlog, {}, "--binlog");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 0u);
  EXPECT_NE(errors[0].to_string().find("binlog.server_id: required when the binlog follower is "
                                       "enabled (--binlog)"),
            std::string::npos)
      << errors[0].to_string();
}

TEST(BinlogConfig, ChangeRecordsNeedADestination) {
  Config config;
  config.binlog.enabled = true;
  EXPECT_EQ(binlog_destination_problem(config),
            "binlog.path: change records need somewhere to go: set binlog.path or "
            "event_log.path, or publish them (publish.nats_url)");
  config.publish.nats_url = {"nats://127.0.0.1:4222"};
  EXPECT_EQ(binlog_destination_problem(config), std::nullopt);  // published only
  config.publish.changes = false;
  EXPECT_NE(binlog_destination_problem(config), std::nullopt);
  config.publish = {};
  config.event_log.path = "/var/log/gracewire/events.jsonl";
  EXPECT_EQ(binlog_destination_problem(config), std::nullopt);
  config.event_log.path.clear();
  config.binlog.path = "-";
  EXPECT_EQ(binlog_destination_problem(config), std::nullopt);
  config.binlog = {};
  EXPECT_EQ(binlog_destination_problem(config), std::nullopt);  // disabled
}

TEST(BinlogConfig, AtMostOnePasswordSource) {
  const auto errors = all_errors(
      "[binlog]\npassword = \"Sup3rS3cretValue\"\npassword_file = \"/p\"\n"
      "[control]\npassword_env = \"A\"\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, "binlog.password_file");
  EXPECT_EQ(errors[0].line, 3u);
  EXPECT_NE(errors[0].problem.find("set only one password source; binlog.password is also set"),
            std::string::npos)
      << errors[0].problem;
}

class BinlogPasswordNeverPrinted : public ::testing::TestWithParam<std::string> {};

TEST_P(BinlogPasswordNeverPrinted, InAnyErrorText) {
  std::string text;
  for (const auto& error : all_errors(GetParam())) text += error.to_string() + "\n";
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
  for (const char c : std::string(kSecret)) {
    EXPECT_EQ(text.find(std::string("'") + c + "'"), std::string::npos) << text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Secrets, BinlogPasswordNeverPrinted,
    ::testing::Values(
        "[binlog]\npassword = \"Sup3rS3cretValue\"\nenabled = true\n",
        "[binlog]\npassword = \"Sup3rS3cretValue\"\nserver_id = 0x1p\n",
        "[binlog]\npassword = \"Sup3rS3cretValue\"\npassword_env = \"GW_PW\"\n",
        "[binlog]\npasword = \"Sup3rS3cretValue\"\n", "[binlog]\npassword = Sup3rS3cretValue\n",
        "[binlog]\npassword = \"Sup3rS3cret\\qValue\"\n",
        "[binlog]\nuser = repl Sup3rS3cretValue\n", "[binlog]\npassword = [\"Sup3rS3cretValue\"]\n",
        "[binlog]\nstart = \"current\"\npassword = \"Sup3rS3cretValue\"\nheartbeat = \"1h\"\n"));

TEST(BinlogPassword, ReadsEachSourceAndNamesTheBinlogKeys) {
  BinlogConfig binlog;
  EXPECT_EQ(read_password(binlog), "");
  binlog.password = kSecret;
  EXPECT_EQ(read_password(binlog), kSecret);

  binlog = {};
  binlog.password_env = "GW_CONFIG_TEST_BINLOG_PASSWORD";
  ::setenv("GW_CONFIG_TEST_BINLOG_PASSWORD", kSecret, 1);
  EXPECT_EQ(read_password(binlog), kSecret);
  ::unsetenv("GW_CONFIG_TEST_BINLOG_PASSWORD");
  const auto unset = read_password(binlog);
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error(),
            "binlog.password_env: environment variable GW_CONFIG_TEST_BINLOG_PASSWORD is not set");

  const auto path = std::filesystem::temp_directory_path() / "gracewire_binlog_password_test";
  {
    std::ofstream out(path);
    out << kSecret << "\r\n";
  }
  binlog = {};
  binlog.password_file = path.string();
  EXPECT_EQ(read_password(binlog), kSecret);
  {
    std::ofstream out(path, std::ios::trunc);
    out << std::string(64 << 10, 'x') << "x";
  }
  const auto too_large = read_password(binlog);
  ASSERT_FALSE(too_large);
  EXPECT_NE(too_large.error().find("binlog.password_file: "), std::string::npos);
  EXPECT_NE(too_large.error().find("too large"), std::string::npos) << too_large.error();
  std::filesystem::remove(path);
  const auto missing = read_password(binlog);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().rfind("binlog.password_file: cannot open", 0), 0u) << missing.error();
}

TEST(BinlogPassword, TheGenericReaderNamesItsTable) {
  const auto read = read_password(PasswordSources{.table = "somewhere",
                                                  .password = {},
                                                  .password_env = "GW_CONFIG_TEST_NEVER_SET_X",
                                                  .password_file = {}});
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().rfind("somewhere.password_env:", 0), 0u) << read.error();
}

}  // namespace
}  // namespace gw::config
