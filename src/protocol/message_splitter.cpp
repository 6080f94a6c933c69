#include "protocol/message_splitter.h"

#include <algorithm>
#include <utility>

#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol {

namespace {
constexpr std::size_t kRetainedHeadCapacity = std::size_t{64} << 10;
}  // namespace

bool MessageSplitter::fill_pending(ByteView input, std::size_t& pos, std::size_t want) {
  const std::size_t take = std::min(want - std::min(want, pending_size_), input.size() - pos);
  std::copy_n(input.begin() + static_cast<std::ptrdiff_t>(pos), take, pending_ + pending_size_);
  pending_size_ += take;
  pos += take;
  return pending_size_ >= want;
}

void MessageSplitter::keep_head(ByteView payload) {
  if (head_.size() >= keep_) return;
  const std::size_t take = std::min(payload.size(), keep_ - head_.size());
  head_.insert(head_.end(), payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(take));
}

Result<bool> MessageSplitter::start_message(const FrameHeader& header, MessageHandler& handler) {
  MessageStart start{header, std::nullopt};
  if (header.payload_length > 0) start.first_byte = pending_[kFrameHeaderSize];
  auto plan = handler.on_message_start(start);
  if (!plan) return fail(plan.error());
  deferred_ = plan->defer;
  if (deferred_) return false;

  in_message_ = true;
  first_byte_ = start.first_byte;
  keep_ = plan->keep;
  head_.clear();
  first_sequence_id_ = last_sequence_id_ = header.sequence_id;
  message_length_ = packet_length_ = header.payload_length;
  const std::size_t first_bytes = start.first_byte ? 1 : 0;
  packet_remaining_ = header.payload_length - static_cast<std::uint32_t>(first_bytes);
  handler.on_message_bytes({pending_, pending_size_});
  keep_head({pending_ + kFrameHeaderSize, first_bytes});
  pending_size_ = 0;
  return true;
}

Result<void> MessageSplitter::continue_message(const FrameHeader& header, MessageHandler& handler) {
  if (header.sequence_id != static_cast<std::uint8_t>(last_sequence_id_ + 1)) {
    return fail(session_errc::bad_sequence);
  }
  last_sequence_id_ = header.sequence_id;
  message_length_ += header.payload_length;
  packet_length_ = packet_remaining_ = header.payload_length;
  handler.on_message_bytes({pending_, pending_size_});
  pending_size_ = 0;
  return {};
}

void MessageSplitter::wipe_head() {
  // Through a volatile pointer: a plain fill of memory about to be reused may be optimised away.
  volatile std::uint8_t* bytes = head_.data();
  for (std::size_t i = 0; i < head_.size(); ++i) bytes[i] = 0;
}

Result<std::size_t> MessageSplitter::feed(ByteView input, MessageHandler& handler) {
  std::size_t pos = 0;
  while (true) {
    if (phase_ == Phase::Header) {
      if (!fill_pending(input, pos, kFrameHeaderSize)) return pos;
      const FrameHeader header = *decode_frame_header({pending_, kFrameHeaderSize});
      if (in_message_) {
        if (auto r = continue_message(header, handler); !r) return fail(r.error());
      } else {
        const std::size_t want = kFrameHeaderSize + (header.payload_length > 0 ? 1 : 0);
        if (!fill_pending(input, pos, want)) return pos;
        auto started = start_message(header, handler);
        if (!started) return fail(started.error());
        if (!*started) return pos;  // deferred: pending bytes stay for the next feed
      }
      phase_ = Phase::Payload;
    }

    const std::size_t take = std::min<std::size_t>(packet_remaining_, input.size() - pos);
    if (take > 0) {
      const ByteView payload = input.subspan(pos, take);
      keep_head(payload);
      handler.on_message_bytes(payload);
      pos += take;
      packet_remaining_ -= static_cast<std::uint32_t>(take);
    }
    if (packet_remaining_ > 0) return pos;

    phase_ = Phase::Header;
    if (packet_length_ == kMaxPacketPayload) continue;  // another packet of this message follows
    in_message_ = false;
    const Message message{first_sequence_id_, last_sequence_id_, message_length_, first_byte_,
                          head_};
    auto ended = handler.on_message_end(message);
    // A large head (a held 16 MiB command) is not kept for the next message.
    if (head_.capacity() > kRetainedHeadCapacity) Bytes().swap(head_);
    if (!ended) return fail(ended.error());
    if (std::exchange(stop_, false)) return pos;
  }
}

}  // namespace gw::protocol
