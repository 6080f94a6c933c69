#pragma once
// Connection attributes block, shared by HandshakeResponse41 and COM_CHANGE_USER when
// CLIENT_CONNECT_ATTRS is set (MySQL "page_protocol_connection_phase_packets_protocol_handshake_
// response"; MariaDB KB "Connection"):
//   int<lenenc>      length of the block
//   repeated until the block is used up:
//     string<lenenc> key
//     string<lenenc> value
// Internal to the protocol library.

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "protocol/handshake.h"

namespace gw::protocol::detail {

// A block running past the payload is need_more; a pair running past the block (whose own
// length said it was complete) is invalid_length. Errors go to the reader's sticky error.
void read_connect_attributes(ByteReader& reader, ConnectAttributes& out);
void write_connect_attributes(const ConnectAttributes& attributes, ByteWriter& writer);

}  // namespace gw::protocol::detail
