#include "protocol/commands.h"

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/errors.h"
#include "protocol/connect_attributes.h"

namespace gw::protocol {
namespace {

// Reads the command byte: need_more on an empty payload, unexpected_message on another command.
bool read_command(ByteReader& reader, Command expected) {
  if (reader.empty()) {
    reader.set_error(codec_errc::need_more);
    return false;
  }
  if (reader.u8() != static_cast<std::uint8_t>(expected)) {
    reader.set_error(codec_errc::unexpected_message);
    return false;
  }
  return true;
}

// The final check of a fixed-size command.
template <typename T>
Result<T> finish(const ByteReader& reader, T value) {
  if (!reader.ok()) return fail(reader.error());
  if (!reader.empty()) return fail(codec_errc::trailing_bytes);
  return value;
}

}  // namespace

Result<ChangeUser> decode_change_user(ByteView payload, std::uint64_t capabilities) {
  ByteReader reader(payload);
  read_command(reader, Command::ChangeUser);
  ChangeUser change;
  change.user = reader.null_terminated();
  if ((capabilities & cap::kSecureConnection) != 0) {
    change.auth_response = reader.string(reader.u8());
  } else {
    change.auth_response = reader.null_terminated();
  }
  change.schema = reader.null_terminated();
  auto more = [&reader] { return reader.ok() && !reader.empty(); };
  if ((capabilities & cap::kProtocol41) != 0 && more()) {
    change.charset = reader.u16();
    change.has_charset = true;
  }
  if ((capabilities & cap::kPluginAuth) != 0 && change.has_charset && more()) {
    change.auth_plugin = reader.null_terminated();
    change.has_auth_plugin = true;
  }
  if ((capabilities & cap::kConnectAttrs) != 0 && change.has_charset && more()) {
    detail::read_connect_attributes(reader, change.attributes);
    change.has_attributes = true;
  }
  return finish(reader, std::move(change));
}

void encode_change_user(const ChangeUser& change, std::uint64_t capabilities, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(Command::ChangeUser));
  writer.null_terminated(change.user);
  if ((capabilities & cap::kSecureConnection) != 0) {
    const std::string_view auth = std::string_view(change.auth_response).substr(0, 0xff);
    writer.u8(static_cast<std::uint8_t>(auth.size()));
    writer.string(auth);
  } else {
    writer.null_terminated(change.auth_response);
  }
  writer.null_terminated(change.schema);
  if ((capabilities & cap::kProtocol41) == 0 || !change.has_charset) return;
  writer.u16(change.charset);
  // Once a field whose bit is set is left out, nothing may follow it.
  if ((capabilities & cap::kPluginAuth) != 0) {
    if (!change.has_auth_plugin) return;
    writer.null_terminated(change.auth_plugin);
  }
  if ((capabilities & cap::kConnectAttrs) != 0 && change.has_attributes) {
    detail::write_connect_attributes(change.attributes, writer);
  }
}

Result<StmtExecute> decode_stmt_execute(ByteView payload) {
  ByteReader reader(payload);
  read_command(reader, Command::StmtExecute);
  StmtExecute execute;
  execute.statement_id = reader.u32();
  execute.flags = reader.u8();
  execute.iterations = reader.u32();
  if (!reader.ok()) return fail(reader.error());
  return execute;
}

void encode_stmt_execute(const StmtExecute& execute, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(Command::StmtExecute));
  writer.u32(execute.statement_id);
  writer.u8(execute.flags);
  writer.u32(execute.iterations);
}

Result<StmtFetch> decode_stmt_fetch(ByteView payload) {
  ByteReader reader(payload);
  read_command(reader, Command::StmtFetch);
  StmtFetch fetch;
  fetch.statement_id = reader.u32();
  fetch.rows = reader.u32();
  return finish(reader, fetch);
}

void encode_stmt_fetch(const StmtFetch& fetch, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(Command::StmtFetch));
  writer.u32(fetch.statement_id);
  writer.u32(fetch.rows);
}

Result<std::uint32_t> decode_statement_id(ByteView payload) {
  if (payload.empty()) return fail(codec_errc::need_more);
  switch (static_cast<Command>(payload[0])) {
    case Command::StmtClose:
    case Command::StmtReset: {
      ByteReader reader(payload.subspan(1));
      const std::uint32_t id = reader.u32();
      return finish(reader, id);
    }
    case Command::StmtSendLongData: {
      auto long_data = decode_stmt_send_long_data(payload);
      if (!long_data) return fail(long_data.error());
      return long_data->statement_id;
    }
    default:
      return fail(codec_errc::unexpected_message);
  }
}

void encode_statement_command(Command command, std::uint32_t statement_id, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(command));
  writer.u32(statement_id);
}

Result<StmtSendLongData> decode_stmt_send_long_data(ByteView payload) {
  ByteReader reader(payload);
  read_command(reader, Command::StmtSendLongData);
  StmtSendLongData long_data;
  long_data.statement_id = reader.u32();
  long_data.param_id = reader.u16();
  long_data.data = reader.rest_string();
  if (!reader.ok()) return fail(reader.error());
  return long_data;
}

void encode_stmt_send_long_data(const StmtSendLongData& long_data, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(Command::StmtSendLongData));
  writer.u32(long_data.statement_id);
  writer.u16(long_data.param_id);
  writer.string(long_data.data);
}

Result<std::uint32_t> decode_process_kill(ByteView payload) {
  ByteReader reader(payload);
  read_command(reader, Command::ProcessKill);
  const std::uint32_t id = reader.u32();
  return finish(reader, id);
}

void encode_process_kill(std::uint32_t connection_id, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(Command::ProcessKill));
  writer.u32(connection_id);
}

Result<std::uint16_t> decode_set_option(ByteView payload) {
  ByteReader reader(payload);
  read_command(reader, Command::SetOption);
  const std::uint16_t option = reader.u16();
  auto checked = finish(reader, option);
  if (checked && *checked != kMultiStatementsOn && *checked != kMultiStatementsOff) {
    return fail(codec_errc::invalid_value);
  }
  return checked;
}

void encode_set_option(std::uint16_t option, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(static_cast<std::uint8_t>(Command::SetOption));
  writer.u16(option);
}

}  // namespace gw::protocol
