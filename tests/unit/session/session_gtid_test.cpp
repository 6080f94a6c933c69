// SessionSettings::track_gtids: gracewire asks the server for session tracking whatever the
// client asked, learns the GTID each command committed, and gives a client that did not ask for
// tracking its OK packets exactly as the server would have sent them to it.

#include <gtest/gtest.h>

#include "protocol/handshake.h"
#include "session/handshake_rewrite.h"
#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;
namespace status = protocol::status;

constexpr std::uint64_t kBaseCaps = cap::kLongFlag | cap::kProtocol41 | cap::kTransactions |
                                    cap::kSecureConnection | cap::kMultiStatements |
                                    cap::kMultiResults | cap::kPsMultiResults | cap::kPluginAuth;
// Upstream, with gracewire's CLIENT_SESSION_TRACK added.
constexpr std::uint64_t kTracked = kBaseCaps | cap::kSessionTrack;

// Captured on 2026-12-01 from MariaDB 10.11 to a client with CLIENT_SESSION_TRACK, after
// SET session_track_system_variables='last_gtid': an autocommitted INSERT's OK (GTID 0-1-7).
const Bytes kOkInsertLastGtid = {
    0x00, 0x01, 0x00, 0x02, 0x40, 0x00, 0x00, 0x00, 0x12, 0x00, 0x10, 0x09, 0x6c, 0x61,
    0x73, 0x74, 0x5f, 0x67, 0x74, 0x69, 0x64, 0x05, 0x30, 0x2d, 0x31, 0x2d, 0x37,
};
// The same OK as MariaDB sends it to a client without CLIENT_SESSION_TRACK.
const Bytes kOkInsertUntracked = {0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00};

Bytes tracked_ok(std::string info, std::string gtid, std::uint8_t header = protocol::kOkHeader,
                 std::uint64_t caps = kTracked) {
  protocol::OkPacket ok;
  ok.header = header;
  ok.affected_rows = 3;
  ok.status = status::kAutocommit | status::kSessionStateChanged;
  ok.info = std::move(info);
  Bytes entry{0x00};  // system variable
  Bytes data;
  data.push_back(9);
  data.insert(data.end(), {'l', 'a', 's', 't', '_', 'g', 't', 'i', 'd'});
  data.push_back(static_cast<std::uint8_t>(gtid.size()));
  data.insert(data.end(), gtid.begin(), gtid.end());
  entry.push_back(static_cast<std::uint8_t>(data.size()));
  entry.insert(entry.end(), data.begin(), data.end());
  ok.session_state.assign(entry.begin(), entry.end());
  Bytes out;
  protocol::encode_ok(ok, caps, out);
  return out;
}

std::vector<std::vector<std::string>> answered(const ScriptedSession& s) {
  std::vector<std::vector<std::string>> out;
  for (const Action& action : s.log) {
    if (const auto* a = std::get_if<CommandAnswered>(&action)) out.push_back(a->gtids);
  }
  return out;
}

int sent(const ScriptedSession& s) {
  int count = 0;
  for (const Action& action : s.log) count += std::holds_alternative<CommandSent>(action) ? 1 : 0;
  return count;
}

SessionSettings tracking() {
  SessionSettings settings;
  settings.track_gtids = true;
  return settings;
}

class SessionGtids : public ::testing::Test {
 protected:
  void authenticate(ScriptedSession& s, std::uint64_t client_caps) {
    s.on_upstream_connected();
    s.on_server_data(packet(0, greeting_payload(77)));
    s.on_client_data(packet(1, response_payload(client_caps)));
    upstream_response_ = take(s.to_server());
    s.on_server_data(packet(2, ok_payload(status::kAutocommit, 0, 0, kTracked)));
    ASSERT_EQ(s.phase(), Session::Phase::Idle) << s.close_detail();
    take(s.to_client());
  }
  std::uint64_t upstream_capabilities() const {
    auto response = protocol::decode_handshake_response(ByteView(upstream_response_).subspan(4));
    EXPECT_TRUE(response);
    return response ? response->capabilities : 0;
  }

  Bytes upstream_response_;
};

TEST_F(SessionGtids, AClientWithoutTrackingGetsUntrackedOks) {
  ScriptedSession s(tracking());
  authenticate(s, kBaseCaps);
  EXPECT_NE(upstream_capabilities() & cap::kSessionTrack, 0u) << "asked upstream";
  EXPECT_EQ(s.info().capabilities & cap::kSessionTrack, 0u) << "not the client's";

  s.on_client_data(command(kQuery, "INSERT INTO t VALUES (7)"));
  s.on_server_data(packet(1, kOkInsertLastGtid));
  EXPECT_EQ(take(s.to_client()), packet(1, kOkInsertUntracked));
  EXPECT_EQ(s.phase(), Session::Phase::Idle);
  EXPECT_EQ(sent(s), 1);
  EXPECT_EQ(answered(s), (std::vector<std::vector<std::string>>{{"0-1-7"}}));

  // An info string survives, as string<EOF> for this client.
  s.on_client_data(command(kQuery, "UPDATE t SET a = a + 1"));
  s.on_server_data(packet(1, tracked_ok("Rows matched: 3  Changed: 3  Warnings: 0", "0-1-8")));
  protocol::OkPacket expected;
  expected.affected_rows = 3;
  expected.status = status::kAutocommit;
  expected.info = "Rows matched: 3  Changed: 3  Warnings: 0";
  Bytes expected_payload;
  protocol::encode_ok(expected, kBaseCaps, expected_payload);
  EXPECT_EQ(take(s.to_client()), packet(1, expected_payload));
  EXPECT_EQ(answered(s).back(), std::vector<std::string>{"0-1-8"});
}

TEST_F(SessionGtids, MultiStatementOksEachNameTheirTransaction) {
  ScriptedSession s(tracking());
  authenticate(s, kBaseCaps);
  s.on_client_data(command(kQuery, "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)"));
  Bytes first = tracked_ok("", "0-1-9");
  first[3] |= status::kMoreResultsExist;  // status low byte, after header and two lenencs
  s.on_server_data(concat({packet(1, first), packet(2, tracked_ok("", "0-1-10"))}));
  EXPECT_EQ(s.phase(), Session::Phase::Idle) << s.close_detail();
  EXPECT_EQ(answered(s).back(), (std::vector<std::string>{"0-1-9", "0-1-10"}));
  // Both reached the client, without their state: 3 affected rows, status, no info.
  const Bytes client = take(s.to_client());
  ASSERT_EQ(client.size(), 2 * (4 + 7));
  EXPECT_EQ(client[4 + 3], status::kAutocommit | status::kMoreResultsExist);
  EXPECT_EQ(client[4 + 4], 0x00) << "SERVER_SESSION_STATE_CHANGED cleared";
}

TEST_F(SessionGtids, AResultSetTerminatorLosesItsStateButRowsPassUntouched) {
  ScriptedSession s(tracking());
  authenticate(s, kBaseCaps | cap::kDeprecateEof);
  s.on_client_data(command(kQuery, "SELECT a FROM t"));
  const Bytes head = concat({packet(1, Bytes{1}),
                             packet(2,
                                    "\x03"
                                    "def\x00\x00\x00\x01"
                                    "a\x00\x0c\x3f\x00"),
                             packet(3,
                                    "\x01"
                                    "7")});
  s.on_server_data(concat({head, packet(4, tracked_ok("", "0-1-11", protocol::kEofHeader,
                                                      kTracked | cap::kDeprecateEof))}));
  EXPECT_EQ(s.phase(), Session::Phase::Idle) << s.close_detail();
  protocol::OkPacket end;
  end.header = protocol::kEofHeader;
  end.affected_rows = 3;
  end.status = status::kAutocommit;
  Bytes end_payload;
  protocol::encode_ok(end, kBaseCaps | cap::kDeprecateEof, end_payload);
  EXPECT_EQ(take(s.to_client()), concat({head, packet(4, end_payload)}));
}

TEST_F(SessionGtids, AClientThatTracksGetsTheServersBytes) {
  ScriptedSession s(tracking());
  authenticate(s, kTracked);
  s.on_client_data(command(kQuery, "INSERT INTO t VALUES (7)"));
  s.on_server_data(packet(1, kOkInsertLastGtid));
  EXPECT_EQ(take(s.to_client()), packet(1, kOkInsertLastGtid));
  EXPECT_EQ(answered(s), (std::vector<std::vector<std::string>>{{"0-1-7"}}));
}

TEST_F(SessionGtids, WithoutTheSettingNothingChanges) {
  ScriptedSession s;
  authenticate(s, kBaseCaps);
  EXPECT_EQ(upstream_capabilities() & cap::kSessionTrack, 0u);
  s.on_client_data(command(kQuery, "INSERT INTO t VALUES (7)"));
  s.on_server_data(packet(1, kOkInsertUntracked));
  EXPECT_EQ(take(s.to_client()), packet(1, kOkInsertUntracked));
  EXPECT_EQ(sent(s), 0);
  EXPECT_TRUE(answered(s).empty());
}

// Session tracking is asked for only where the server offers it, and only for 4.1 clients (the
// OK layout it extends is the 4.1 one).
TEST(UpstreamCapabilities, AddOnlyWhatTheServerOffersToA41Client) {
  EXPECT_EQ(upstream_capabilities(kBaseCaps, cap::kSessionTrack, kServerCapabilities), kTracked);
  EXPECT_EQ(upstream_capabilities(kBaseCaps, cap::kSessionTrack,
                                  kServerCapabilities & ~cap::kSessionTrack),
            kBaseCaps);
  const std::uint64_t old_client = kBaseCaps & ~cap::kProtocol41;
  EXPECT_EQ(upstream_capabilities(old_client, cap::kSessionTrack, kServerCapabilities), old_client);
}

// A prepared statement's OK starts with 0x00 too, and is not an OK packet: untouched.
TEST_F(SessionGtids, PrepareOkIsNotRewritten) {
  ScriptedSession s(tracking());
  authenticate(s, kBaseCaps | cap::kDeprecateEof);
  s.on_client_data(command(static_cast<std::uint8_t>(protocol::Command::StmtPrepare), "DO 1"));
  const Bytes prepare_ok = {0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  s.on_server_data(packet(1, prepare_ok));
  EXPECT_EQ(s.phase(), Session::Phase::Idle) << s.close_detail();
  EXPECT_EQ(take(s.to_client()), packet(1, prepare_ok));
}

}  // namespace
}  // namespace gw::session
