#include "protocol/binlog/replica_commands.h"

#include <algorithm>

#include "core/byte_writer.h"
#include "protocol/constants.h"

namespace gw::protocol::binlog {

namespace {

void short_string(ByteWriter& out, std::string_view text) {
  const std::size_t length = std::min<std::size_t>(text.size(), 255);
  out.u8(static_cast<std::uint8_t>(length));
  out.string(text.substr(0, length));
}

}  // namespace

Bytes encode_register_replica(const RegisterReplica& command) {
  Bytes payload;
  ByteWriter out(payload);
  out.u8(static_cast<std::uint8_t>(Command::RegisterSlave));
  out.u32(command.server_id);
  short_string(out, command.hostname);
  short_string(out, {});  // report_user
  short_string(out, {});  // report_password
  out.u16(command.port);
  out.u32(0);  // replication rank
  out.u32(0);  // master_id
  return payload;
}

Bytes encode_binlog_dump(const BinlogDump& command) {
  Bytes payload;
  ByteWriter out(payload);
  out.u8(static_cast<std::uint8_t>(Command::BinlogDump));
  out.u32(command.position);
  out.u16(command.flags);
  out.u32(command.server_id);
  out.string(command.file);
  return payload;
}

}  // namespace gw::protocol::binlog
