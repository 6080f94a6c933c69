#include "protocol/session_state.h"

#include <gtest/gtest.h>

#include "codec_test_support.h"
#include "protocol/constants.h"
#include "protocol/response.h"

namespace gw::protocol::testing {
namespace {

// Captured on 2026-12-01 from MariaDB 10.11 (Debian 12) to PyMySQL with CLIENT_SESSION_TRACK
// set, after SET session_track_system_variables='last_gtid': the OK of an autocommitted INSERT
// into an InnoDB table (GTID 0-1-7 committed).
const Bytes kOkInsertLastGtid = {
    0x00, 0x01, 0x00, 0x02, 0x40, 0x00, 0x00, 0x00, 0x12, 0x00, 0x10, 0x09, 0x6c, 0x61,
    0x73, 0x74, 0x5f, 0x67, 0x74, 0x69, 0x64, 0x05, 0x30, 0x2d, 0x31, 0x2d, 0x37,
};
// The same session's OK of the INSERT inside BEGIN … COMMIT: nothing committed, no state.
const Bytes kOkInsertInTransaction = {0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00};

constexpr std::uint64_t kTracking = cap::kProtocol41 | cap::kSessionTrack;

TEST(SessionState, FindsLastGtidInACapturedOk) {
  auto ok = decode_ok(kOkInsertLastGtid, kTracking);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->status & status::kSessionStateChanged, status::kSessionStateChanged);
  EXPECT_EQ(find_tracked_variable(as_bytes(ok->session_state), "last_gtid"), "0-1-7");
  EXPECT_EQ(find_tracked_variable(as_bytes(ok->session_state), "autocommit"), std::nullopt);
}

TEST(SessionState, AnOkWithoutStateHasNone) {
  auto ok = decode_ok(kOkInsertInTransaction, kTracking);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_TRUE(ok->session_state.empty());
  EXPECT_EQ(find_tracked_variable(as_bytes(ok->session_state), "last_gtid"), std::nullopt);
}

// Hand-built: a schema entry, then two variables; the last value of a repeated one wins.
TEST(SessionState, SkipsOtherEntryTypesAndTakesTheLastValue) {
  const Bytes block = {
      0x01, 0x03, 0x02, 'd', 'b',                                     // schema "db"
      0x00, 0x0c, 0x09, 'l', 'a', 's', 't', '_', 'g', 't', 'i', 'd',  // last_gtid = "a"
      0x01, 'a',                                                      //
      0x00, 0x0c, 0x09, 'l', 'a', 's', 't', '_', 'g', 't', 'i', 'd',  // last_gtid = "b"
      0x01, 'b',                                                      //
  };
  EXPECT_EQ(find_tracked_variable(block, "last_gtid"), "b");
  EXPECT_EQ(find_tracked_variable(block, "db"), std::nullopt);
}

// Hostile blocks: a length past the end, an entry with bytes after its value, an empty block.
// Every strict prefix of a well-formed block is malformed or simply shorter: never a crash, never
// a value read from outside the block.
TEST(SessionState, MalformedBlocksYieldNothing) {
  const Bytes past_end = {0x00, 0x40, 0x09, 'l', 'a'};
  EXPECT_EQ(find_tracked_variable(past_end, "last_gtid"), std::nullopt);
  const Bytes trailing = {0x00, 0x05, 0x01, 'x', 0x01, 'y', 0x00};
  EXPECT_EQ(find_tracked_variable(trailing, "x"), std::nullopt);
  EXPECT_EQ(find_tracked_variable({}, "last_gtid"), std::nullopt);
  auto ok = decode_ok(kOkInsertLastGtid, kTracking);
  ASSERT_TRUE(ok);
  const ByteView block = as_bytes(ok->session_state);
  for (std::size_t size = 0; size < block.size(); ++size) {
    EXPECT_EQ(find_tracked_variable(block.first(size), "last_gtid"), std::nullopt) << size;
  }
}

}  // namespace
}  // namespace gw::protocol::testing
