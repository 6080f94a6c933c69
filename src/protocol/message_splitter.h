#pragma once
// MessageSplitter walks one direction of a connection and reports logical message boundaries
// while the bytes themselves stream on: a 64 MiB row passes through with O(1) state plus the
// head its consumer asked to keep. Packets of 0xFFFFFF bytes are joined into one message.
//
//   header(4) [first byte] --on_message_start--> plan (keep N head bytes, or defer)
//   every wire byte of the message, headers included, in order --> on_message_bytes
//   last packet (< 0xFFFFFF) complete --> on_message_end(message with its head)
//
// The splitter never allocates from a length field: it keeps at most 5 pending bytes plus the
// head its consumer asked for.

#include <cstdint>
#include <optional>

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/frame.h"

namespace gw::protocol {

struct MessageStart {
  FrameHeader header;                      // the first packet's header
  std::optional<std::uint8_t> first_byte;  // absent when the first packet is empty
};

struct MessagePlan {
  std::size_t keep = 0;  // payload bytes to keep as the message's head
  bool defer = false;    // stop before this message; feed() again later to retry it
};

struct Message {
  std::uint8_t first_sequence_id = 0;
  std::uint8_t last_sequence_id = 0;
  std::uint64_t length = 0;                // logical payload length, all packets joined
  std::optional<std::uint8_t> first_byte;  // kept even when the head is not
  ByteView head;                           // the first min(length, keep) payload bytes
  bool whole() const { return head.size() == length; }
};

class MessageHandler {
 public:
  virtual ~MessageHandler() = default;
  virtual Result<MessagePlan> on_message_start(const MessageStart& start) = 0;
  virtual void on_message_bytes(ByteView wire_bytes) = 0;
  virtual Result<void> on_message_end(const Message& message) = 0;
};

class MessageSplitter {
 public:
  // Consumes input until it is used up, a message is deferred or the handler fails. Returns how
  // many bytes of `input` were consumed; the caller keeps the rest and feeds it again later.
  [[nodiscard]] Result<std::size_t> feed(ByteView input, MessageHandler& handler);

  // True between messages with nothing buffered.
  bool at_boundary() const { return !in_message_ && pending_size_ == 0; }
  bool in_message() const { return in_message_; }
  // True while the consumer has deferred the next message.
  bool deferred() const { return deferred_; }
  // Called from on_message_end: feed() returns right after this message, before reading a byte
  // of the next (the bytes after an SSLRequest are TLS, not packets).
  void stop_after_message() { stop_ = true; }
  // Overwrites the kept head of the message just ended (an authentication answer may be a
  // password): from on_message_end, once it has been used.
  void wipe_head();

 private:
  enum class Phase {
    Header,   // collecting a packet header (and a message's first byte)
    Payload,  // passing the current packet's payload through
  };
  // Moves bytes from input into pending_ until it holds `want`; false if input ran out.
  bool fill_pending(ByteView input, std::size_t& pos, std::size_t want);
  [[nodiscard]] Result<bool> start_message(const FrameHeader& header, MessageHandler& handler);
  [[nodiscard]] Result<void> continue_message(const FrameHeader& header, MessageHandler& handler);
  void keep_head(ByteView payload);

  Phase phase_ = Phase::Header;
  std::uint8_t pending_[kFrameHeaderSize + 1] = {};
  std::size_t pending_size_ = 0;
  bool in_message_ = false;
  bool deferred_ = false;
  bool stop_ = false;
  std::uint32_t packet_length_ = 0;
  std::uint32_t packet_remaining_ = 0;
  std::uint8_t first_sequence_id_ = 0;
  std::uint8_t last_sequence_id_ = 0;
  std::uint64_t message_length_ = 0;
  std::optional<std::uint8_t> first_byte_;
  std::size_t keep_ = 0;
  gw::Bytes head_;
};

}  // namespace gw::protocol
