#include "binlog/preflight.h"

#include <gtest/gtest.h>

namespace gw::binlog {
namespace {

using protocol::TextResult;
using protocol::TextRow;

// The preflight row as MariaDB 10.11 (Debian 12's 1:10.11.19) answers it for the test sandbox,
// and the same server with Debian's defaults (MIXED, NO_LOG).
TextResult preflight_row(std::string format = "ROW", std::string metadata = "FULL",
                         std::string image = "FULL", std::string log_bin = "1",
                         std::string tracked = "autocommit,last_gtid") {
  TextResult result;
  result.ok = true;
  result.rows.push_back(TextRow{log_bin, format, image, metadata, "CRC32", "1", "0-1-42,1-1-7",
                                "10.11.19-MariaDB-0+deb12u1-log", tracked});
  return result;
}

TEST(Preflight, AcceptsTheSandboxServer) {
  auto facts = check_preflight(preflight_row(), 4242);
  ASSERT_TRUE(facts.has_value()) << facts.error();
  EXPECT_EQ(facts->server_id, 1u);
  EXPECT_EQ(facts->checksum, protocol::binlog::Checksum::Crc32);
  ASSERT_EQ(facts->gtid_binlog_pos.size(), 2u);
  EXPECT_EQ(facts->gtid_binlog_pos[1].sequence, 7u);
  EXPECT_EQ(facts->version, "10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_TRUE(facts->tracks_last_gtid);
}

// Debian's default list has no last_gtid; '*' tracks everything; names are case-insensitive.
TEST(Preflight, KnowsWhetherSessionsReportTheirGtids) {
  const auto tracks = [](std::string list) {
    auto facts = check_preflight(preflight_row("ROW", "FULL", "FULL", "1", std::move(list)), 4242);
    EXPECT_TRUE(facts.has_value());
    return facts && facts->tracks_last_gtid;
  };
  EXPECT_FALSE(tracks(
      "autocommit,character_set_client,character_set_connection,character_set_results,time_zone"));
  EXPECT_FALSE(tracks(""));
  EXPECT_FALSE(tracks("last_gtid_x,xlast_gtid"));
  EXPECT_TRUE(tracks("*"));
  EXPECT_TRUE(tracks("time_zone, LAST_GTID"));
}

TEST(Preflight, NamesEveryWrongSettingWithItsFix) {
  auto facts = check_preflight(preflight_row("MIXED", "NO_LOG", "MINIMAL"), 4242);
  ASSERT_FALSE(facts.has_value());
  EXPECT_NE(facts.error().find("binlog_format is MIXED"), std::string::npos) << facts.error();
  EXPECT_NE(facts.error().find("SET GLOBAL binlog_format = 'ROW'"), std::string::npos);
  EXPECT_NE(facts.error().find("binlog_row_metadata is NO_LOG"), std::string::npos);
  EXPECT_NE(facts.error().find("SET GLOBAL binlog_row_metadata = 'FULL'"), std::string::npos);
  EXPECT_NE(facts.error().find("binlog_row_image is MINIMAL"), std::string::npos);
}

TEST(Preflight, RefusesAServerWithoutBinlog) {
  auto facts = check_preflight(preflight_row("ROW", "FULL", "FULL", "0"), 4242);
  ASSERT_FALSE(facts.has_value());
  EXPECT_NE(facts.error().find("log_bin is OFF"), std::string::npos);
}

TEST(Preflight, RefusesTheServersOwnServerId) {
  auto facts = check_preflight(preflight_row(), 1);
  ASSERT_FALSE(facts.has_value());
  EXPECT_NE(facts.error().find("server's own server_id"), std::string::npos) << facts.error();
}

TEST(Preflight, AnErrOrAnOddResultIsAnError) {
  TextResult err;
  err.error_code = 1227;
  err.error_message = "Access denied";
  EXPECT_FALSE(check_preflight(err, 4242).has_value());
  TextResult empty;
  empty.ok = true;
  EXPECT_FALSE(check_preflight(empty, 4242).has_value());
}

TEST(Preflight, FilePositionMustStillBeOnTheServer) {
  TextResult logs;
  logs.ok = true;
  logs.rows = {TextRow{"binlog.000005", "1234"}, TextRow{"binlog.000006", "389"}};
  EXPECT_TRUE(check_file_position(logs, "binlog.000006", 4).has_value());
  auto purged = check_file_position(logs, "binlog.000003", 4);
  ASSERT_FALSE(purged.has_value());
  EXPECT_NE(purged.error().find("binlog.000003 is no longer on the server"), std::string::npos);
  EXPECT_NE(purged.error().find("oldest left is binlog.000005"), std::string::npos);
  auto past = check_file_position(logs, "binlog.000005", 5000);
  ASSERT_FALSE(past.has_value());
  EXPECT_NE(past.error().find("past the end"), std::string::npos);
}

TEST(Preflight, GtidAtPositionQuotesTheFileAndReadsTheAnswer) {
  EXPECT_EQ(gtid_at_position_query("binlog.000003", 4),
            "SELECT BINLOG_GTID_POS('binlog.000003', 4)");
  EXPECT_EQ(gtid_at_position_query("a'b\\c", 4), "SELECT BINLOG_GTID_POS('a\\'b\\\\c', 4)");
  TextResult answer;
  answer.ok = true;
  answer.rows = {TextRow{std::string("0-1-5")}};
  auto gtid = gtid_at_position(answer, "binlog.000003", 4);
  ASSERT_TRUE(gtid.has_value());
  EXPECT_EQ(protocol::binlog::format_gtid_list(*gtid), "0-1-5");
  TextResult null_answer;
  null_answer.ok = true;
  null_answer.rows = {TextRow{std::nullopt}};
  EXPECT_FALSE(gtid_at_position(null_answer, "binlog.000003", 7).has_value());
}

TEST(Preflight, AServerIdInUseIsNamed) {
  TextResult hosts;
  hosts.ok = true;
  hosts.rows = {TextRow{"4242", "replica-2", "3306", "1"}};
  auto taken = check_server_id_free(hosts, 4242);
  ASSERT_FALSE(taken.has_value());
  EXPECT_NE(taken.error().find("replica-2:3306"), std::string::npos);
  EXPECT_TRUE(check_server_id_free(hosts, 4243).has_value());
}

TEST(Preflight, SessionSetupAsksForEverythingTheDumpNeeds) {
  auto gtid = protocol::binlog::parse_gtid_list("0-1-42");
  ASSERT_TRUE(gtid.has_value());
  const std::string sql = session_setup_sql(*gtid, std::chrono::milliseconds{1500});
  EXPECT_NE(sql.find("@master_binlog_checksum = @@global.binlog_checksum"), std::string::npos);
  EXPECT_NE(sql.find("@mariadb_slave_capability = 4"), std::string::npos);
  EXPECT_NE(sql.find("@master_heartbeat_period = 1500000000"), std::string::npos);
  EXPECT_NE(sql.find("@slave_connect_state = '0-1-42'"), std::string::npos);
  EXPECT_NE(sql.find("net_write_timeout = 31536000"), std::string::npos);
}

TEST(Preflight, DumpErrorsAreClassified) {
  EXPECT_EQ(classify_dump_error(1236,
                                "Could not find GTID state requested by slave in any binlog "
                                "files. Probably the slave state is too old and required binlog "
                                "files have been purged."),
            DumpErrorKind::PositionPurged);
  EXPECT_EQ(classify_dump_error(1236,
                                "Connecting slave requested to start from GTID 0-1-999, which "
                                "is not in the master's binlog"),
            DumpErrorKind::GtidDiverged);
  EXPECT_EQ(classify_dump_error(1236,
                                "Could not find first log file name in binary log index "
                                "file"),
            DumpErrorKind::PositionPurged);
  EXPECT_EQ(classify_dump_error(4070,
                                "A slave with the same server_uuid/server_id as this slave "
                                "has connected to the master"),
            DumpErrorKind::ServerIdClash);
  EXPECT_EQ(classify_dump_error(1927, "Connection was killed"), DumpErrorKind::Transient);
}

}  // namespace
}  // namespace gw::binlog
