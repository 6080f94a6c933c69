#include "protocol/handshake.h"

#include <algorithm>

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/errors.h"
#include "protocol/connect_attributes.h"
#include "protocol/constants.h"

namespace gw::protocol {
namespace {

constexpr std::uint8_t kProtocolVersion10 = 10;
constexpr std::size_t kScramblePart1Size = 8;
constexpr std::size_t kScramblePart2MinSize = 13;  // 12 scramble bytes and a NUL
constexpr std::size_t kGreetingReservedSize = 6;   // before the 4 bytes of extended caps
constexpr std::size_t kResponseReservedSize = 19;  // likewise

// Capability words as they travel: the low 32 bits, plus the MariaDB extended word, which only
// means something when CLIENT_MYSQL is clear.
std::uint64_t join_capabilities(std::uint32_t low, std::uint32_t extended) {
  std::uint64_t caps = low;
  if ((caps & cap::kMysql) == 0) caps |= static_cast<std::uint64_t>(extended) << 32;
  return caps;
}
std::uint32_t extended_word(std::uint64_t caps) {
  return (caps & cap::kMysql) != 0 ? 0 : static_cast<std::uint32_t>(caps >> 32);
}

// The 32 bytes shared by SSLRequest and HandshakeResponse41.
struct ResponseHead {
  std::uint64_t capabilities = 0;
  std::uint32_t max_packet_size = 0;
  std::uint8_t charset = 0;
};

std::error_code read_response_head(ByteReader& reader, ResponseHead& head) {
  // A 3.20 client sends 2 capability bytes; CLIENT_PROTOCOL_41 sits in the low 16 bits, so
  // that is enough to turn it away before asking for more bytes.
  const std::uint16_t low16 = reader.u16();
  if (!reader.ok()) return reader.error();
  if ((low16 & cap::kProtocol41) == 0) return codec_errc::unsupported;
  const std::uint32_t low = low16 | (static_cast<std::uint32_t>(reader.u16()) << 16);
  head.max_packet_size = reader.u32();
  head.charset = reader.u8();
  reader.skip(kResponseReservedSize);
  head.capabilities = join_capabilities(low, reader.u32());
  return reader.error();
}

void write_response_head(const ResponseHead& head, ByteWriter& writer) {
  writer.u32(static_cast<std::uint32_t>(head.capabilities));
  writer.u32(head.max_packet_size);
  writer.u8(head.charset);
  writer.zeros(kResponseReservedSize);
  writer.u32(extended_word(head.capabilities));
}

void read_auth_response(ByteReader& reader, std::uint64_t caps, std::string& out) {
  if ((caps & cap::kPluginAuthLenencData) != 0) {
    out = reader.lenenc_string();
  } else if ((caps & cap::kSecureConnection) != 0) {
    out = reader.string(reader.u8());
  } else {
    out = reader.null_terminated();
  }
}

void write_auth_response(std::string_view auth, std::uint64_t caps, ByteWriter& writer) {
  if ((caps & cap::kPluginAuthLenencData) != 0) {
    writer.lenenc_string(auth);
  } else if ((caps & cap::kSecureConnection) != 0) {
    auth = auth.substr(0, 0xff);
    writer.u8(static_cast<std::uint8_t>(auth.size()));
    writer.string(auth);
  } else {
    writer.null_terminated(auth);
  }
}

}  // namespace

Result<Greeting> decode_greeting(ByteView payload) {
  ByteReader reader(payload);
  if (reader.empty()) return fail(codec_errc::need_more);
  if (reader.peek() == kErrHeader) return fail(codec_errc::unexpected_message);
  Greeting greeting;
  greeting.protocol_version = reader.u8();
  if (greeting.protocol_version != kProtocolVersion10) return fail(codec_errc::unsupported);
  greeting.server_version = reader.null_terminated();
  greeting.connection_id = reader.u32();
  greeting.auth_data = reader.string(kScramblePart1Size);
  reader.skip(1);  // filler
  const std::uint16_t caps_low = reader.u16();
  greeting.charset = reader.u8();
  greeting.status = reader.u16();
  const std::uint16_t caps_high = reader.u16();
  const std::uint8_t auth_data_length = reader.u8();
  reader.skip(kGreetingReservedSize);
  greeting.capabilities =
      join_capabilities(caps_low | (static_cast<std::uint32_t>(caps_high) << 16), reader.u32());
  if ((greeting.capabilities & cap::kSecureConnection) != 0) {
    // max(13, auth_data_length - 8): the length byte counts part 1 and the NUL. Without
    // CLIENT_PLUGIN_AUTH the byte is filler (0 on the wire, and encode writes 0).
    const std::size_t length =
        (greeting.capabilities & cap::kPluginAuth) != 0 ? auth_data_length : 0;
    const std::size_t part2_size = length > kScramblePart1Size + kScramblePart2MinSize
                                       ? length - kScramblePart1Size
                                       : kScramblePart2MinSize;
    std::string_view part2 = reader.string(part2_size);
    if (!part2.empty() && part2.back() == '\0') part2.remove_suffix(1);
    greeting.auth_data += part2;
  }
  if ((greeting.capabilities & cap::kPluginAuth) != 0) {
    greeting.auth_plugin = reader.null_terminated();
  }
  if (!reader.ok()) return fail(reader.error());
  return greeting;  // bytes after the plugin name are ignored (see handshake.h)
}

void encode_greeting(const Greeting& greeting, Bytes& out) {
  ByteWriter writer(out);
  const std::uint64_t caps = greeting.capabilities;
  const std::string_view auth = greeting.auth_data;
  const std::string_view part1 = auth.substr(0, kScramblePart1Size);
  const std::string_view part2 = auth.substr(part1.size());
  writer.u8(greeting.protocol_version);
  writer.null_terminated(greeting.server_version);
  writer.u32(greeting.connection_id);
  writer.string(part1);
  writer.zeros(kScramblePart1Size - part1.size());
  writer.u8(0);  // filler
  writer.u16(static_cast<std::uint16_t>(caps));
  writer.u8(greeting.charset);
  writer.u16(greeting.status);
  writer.u16(static_cast<std::uint16_t>(caps >> 16));
  const bool plugin_auth = (caps & cap::kPluginAuth) != 0;
  writer.u8(plugin_auth ? static_cast<std::uint8_t>(std::min<std::size_t>(auth.size() + 1, 0xff))
                        : 0);
  writer.zeros(kGreetingReservedSize);
  writer.u32(extended_word(caps));
  if ((caps & cap::kSecureConnection) != 0) {
    writer.string(part2);
    writer.zeros(part2.size() + 1 < kScramblePart2MinSize ? kScramblePart2MinSize - part2.size()
                                                          : 1);
  }
  if (plugin_auth) writer.null_terminated(greeting.auth_plugin);
}

bool is_ssl_request(ByteView payload) {
  if (payload.size() != kSslRequestSize) return false;
  ByteReader reader(payload);
  const std::uint32_t caps = reader.u32();
  return (caps & cap::kProtocol41) != 0 && (caps & cap::kSsl) != 0;
}

Result<SslRequest> decode_ssl_request(ByteView payload) {
  ByteReader reader(payload);
  ResponseHead head;
  if (auto ec = read_response_head(reader, head)) return fail(ec);
  if ((head.capabilities & cap::kSsl) == 0) return fail(codec_errc::unexpected_message);
  if (!reader.empty()) return fail(codec_errc::trailing_bytes);
  return SslRequest{head.capabilities, head.max_packet_size, head.charset};
}

void encode_ssl_request(const SslRequest& request, Bytes& out) {
  ByteWriter writer(out);
  write_response_head({request.capabilities, request.max_packet_size, request.charset}, writer);
}

Result<HandshakeResponse> decode_handshake_response(ByteView payload) {
  ByteReader reader(payload);
  ResponseHead head;
  if (auto ec = read_response_head(reader, head)) return fail(ec);
  HandshakeResponse response;
  response.capabilities = head.capabilities;
  response.max_packet_size = head.max_packet_size;
  response.charset = head.charset;
  const std::uint64_t caps = head.capabilities;
  response.user = reader.null_terminated();
  read_auth_response(reader, caps, response.auth_response);
  // Each optional field is present when its bit is set and the payload has not ended.
  if ((caps & cap::kConnectWithDb) != 0 && reader.ok() && !reader.empty()) {
    response.schema = reader.null_terminated();
    response.has_schema = true;
  }
  if ((caps & cap::kPluginAuth) != 0 && reader.ok() && !reader.empty()) {
    response.auth_plugin = reader.null_terminated();
    response.has_auth_plugin = true;
  }
  if ((caps & cap::kConnectAttrs) != 0 && reader.ok() && !reader.empty()) {
    detail::read_connect_attributes(reader, response.attributes);
    response.has_attributes = true;
  }
  if ((caps & cap::kZstdCompression) != 0 && reader.ok() && !reader.empty()) {
    response.zstd_compression_level = reader.u8();
  }
  if (!reader.ok()) return fail(reader.error());
  if (!reader.empty()) return fail(codec_errc::trailing_bytes);
  return response;
}

void encode_handshake_response(const HandshakeResponse& response, Bytes& out) {
  ByteWriter writer(out);
  const std::uint64_t caps = response.capabilities;
  write_response_head({caps, response.max_packet_size, response.charset}, writer);
  writer.null_terminated(response.user);
  write_auth_response(response.auth_response, caps, writer);
  // Once a field whose bit is set is left out, nothing may follow it.
  bool open = true;
  auto wants = [&](std::uint64_t bit, bool present) {
    if (!open || (caps & bit) == 0) return false;
    open = present;
    return present;
  };
  if (wants(cap::kConnectWithDb, response.has_schema)) writer.null_terminated(response.schema);
  if (wants(cap::kPluginAuth, response.has_auth_plugin)) {
    writer.null_terminated(response.auth_plugin);
  }
  if (wants(cap::kConnectAttrs, response.has_attributes)) {
    detail::write_connect_attributes(response.attributes, writer);
  }
  if (wants(cap::kZstdCompression, response.zstd_compression_level.has_value())) {
    writer.u8(*response.zstd_compression_level);
  }
}

}  // namespace gw::protocol
