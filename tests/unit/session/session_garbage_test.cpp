// Bad input never crashes a session: mutated transcripts and random bytes, from either side,
// in random chunks. Every run must end with the session either still consistent or closed with
// a reason; never with an exception, a crash, or (under ASan) a memory error.

#include <gtest/gtest.h>

#include <random>

#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;
using protocol::Command;

// A conversation as steps in causal order: which side speaks, and what it sends.
struct Step {
  bool from_server;
  Bytes bytes;
};
using Transcript = std::vector<Step>;

// Handshake, a query with a result set, COM_PING, COM_QUIT.
Transcript valid_transcript() {
  const std::uint64_t caps = cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth |
                             cap::kTransactions | cap::kMultiResults | cap::kConnectAttrs;
  return {
      {true, packet(0, greeting_payload())},
      {false, packet(1, response_payload(caps))},
      {true, packet(2, ok_payload())},
      {false, command(static_cast<std::uint8_t>(Command::Query), "SELECT 1")},
      {true, concat({one_column_header(),
                     packet(4,
                            "\x01"
                            "1"),
                     packet(5, eof_payload())})},
      {false, command(static_cast<std::uint8_t>(Command::Ping))},
      {true, packet(1, ok_payload())},
      {false, command(static_cast<std::uint8_t>(Command::Quit))},
  };
}

void mutate(Bytes& bytes, std::mt19937& rng) {
  if (bytes.empty()) return;
  std::uniform_int_distribution<std::size_t> at(0, bytes.size() - 1);
  const auto where = static_cast<std::ptrdiff_t>(at(rng));
  switch (rng() % 4) {
    case 0:
      bytes[static_cast<std::size_t>(where)] = static_cast<std::uint8_t>(rng());
      break;
    case 1:
      bytes.erase(bytes.begin() + where);
      break;
    case 2:
      bytes.insert(bytes.begin() + where, static_cast<std::uint8_t>(rng()));
      break;
    default:
      bytes.resize(static_cast<std::size_t>(where));
      break;  // truncate
  }
}

// Feeds the steps in order, each in random chunks, then ends both connections.
void play(ScriptedSession& session, const Transcript& transcript, std::mt19937& rng) {
  session.on_upstream_connected();
  std::uniform_int_distribution<std::size_t> chunk(1, 64);
  for (const Step& step : transcript) {
    for (std::size_t at = 0; at < step.bytes.size();) {
      const std::size_t n = std::min(chunk(rng), step.bytes.size() - at);
      const ByteView piece = ByteView(step.bytes).subspan(at, n);
      if (step.from_server) {
        session.on_server_data(piece);
      } else {
        session.on_client_data(piece);
      }
      at += n;
      session.to_client().clear();
      session.to_server().clear();
    }
  }
  session.on_client_eof();
  session.on_server_eof();
}

TEST(SessionGarbage, MutatedTranscriptsEndWithAReasonAndNeverCrash) {
  std::mt19937 rng(20261124);
  const Transcript valid = valid_transcript();
  for (int round = 0; round < 3000; ++round) {
    Transcript t = valid;
    const int mutations = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < mutations; ++i) mutate(t[rng() % t.size()].bytes, rng);
    ScriptedSession session;
    play(session, t, rng);
    EXPECT_TRUE(session.close_client()) << "round " << round;
    EXPECT_NE(session.close_reason(), CloseReason::None) << "round " << round;
  }
}

TEST(SessionGarbage, RandomBytesFromEitherSideAreRefused) {
  std::mt19937 rng(7);
  for (int round = 0; round < 1000; ++round) {
    Transcript t = {{true, Bytes(rng() % 300)}, {false, Bytes(rng() % 300)}};
    if (rng() % 2) std::swap(t[0], t[1]);
    for (Step& step : t) {
      for (auto& b : step.bytes) b = static_cast<std::uint8_t>(rng());
    }
    ScriptedSession session;
    play(session, t, rng);
    EXPECT_NE(session.close_reason(), CloseReason::None) << "round " << round;
  }
}

TEST(SessionGarbage, TheUnmutatedTranscriptEndsWithComQuit) {
  std::mt19937 rng(1);
  ScriptedSession session;
  play(session, valid_transcript(), rng);
  EXPECT_EQ(session.close_reason(), CloseReason::ClientQuit);
}

}  // namespace
}  // namespace gw::session
