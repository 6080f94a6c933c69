#include "protocol/frame.h"

#include <algorithm>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "protocol/constants.h"

namespace gw::protocol {

Result<FrameHeader> decode_frame_header(ByteView bytes) {
  ByteReader reader(bytes);
  FrameHeader header;
  header.payload_length = reader.u24();
  header.sequence_id = reader.u8();
  if (!reader.ok()) return fail(reader.error());
  return header;
}

void encode_frame_header(const FrameHeader& header, Bytes& out) {
  ByteWriter writer(out);
  writer.u24(header.payload_length);
  writer.u8(header.sequence_id);
}

std::uint8_t append_message(ByteView payload, std::uint8_t first_sequence_id, Bytes& out) {
  std::uint8_t sequence_id = first_sequence_id;
  std::size_t offset = 0;
  while (true) {
    const std::size_t chunk = std::min<std::size_t>(payload.size() - offset, kMaxPacketPayload);
    encode_frame_header({static_cast<std::uint32_t>(chunk), sequence_id++}, out);
    out.insert(out.end(), payload.begin() + static_cast<std::ptrdiff_t>(offset),
               payload.begin() + static_cast<std::ptrdiff_t>(offset + chunk));
    offset += chunk;
    // A full packet always announces another one, even an empty one.
    if (chunk < kMaxPacketPayload) return sequence_id;
  }
}

}  // namespace gw::protocol
