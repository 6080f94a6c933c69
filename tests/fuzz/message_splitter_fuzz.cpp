// Packet framing (protocol/frame.h) and the message splitter (protocol/message_splitter.h).
// Properties:
//   * a frame header encodes back to its 4 bytes; fewer than 4 bytes are need_more;
//   * append_message() output splits back into exactly that message (length, head, sequence ids);
//   * feeding the same bytes in any chunking gives the same messages, the same wire bytes, the
//     same failure at the same place, and the wire bytes are the input, in order, except for at
//     most a partial header still pending;
//   * deferring a message and feeding again later changes none of that.
// The first byte seeds the chunking and the handler's choices (keep, defer, fail).

#include <algorithm>
#include <optional>
#include <vector>

#include "core/errors.h"
#include "fuzz_support.h"
#include "protocol/frame.h"
#include "protocol/message_splitter.h"

using namespace gw;
using namespace gw::protocol;

namespace {

struct Seen {
  std::uint8_t first_sequence_id, last_sequence_id;
  std::uint64_t length;
  std::optional<std::uint8_t> first_byte;
  Bytes head;
  friend bool operator==(const Seen&, const Seen&) = default;
};

// Keeps a head whose size depends on the message's first byte, defers each message starting
// with 0xDD once, and fails a message starting with 0xEE.
class Recorder final : public MessageHandler {
 public:
  explicit Recorder(std::uint8_t seed) : seed_(seed) {}
  Result<MessagePlan> on_message_start(const MessageStart& start) override {
    const std::uint8_t first = start.first_byte.value_or(0);
    if (first == 0xEE) return fail(session_errc::malformed_packet);
    if (first == 0xDD && !deferred_once_) {
      deferred_once_ = true;
      return MessagePlan{.keep = 0, .defer = true};
    }
    deferred_once_ = false;
    return MessagePlan{.keep = static_cast<std::size_t>((first ^ seed_) % 64), .defer = false};
  }
  void on_message_bytes(ByteView bytes) override {
    wire.insert(wire.end(), bytes.begin(), bytes.end());
  }
  Result<void> on_message_end(const Message& m) override {
    FUZZ_CHECK(m.head.size() <= m.length);
    messages.push_back({m.first_sequence_id, m.last_sequence_id, m.length, m.first_byte,
                        Bytes(m.head.begin(), m.head.end())});
    return {};
  }

  std::vector<Seen> messages;
  Bytes wire;
  std::optional<std::error_code> error;

 private:
  std::uint8_t seed_;
  bool deferred_once_ = false;
};

// Feeds `input` in chunks whose sizes come from `sizes` (cycled; 0 means the rest). The caller
// keeps unconsumed bytes and feeds them again with the next chunk, as the proxy does.
void run(ByteView input, ByteView sizes, Recorder& handler, MessageSplitter& splitter) {
  Bytes pending;
  std::size_t pos = 0, turn = 0;
  while (pos < input.size() || !pending.empty() || splitter.deferred()) {
    std::size_t n = input.size() - pos;
    if (!sizes.empty() && sizes[turn++ % sizes.size()] != 0) {
      n = std::min<std::size_t>(n, sizes[(turn - 1) % sizes.size()]);
    }
    pending.insert(pending.end(), input.begin() + pos, input.begin() + pos + n);
    pos += n;
    auto consumed = splitter.feed(ByteView(pending), handler);
    if (!consumed) {
      handler.error = consumed.error();
      return;
    }
    pending.erase(pending.begin(), pending.begin() + *consumed);
    // A deferred message is retried with nothing new (the handler accepts it the second time).
    if (!pending.empty() && pos == input.size() && *consumed == 0 && !splitter.deferred()) break;
  }
}

void check_frames(ByteView input) {
  auto header = decode_frame_header(input);
  if (input.size() < kFrameHeaderSize) {
    FUZZ_CHECK(!header && header.error() == codec_errc::need_more);
    return;
  }
  FUZZ_CHECK(header.has_value());
  Bytes out;
  encode_frame_header(*header, out);
  FUZZ_CHECK(std::equal(out.begin(), out.end(), input.begin()));
}

void check_append_message(ByteView payload, std::uint8_t seq) {
  Bytes wire;
  const std::uint8_t next = append_message(payload, seq, wire);
  MessageSplitter splitter;
  Recorder handler(0);
  run(wire, {}, handler, splitter);
  if (!payload.empty() && (payload[0] == 0xEE)) return;  // the recorder refuses those
  FUZZ_CHECK(!handler.error);
  FUZZ_CHECK(handler.messages.size() == 1);
  FUZZ_CHECK(handler.messages[0].length == payload.size());
  FUZZ_CHECK(handler.messages[0].first_sequence_id == seq);
  FUZZ_CHECK(static_cast<std::uint8_t>(handler.messages[0].last_sequence_id + 1) == next);
  FUZZ_CHECK(handler.wire == wire);
  FUZZ_CHECK(splitter.at_boundary());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t seed = in.u8();
  const ByteView sizes = in.take(seed % 16);
  const ByteView input = in.rest();

  check_frames(input);
  check_append_message(input, seed);

  MessageSplitter whole_splitter, chunked_splitter;
  Recorder whole(seed), chunked(seed);
  run(input, {}, whole, whole_splitter);
  run(input, sizes, chunked, chunked_splitter);
  FUZZ_CHECK(whole.messages == chunked.messages);
  FUZZ_CHECK(whole.wire == chunked.wire);
  FUZZ_CHECK(whole.error == chunked.error);
  FUZZ_CHECK(whole.wire.size() <= input.size());
  FUZZ_CHECK(std::equal(whole.wire.begin(), whole.wire.end(), input.begin()));
  if (!whole.error) {
    // Only a partial header (and a message's first byte) may still be pending.
    FUZZ_CHECK(input.size() - whole.wire.size() <= kFrameHeaderSize + 1);
    FUZZ_CHECK(whole_splitter.at_boundary() ==
               (whole.wire.size() == input.size() && !whole_splitter.in_message()));
  }
  return 0;
}
