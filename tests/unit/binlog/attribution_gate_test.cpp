#include "binlog/attribution_gate.h"

#include <gtest/gtest.h>

#include "eventlog/session_directory.h"

namespace gw::binlog {
namespace {

using Clock = AttributionGate::Clock;
using std::chrono::milliseconds;

TEST(SessionDirectory, KnowsWhoCommittedAGtidAndWhatIsUnanswered) {
  eventlog::SessionDirectory directory(16, 2);
  int answers = 0;
  directory.on_answer([&answers] { ++answers; });
  directory.command_sent(5);
  directory.command_sent(6);
  EXPECT_EQ(directory.commands_sent(), 2u);
  EXPECT_TRUE(directory.command_unanswered(0, 2));
  EXPECT_FALSE(directory.command_unanswered(2, 2));
  directory.command_answered(5, {"0-1-1", "0-1-2"});
  EXPECT_EQ(answers, 1);
  EXPECT_EQ(directory.committer("0-1-1"), 5u);
  EXPECT_EQ(directory.committer("0-1-2"), 5u);
  EXPECT_TRUE(directory.command_unanswered(0, 2)) << "6 is still out";
  EXPECT_FALSE(directory.command_unanswered(0, 1)) << "5 was answered";
  // Bounded: the third GTID pushes out the oldest.
  directory.command_answered(6, {"0-1-3"});
  EXPECT_EQ(directory.committer("0-1-1"), std::nullopt);
  EXPECT_EQ(directory.committer("0-1-3"), 6u);
  EXPECT_FALSE(directory.command_unanswered(0, 2));
  // A connection that closes mid-command is never waited for again.
  directory.opened(eventlog::Common{.server_conn_id = 7});
  directory.command_sent(7);
  EXPECT_TRUE(directory.command_unanswered(0, 3));
  directory.closed(7);
  EXPECT_FALSE(directory.command_unanswered(0, 3));
  EXPECT_EQ(answers, 3);
}

TEST(AttributionGate, WaitsOnlyForCommandsOutstandingWhenTheTransactionCame) {
  eventlog::SessionDirectory directory;
  AttributionGate gate(directory, milliseconds{200});
  const auto t0 = Clock::now();
  // Nothing outstanding: go at once.
  EXPECT_TRUE(gate.ready("0-1-1", t0));
  // A command is out: wait; its answer names the transaction: go.
  directory.command_sent(5);
  EXPECT_FALSE(gate.ready("0-1-2", t0));
  EXPECT_FALSE(gate.ready("0-1-2", t0 + milliseconds{50}));
  directory.command_answered(5, {"0-1-2"});
  EXPECT_TRUE(gate.ready("0-1-2", t0 + milliseconds{60}));
  // Answered without naming it (a SELECT): go, the transaction was someone else's.
  directory.command_sent(5);
  EXPECT_FALSE(gate.ready("0-1-3", t0));
  directory.command_answered(5, {});
  EXPECT_TRUE(gate.ready("0-1-3", t0));
  // A command sent after the transaction arrived cannot have committed it.
  directory.command_sent(6);  // the one waited for
  EXPECT_FALSE(gate.ready("0-1-4", t0));
  directory.command_sent(5);  // later
  directory.command_answered(6, {});
  EXPECT_TRUE(gate.ready("0-1-4", t0));
  EXPECT_EQ(gate.timeouts(), 0u);
}

TEST(AttributionGate, ALongCommandDelaysTheStreamOnce) {
  eventlog::SessionDirectory directory;
  AttributionGate gate(directory, milliseconds{200});
  const auto t0 = Clock::now();
  directory.command_sent(5);  // a long SELECT
  EXPECT_FALSE(gate.ready("0-1-1", t0));
  EXPECT_FALSE(gate.ready("0-1-1", t0 + milliseconds{199}));
  EXPECT_TRUE(gate.ready("0-1-1", t0 + milliseconds{200}));
  EXPECT_EQ(gate.timeouts(), 1u);
  // The same command still runs: later transactions do not wait for it again.
  EXPECT_TRUE(gate.ready("0-1-2", t0 + milliseconds{201}));
  // But a new command does make them wait.
  directory.command_sent(6);
  EXPECT_FALSE(gate.ready("0-1-3", t0 + milliseconds{202}));
  directory.command_answered(6, {"0-1-3"});
  EXPECT_TRUE(gate.ready("0-1-3", t0 + milliseconds{203}));
  EXPECT_EQ(gate.timeouts(), 1u);
}

}  // namespace
}  // namespace gw::binlog
