#include "protocol/connect_attributes.h"

#include "core/errors.h"

namespace gw::protocol::detail {

void read_connect_attributes(ByteReader& reader, ConnectAttributes& out) {
  const std::uint64_t length = reader.lenenc();
  if (!reader.ok()) return;
  if (length > reader.remaining()) {
    reader.set_error(codec_errc::need_more);
    return;
  }
  ByteReader block(reader.bytes(static_cast<std::size_t>(length)));
  while (block.ok() && !block.empty()) {
    const std::string_view key = block.lenenc_string();
    const std::string_view value = block.lenenc_string();
    if (block.ok()) out.emplace_back(key, value);
  }
  if (!block.ok()) {
    reader.set_error(block.error() == codec_errc::need_more
                         ? std::error_code(codec_errc::invalid_length)
                         : block.error());
  }
}

void write_connect_attributes(const ConnectAttributes& attributes, ByteWriter& writer) {
  Bytes block;
  ByteWriter block_writer(block);
  for (const auto& [key, value] : attributes) {
    block_writer.lenenc_string(key);
    block_writer.lenenc_string(value);
  }
  writer.lenenc(block.size());
  writer.bytes(block);
}

}  // namespace gw::protocol::detail
