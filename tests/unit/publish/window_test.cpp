// PublishWindow: what goes out, what goes again (after a reconnect, a lost or refused ack), and
// that records settle strictly in the order handed, whatever order the acks come in.

#include "publish/window.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gw::publish {
namespace {

using namespace std::chrono_literals;
using Clock = PublishWindow::Clock;

Message message(const std::string& id, bool change = false) {
  return Message{.subject = "gracewire.events.close",
                 .id = id,
                 .type = "close",
                 .body = "{}",
                 .change = change};
}

std::vector<std::string> send_all(PublishWindow& window, Clock::time_point now = Clock::now()) {
  std::vector<std::string> sent;
  while (const Message* next = window.next_to_send(now)) sent.push_back(next->id);
  return sent;
}

std::vector<std::string> settle(PublishWindow& window) {
  std::vector<std::string> settled;
  window.settle_front([&](const Message& m) { settled.push_back(m.id); });
  return settled;
}

TEST(PublishWindow, SendsInOrderAndHoldsAtMostItsCapacity) {
  PublishWindow window(3);
  window.add(message("a"));
  window.add(message("b"));
  EXPECT_FALSE(window.full());
  window.add(message("c"));
  EXPECT_TRUE(window.full());
  EXPECT_EQ(send_all(window), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(window.in_flight(), 3u);
  EXPECT_TRUE(send_all(window).empty()) << "nothing goes twice without a reason";
}

TEST(PublishWindow, SettlesOnlyFromTheFrontWhateverOrderTheAcksCome) {
  PublishWindow window(8);
  for (const char* id : {"a", "b", "c"}) window.add(message(id));
  send_all(window);
  window.acknowledged("c");
  window.acknowledged("b");
  EXPECT_TRUE(settle(window).empty()) << "a is not in the stream yet";
  window.acknowledged("a");
  EXPECT_EQ(settle(window), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(window.empty());
  EXPECT_EQ(window.in_flight(), 0u);
}

TEST(PublishWindow, AReconnectSendsEverythingUnacknowledgedAgainInOrder) {
  PublishWindow window(8);
  for (const char* id : {"a", "b", "c", "d"}) window.add(message(id));
  send_all(window);
  window.acknowledged("b");
  window.resend_all();
  EXPECT_EQ(send_all(window), (std::vector<std::string>{"a", "c", "d"}));
}

TEST(PublishWindow, OnlyAcknowledgementsOlderThanTheCutoffCountAsLost) {
  PublishWindow window(8);
  const auto start = Clock::now();
  window.add(message("old"));
  send_all(window, start);
  window.add(message("new"));
  send_all(window, start + 5s);
  EXPECT_EQ(window.resend_older_than(start + 1s), 1u);
  EXPECT_EQ(send_all(window, start + 6s), (std::vector<std::string>{"old"}));
}

TEST(PublishWindow, ARefusedMessageGoesAgainAndItsLateAckStillSettlesIt) {
  PublishWindow window(8);
  window.add(message("a"));
  window.add(message("b"));
  send_all(window);
  window.failed("a");
  EXPECT_EQ(window.in_flight(), 1u);
  EXPECT_EQ(send_all(window), (std::vector<std::string>{"a"}));
  window.acknowledged("a");
  window.acknowledged("b");
  EXPECT_EQ(settle(window), (std::vector<std::string>{"a", "b"}));
}

TEST(PublishWindow, ARecordHandedTwiceNeedsTwoAcks) {
  // A follower that resumed mid-way hands the same change again: the stream acknowledges both
  // copies (the second as a duplicate), and each settles its own entry.
  PublishWindow window(8);
  window.add(message("0-1-5:2:0", true));
  window.add(message("0-1-5:2:0", true));
  send_all(window);
  window.acknowledged("0-1-5:2:0");
  EXPECT_EQ(settle(window).size(), 1u);
  EXPECT_FALSE(window.empty());
  window.acknowledged("0-1-5:2:0");
  EXPECT_EQ(settle(window).size(), 1u);
  EXPECT_TRUE(window.empty());
  window.acknowledged("0-1-5:2:0");  // a third, late ack: ignored
  EXPECT_EQ(window.in_flight(), 0u);
}

TEST(PublishWindow, ARecordNotPublishedSettlesInItsTurn) {
  PublishWindow window(8);
  window.add(message("a"));
  window.add_settled(Message{.change = true});
  send_all(window);
  EXPECT_TRUE(settle(window).empty());
  window.acknowledged("a");
  EXPECT_EQ(settle(window).size(), 2u);
}

TEST(PublishWindow, DrainHandsBackWhatTheStreamNeverAcknowledged) {
  PublishWindow window(8);
  for (const char* id : {"a", "b", "c"}) window.add(message(id));
  send_all(window);
  window.acknowledged("b");
  std::vector<std::string> left;
  window.drain([&](const Message& m) { left.push_back(m.id); });
  EXPECT_EQ(left, (std::vector<std::string>{"a", "c"}));
  EXPECT_TRUE(window.empty());
  window.acknowledged("a");  // after the drain: nothing to settle
  EXPECT_TRUE(settle(window).empty());
}

}  // namespace
}  // namespace gw::publish
