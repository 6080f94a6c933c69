#include "protocol/message_splitter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol {
namespace {

// Records what the splitter reports; keeps `keep` head bytes of every message.
class Recorder : public MessageHandler {
 public:
  explicit Recorder(std::size_t keep = 64) : keep_(keep) {}

  Result<MessagePlan> on_message_start(const MessageStart& start) override {
    starts.push_back(start);
    if (defer_next) {
      defer_next = false;
      return MessagePlan{.keep = 0, .defer = true};
    }
    return MessagePlan{.keep = keep_};
  }
  void on_message_bytes(ByteView bytes) override {
    wire.insert(wire.end(), bytes.begin(), bytes.end());
  }
  Result<void> on_message_end(const Message& message) override {
    ends.push_back({message.first_sequence_id, message.last_sequence_id, message.length,
                    Bytes(message.head.begin(), message.head.end())});
    return {};
  }

  struct End {
    std::uint8_t first_seq, last_seq;
    std::uint64_t length;
    Bytes head;
  };
  std::vector<MessageStart> starts;
  std::vector<End> ends;
  Bytes wire;
  bool defer_next = false;

 private:
  std::size_t keep_;
};

const Bytes kComQuery = {0x09, 0x00, 0x00, 0x00, 0x03, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'};
const Bytes kComQuit = {0x01, 0x00, 0x00, 0x00, 0x01};

TEST(MessageSplitter, ReportsOneMessageAndPassesEveryByte) {
  MessageSplitter splitter;
  Recorder recorder;
  auto consumed = splitter.feed(kComQuery, recorder);
  ASSERT_TRUE(consumed);
  EXPECT_EQ(*consumed, kComQuery.size());
  ASSERT_EQ(recorder.starts.size(), 1u);
  EXPECT_EQ(recorder.starts[0].first_byte, 0x03);
  ASSERT_EQ(recorder.ends.size(), 1u);
  EXPECT_EQ(recorder.ends[0].length, 9u);
  EXPECT_EQ(recorder.ends[0].head, Bytes(kComQuery.begin() + 4, kComQuery.end()));
  EXPECT_EQ(recorder.wire, kComQuery);
  EXPECT_TRUE(splitter.at_boundary());
}

// An SSLRequest is followed at once by the client's TLS ClientHello, often in the same read:
// not one byte of it may be taken for a packet header.
TEST(MessageSplitter, StopsRightAfterAMessageWhenAskedFromItsEnd) {
  class Stopper : public Recorder {
   public:
    MessageSplitter* splitter = nullptr;
    Result<void> on_message_end(const Message& message) override {
      splitter->stop_after_message();
      return Recorder::on_message_end(message);
    }
  };
  MessageSplitter splitter;
  Stopper stopper;
  stopper.splitter = &splitter;
  Bytes input = kComQuery;
  const Bytes tls = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};  // a ClientHello's first bytes
  input.insert(input.end(), tls.begin(), tls.end());
  auto consumed = splitter.feed(input, stopper);
  ASSERT_TRUE(consumed);
  EXPECT_EQ(*consumed, kComQuery.size());
  EXPECT_EQ(stopper.ends.size(), 1u);
  EXPECT_EQ(stopper.starts.size(), 1u) << "the next header was not read";
  EXPECT_TRUE(splitter.at_boundary());
  EXPECT_EQ(stopper.wire, kComQuery);
}

TEST(MessageSplitter, AWipedHeadLeavesNothingOfTheMessageInMemory) {
  class Wiper : public Recorder {
   public:
    MessageSplitter* splitter = nullptr;
    ByteView kept;
    Result<void> on_message_end(const Message& message) override {
      auto recorded = Recorder::on_message_end(message);
      splitter->wipe_head();
      kept = message.head;  // the splitter's own buffer
      return recorded;
    }
  };
  MessageSplitter splitter;
  Wiper wiper;
  wiper.splitter = &splitter;
  ASSERT_TRUE(splitter.feed(kComQuery, wiper));
  ASSERT_EQ(wiper.kept.size(), kComQuery.size() - 4);
  EXPECT_TRUE(std::all_of(wiper.kept.begin(), wiper.kept.end(), [](auto b) { return b == 0; }));
  EXPECT_EQ(wiper.ends[0].head, Bytes(kComQuery.begin() + 4, kComQuery.end())) << "used first";
}

TEST(MessageSplitter, ByteByByteGivesTheSameResultAndEveryPrefixIsIncomplete) {
  Bytes two = kComQuery;
  two.insert(two.end(), kComQuit.begin(), kComQuit.end());
  MessageSplitter splitter;
  Recorder recorder;
  for (std::size_t i = 0; i < two.size(); ++i) {
    if (i < kComQuery.size()) {
      EXPECT_TRUE(recorder.ends.empty()) << "after " << i << " bytes";
    }
    ASSERT_EQ(*splitter.feed(ByteView(two).subspan(i, 1), recorder), 1u);
  }
  ASSERT_EQ(recorder.ends.size(), 2u);
  EXPECT_EQ(recorder.ends[1].head, Bytes{0x01});
  EXPECT_EQ(recorder.wire, two);
}

TEST(MessageSplitter, EmptyPacketIsAnEmptyMessage) {
  // LOAD DATA LOCAL INFILE ends with an empty packet from the client.
  const Bytes empty = {0x00, 0x00, 0x00, 0x05};
  MessageSplitter splitter;
  Recorder recorder;
  ASSERT_EQ(*splitter.feed(empty, recorder), 4u);
  ASSERT_EQ(recorder.ends.size(), 1u);
  EXPECT_FALSE(recorder.starts[0].first_byte.has_value());
  EXPECT_EQ(recorder.ends[0].length, 0u);
  EXPECT_EQ(recorder.ends[0].first_seq, 5);
}

Bytes max_payload_then_empty(std::uint8_t seq) {
  Bytes wire;
  append_message(Bytes(kMaxPacketPayload, 0x5a), seq, wire);
  return wire;
}

TEST(MessageSplitter, JoinsMaxPayloadPacketWithTheEmptyPacketThatEndsIt) {
  const Bytes wire = max_payload_then_empty(0);
  MessageSplitter splitter;
  Recorder recorder(16);
  ASSERT_EQ(*splitter.feed(wire, recorder), wire.size());
  ASSERT_EQ(recorder.ends.size(), 1u);
  EXPECT_EQ(recorder.ends[0].length, kMaxPacketPayload);
  EXPECT_EQ(recorder.ends[0].first_seq, 0);
  EXPECT_EQ(recorder.ends[0].last_seq, 1);
  EXPECT_EQ(recorder.ends[0].head, Bytes(16, 0x5a));  // only the head is kept
  EXPECT_EQ(recorder.wire.size(), wire.size());
}

TEST(MessageSplitter, MessageIsNotCompleteUntilTheTerminatingEmptyPacket) {
  const Bytes wire = max_payload_then_empty(0);
  MessageSplitter splitter;
  Recorder recorder(0);
  const std::size_t without_last_header = wire.size() - kFrameHeaderSize;
  ASSERT_EQ(*splitter.feed(ByteView(wire).first(without_last_header), recorder),
            without_last_header);
  EXPECT_TRUE(recorder.ends.empty());
  EXPECT_TRUE(splitter.in_message());
  ASSERT_EQ(*splitter.feed(ByteView(wire).subspan(without_last_header), recorder),
            kFrameHeaderSize);
  EXPECT_EQ(recorder.ends.size(), 1u);
}

TEST(MessageSplitter, WrongSequenceInContinuationPacketIsAnError) {
  Bytes wire = max_payload_then_empty(0);
  wire.back() = 7;  // the empty packet should carry sequence id 1
  MessageSplitter splitter;
  Recorder recorder(0);
  auto consumed = splitter.feed(wire, recorder);
  ASSERT_FALSE(consumed);
  EXPECT_EQ(consumed.error(), session_errc::bad_sequence);
}

TEST(MessageSplitter, DeferredMessageIsOfferedAgainOnTheNextFeed) {
  Bytes two = kComQuery;
  two.insert(two.end(), kComQuit.begin(), kComQuit.end());
  MessageSplitter splitter;
  Recorder recorder;
  ASSERT_EQ(*splitter.feed(two, recorder), two.size());
  ASSERT_EQ(recorder.ends.size(), 2u);

  MessageSplitter deferring;
  Recorder later;
  later.defer_next = true;
  auto consumed = deferring.feed(two, later);
  ASSERT_TRUE(consumed);
  EXPECT_EQ(*consumed, 5u);  // header and first byte are held by the splitter
  EXPECT_TRUE(later.ends.empty());
  EXPECT_TRUE(deferring.deferred());
  ASSERT_EQ(*deferring.feed(ByteView(two).subspan(*consumed), later), two.size() - 5);
  EXPECT_EQ(later.ends.size(), 2u);
  EXPECT_FALSE(deferring.deferred());
  EXPECT_EQ(later.wire, two);
}

}  // namespace
}  // namespace gw::protocol
