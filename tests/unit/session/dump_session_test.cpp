#include "session/dump_session.h"

#include <gtest/gtest.h>

#include "protocol/binlog/replica_commands.h"
#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;

// The events' contents do not matter here (the session hands them over undecoded): bytes that
// stand for an event of `size` bytes, marked with `tag`.
Bytes fake_event(std::uint8_t tag, std::size_t size = 40) {
  Bytes event(size, tag);
  return event;
}

// A dump packet: 0x00, then the event.
Bytes event_packet(std::uint8_t seq, const Bytes& event) {
  Bytes payload{0x00};
  payload.insert(payload.end(), event.begin(), event.end());
  return packet(seq, payload);
}

void login(DumpSession& dump) {
  dump.on_server_data(packet(0, greeting_payload(77)));
  take(dump.to_server());
  dump.on_server_data(packet(2, ok_payload()));
  ASSERT_EQ(dump.state(), DumpSession::State::Ready);
  EXPECT_EQ(dump.connection_id(), 77u);
}

void start_dumping(DumpSession& dump) {
  login(dump);
  dump.start_dump({.position = 4, .flags = 0, .server_id = 4242, .file = {}});
  ASSERT_EQ(dump.state(), DumpSession::State::Dumping);
  take(dump.to_server());
}

TEST(DumpSession, RegistersAndAsksForTheDumpAsAReplica) {
  DumpSession dump("gw_binlog", "pw");
  login(dump);
  dump.register_replica({.server_id = 4242, .hostname = "gracewire", .port = 0});
  // COM_REGISTER_SLAVE: 0x15, server id, "gracewire", empty user and password, port, rank, master.
  const Bytes expected_register =
      packet(0, concat({Bytes{0x15, 0x92, 0x10, 0x00, 0x00, 9},
                        Bytes{'g', 'r', 'a', 'c', 'e', 'w', 'i', 'r', 'e'},
                        Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}));
  EXPECT_EQ(take(dump.to_server()), expected_register);
  dump.on_server_data(packet(1, ok_payload()));
  ASSERT_EQ(dump.state(), DumpSession::State::Ready);
  auto result = dump.take_result();
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok);
  dump.start_dump({.position = 4, .flags = 0, .server_id = 4242, .file = "binlog.000001"});
  const Bytes expected_dump =
      packet(0, concat({Bytes{0x12, 4, 0, 0, 0, 0, 0, 0x92, 0x10, 0x00, 0x00},
                        Bytes{'b', 'i', 'n', 'l', 'o', 'g', '.', '0', '0', '0', '0', '0', '1'}}));
  EXPECT_EQ(take(dump.to_server()), expected_dump);
}

TEST(DumpSession, HandsEventsOverOneAtATimeAndHoldsTheRest) {
  DumpSession dump("gw_binlog", "pw");
  start_dumping(dump);
  // Three events in one read: only the first is decoded until it is released.
  dump.on_server_data(concat({event_packet(1, fake_event(1)), event_packet(2, fake_event(2)),
                              event_packet(3, fake_event(3))}));
  ASSERT_TRUE(dump.event().has_value());
  EXPECT_EQ(Bytes(dump.event()->begin(), dump.event()->end()), fake_event(1));
  // More bytes while holding: kept, not decoded.
  dump.on_server_data(event_packet(4, fake_event(4)));
  EXPECT_EQ(Bytes(dump.event()->begin(), dump.event()->end()), fake_event(1));
  for (std::uint8_t tag = 2; tag <= 4; ++tag) {
    dump.release_event();
    ASSERT_TRUE(dump.event().has_value()) << int(tag);
    EXPECT_EQ(Bytes(dump.event()->begin(), dump.event()->end()), fake_event(tag));
  }
  dump.release_event();
  EXPECT_FALSE(dump.event().has_value());
  EXPECT_EQ(dump.events(), 4u);
  EXPECT_EQ(dump.event_bytes(), 160u);
}

TEST(DumpSession, AnEventCutAcrossReadsIsWhole) {
  DumpSession dump("gw_binlog", "pw");
  start_dumping(dump);
  const Bytes wire = event_packet(1, fake_event(9, 1000));
  for (std::size_t i = 0; i < wire.size(); i += 7) {
    EXPECT_FALSE(dump.event().has_value());
    dump.on_server_data(ByteView(wire).subspan(i, std::min<std::size_t>(7, wire.size() - i)));
  }
  ASSERT_TRUE(dump.event().has_value());
  EXPECT_EQ(dump.event()->size(), 1000u);
}

TEST(DumpSession, AnEventLargerThanOnePacketIsJoined) {
  DumpSession dump("gw_binlog", "pw");
  start_dumping(dump);
  // 0x00 + 16 MiB - 1 + 10 bytes: one full packet (0xFFFFFF) and one of 11 bytes.
  const Bytes event(protocol::kMaxPacketPayload + 10, 0xAB);
  Bytes payload{0x00};
  payload.insert(payload.end(), event.begin(), event.end());
  Bytes wire;
  protocol::append_message(payload, 1, wire);
  dump.on_server_data(wire);
  ASSERT_TRUE(dump.event().has_value());
  EXPECT_EQ(dump.event()->size(), event.size());
}

TEST(DumpSession, TheEofAfterAKillQueryThenTheServersCloseIsACleanEnd) {
  DumpSession dump("gw_binlog", "pw");
  start_dumping(dump);
  dump.on_server_data(event_packet(1, fake_event(1)));
  dump.release_event();
  // What MariaDB 10.11 sends the dump connection after KILL QUERY of its thread: fe 00 00 02 00.
  dump.on_server_data(packet(2, Bytes{0xfe, 0x00, 0x00, 0x02, 0x00}));
  EXPECT_EQ(dump.state(), DumpSession::State::Ended);
  dump.on_server_eof();
  EXPECT_EQ(dump.state(), DumpSession::State::Closed);
  EXPECT_TRUE(dump.to_server().empty()) << "never COM_QUIT on a dump";
}

TEST(DumpSession, AnErrEndsTheDumpWithItsCode) {
  DumpSession dump("gw_binlog", "pw");
  start_dumping(dump);
  dump.on_server_data(packet(1, err_payload(1236, "Could not find first log file name")));
  EXPECT_EQ(dump.state(), DumpSession::State::Failed);
  ASSERT_TRUE(dump.dump_error().has_value());
  EXPECT_EQ(dump.dump_error()->code, 1236);
  EXPECT_NE(dump.failure().find("1236"), std::string::npos);
}

TEST(DumpSession, TheServerClosingMidDumpIsAFailure) {
  DumpSession dump("gw_binlog", "pw");
  start_dumping(dump);
  dump.on_server_eof();
  EXPECT_EQ(dump.state(), DumpSession::State::Failed);
}

TEST(DumpSession, AWrongSequenceIdIsRefused) {
  DumpSession dump("gw_binlog", "pw");
  start_dumping(dump);
  dump.on_server_data(event_packet(1, fake_event(1)));
  dump.release_event();
  dump.on_server_data(event_packet(5, fake_event(2)));
  EXPECT_EQ(dump.state(), DumpSession::State::Failed);
}

TEST(DumpSession, QuitBeforeTheDumpIsClean) {
  DumpSession dump("gw_binlog", "pw");
  login(dump);
  dump.quit();
  EXPECT_EQ(take(dump.to_server()), kComQuit);
  dump.on_server_eof();
  EXPECT_EQ(dump.state(), DumpSession::State::Closed);
}

TEST(DumpSession, ALoginRefusalIsLasting) {
  DumpSession dump("gw_binlog", "wrong");
  dump.on_server_data(packet(0, greeting_payload(77)));
  take(dump.to_server());
  dump.on_server_data(packet(2, err_payload(1045, "Access denied for user 'gw_binlog'")));
  EXPECT_EQ(dump.state(), DumpSession::State::Failed);
  EXPECT_TRUE(dump.login_refused());
  EXPECT_EQ(dump.failure().find("wrong"), std::string::npos) << "never the password";
}

}  // namespace
}  // namespace gw::session
