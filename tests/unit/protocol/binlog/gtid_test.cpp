#include "protocol/binlog/gtid.h"

#include <gtest/gtest.h>

#include <string_view>

#include "core/errors.h"

namespace gw::protocol::binlog {
namespace {

TEST(Gtid, FormatsAsTheServerDoes) {
  EXPECT_EQ(format_gtid({0, 1, 42}), "0-1-42");
  EXPECT_EQ(format_gtid({4294967295u, 4294967295u, 18446744073709551615ull}),
            "4294967295-4294967295-18446744073709551615");
  EXPECT_EQ(format_gtid_list({}), "");
  EXPECT_EQ(format_gtid_list({{0, 1, 42}, {1, 2, 7}}), "0-1-42,1-2-7");
}

TEST(Gtid, ParsesThreeFieldsThatFitTheirWidths) {
  auto gtid = parse_gtid("0-1-42");
  ASSERT_TRUE(gtid);
  EXPECT_EQ(*gtid, (Gtid{0, 1, 42}));
  auto max = parse_gtid("4294967295-4294967295-18446744073709551615");
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, (Gtid{4294967295u, 4294967295u, 18446744073709551615ull}));
  EXPECT_EQ(*parse_gtid("00-01-042"), (Gtid{0, 1, 42}));
}

TEST(Gtid, RefusesAnythingElse) {
  for (const char* text : {
           "",
           "0",
           "0-1",
           "0-1-",
           "-1-2",
           "0--2",
           "0-1-2-3",
           "0-1-2-",
           "-0-1-2",
           "+0-1-2",
           "0-+1-2",
           "0-1--2",
           " 0-1-2",
           "0-1-2 ",
           "0 -1-2",
           "0x1-1-2",
           "a-1-2",
           "0-1-2a",
           "4294967296-1-2",
           "0-4294967296-2",
           "0-1-18446744073709551616",
           "0-1-99999999999999999999999",
           "0,1-2",
       }) {
    EXPECT_EQ(parse_gtid(text).error(), codec_errc::invalid_value) << '"' << text << '"';
  }
}

TEST(GtidList, ParsesSortedWithSpacesAroundCommas) {
  auto list = parse_gtid_list("1-2-7, 0-1-42 ,\t5-1-1");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (GtidList{{0, 1, 42}, {1, 2, 7}, {5, 1, 1}}));
  EXPECT_EQ(format_gtid_list(*list), "0-1-42,1-2-7,5-1-1");
  auto empty = parse_gtid_list("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto blank = parse_gtid_list("  ");
  ASSERT_TRUE(blank);
  EXPECT_TRUE(blank->empty());
}

TEST(GtidList, RefusesDuplicatesAndEmptyEntries) {
  for (const char* text : {
           "0-1-2,0-2-3",
           "0-1-2,1-1-1,0-1-2",
           "0-1-2,",
           ",0-1-2",
           "0-1-2,,1-1-1",
           "0-1-2;1-1-1",
           "0-1-2 1-1-1",
       }) {
    EXPECT_EQ(parse_gtid_list(text).error(), codec_errc::invalid_value) << '"' << text << '"';
  }
}

TEST(GtidList, TheBinlogStateKeepsEachDomainsLastEntry) {
  // SELECT @@gtid_binlog_state on the sandbox after a transaction with SET server_id=2 and one
  // with server_id=1 in domain 0 (the GTID_LIST written next: kGtidListTwoServersInDomain).
  constexpr std::string_view kState = "0-2-14,0-1-15,1-1-2";
  EXPECT_EQ(parse_gtid_list(kState).error(), codec_errc::invalid_value);
  auto state = parse_gtid_binlog_state(kState);
  ASSERT_TRUE(state);
  EXPECT_EQ(*state, (GtidList{{0, 1, 15}, {1, 1, 2}}));
  auto empty = parse_gtid_binlog_state("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(parse_gtid_binlog_state("0-1-2,").error(), codec_errc::invalid_value);
  EXPECT_EQ(parse_gtid_binlog_state("0-1-x").error(), codec_errc::invalid_value);
}

TEST(GtidList, FormatAndParseRoundTrip) {
  const GtidList list = {{0, 1, 42}, {7, 3, 1}, {4294967295u, 1, 18446744073709551615ull}};
  auto again = parse_gtid_list(format_gtid_list(list));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, list);
}

TEST(GtidList, AdvanceReplacesOrInsertsKeepingTheOrder) {
  GtidList list;
  advance(list, {5, 1, 10});
  advance(list, {0, 1, 3});
  advance(list, {2, 1, 8});
  EXPECT_EQ(list, (GtidList{{0, 1, 3}, {2, 1, 8}, {5, 1, 10}}));
  advance(list, {2, 9, 9});
  EXPECT_EQ(list, (GtidList{{0, 1, 3}, {2, 9, 9}, {5, 1, 10}}));
  advance(list, {7, 1, 1});
  EXPECT_EQ(format_gtid_list(list), "0-1-3,2-9-9,5-1-10,7-1-1");
}

}  // namespace
}  // namespace gw::protocol::binlog
