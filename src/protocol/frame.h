#pragma once
// Packet framing (MySQL "Protocol::Packet"):
//   int<3> payload_length   0 .. 0xFFFFFF
//   int<1> sequence_id      increments per packet within one exchange, wraps at 256
//   payload_length bytes
// A logical message of N >= 0xFFFFFF bytes travels as floor(N / 0xFFFFFF) packets of 0xFFFFFF
// bytes followed by one packet of N % 0xFFFFFF bytes (empty when N is a multiple).

#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol {

inline constexpr std::size_t kFrameHeaderSize = 4;

struct FrameHeader {
  std::uint32_t payload_length = 0;
  std::uint8_t sequence_id = 0;
  friend bool operator==(const FrameHeader&, const FrameHeader&) = default;
};

// need_more when fewer than 4 bytes are given.
[[nodiscard]] Result<FrameHeader> decode_frame_header(ByteView bytes);
void encode_frame_header(const FrameHeader& header, gw::Bytes& out);

// Appends `payload` as one logical message starting at `first_sequence_id`, split into packets
// as the protocol requires. Returns the sequence id the next packet of the exchange must carry.
std::uint8_t append_message(ByteView payload, std::uint8_t first_sequence_id, gw::Bytes& out);

}  // namespace gw::protocol
