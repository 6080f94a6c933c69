// The client's side of a Session: handshake response, commands, LOCAL INFILE contents.

#include <fmt/format.h>

#include "core/byte_reader.h"
#include "core/errors.h"
#include "protocol/commands.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/handshake.h"
#include "session/capabilities.h"
#include "session/handshake_rewrite.h"
#include "session/session.h"

namespace gw::session {

using protocol::Command;
using protocol::Message;
using protocol::MessagePlan;
using protocol::MessageStart;

namespace {

constexpr MessagePlan kDefer{.keep = 0, .defer = true};

// The audit view of a client command: its text, or the statement it names.
CommandBeginEvent describe_command(const Message& m) {
  CommandBeginEvent event;
  event.command = m.head[0];
  switch (static_cast<Command>(event.command)) {
    case Command::Query:
    case Command::StmtPrepare:
    case Command::InitDb:
    case Command::FieldList:
      event.statement = std::string(as_chars(m.head.subspan(1)));
      event.statement_truncated = !m.whole();
      break;
    case Command::StmtExecute:
    case Command::StmtFetch:
    case Command::StmtClose:
    case Command::StmtReset:
    case Command::StmtSendLongData:
    case Command::StmtBulkExecute:
      if (m.head.size() >= 5) {
        ByteReader reader(m.head.subspan(1, 4));
        event.statement_id = reader.u32();
      }
      break;
    default:
      break;
  }
  return event;
}

bool is_quit(const MessageStart& m) {
  return m.header.sequence_id == 0 && m.header.payload_length == 1 &&
         m.first_byte == static_cast<std::uint8_t>(Command::Quit);
}

bool is_known_command(std::uint8_t command) {
  return protocol::command_name(command) != "COM_UNKNOWN";
}

// Commands whose layout is fixed enough to check before the server sees them.
Result<void> validate_command(const Message& m, std::uint64_t capabilities) {
  const ByteView payload = m.head;
  auto check = [](const auto& decoded) -> Result<void> {
    if (!decoded) return fail(decoded.error());
    return {};
  };
  switch (static_cast<Command>(payload[0])) {
    case Command::StmtExecute:
      return check(protocol::decode_stmt_execute(payload));
    case Command::StmtFetch:
      return check(protocol::decode_stmt_fetch(payload));
    case Command::StmtClose:
    case Command::StmtReset:
    case Command::StmtSendLongData:
      return check(protocol::decode_statement_id(payload));
    case Command::ProcessKill:
      return check(protocol::decode_process_kill(payload));
    case Command::SetOption:
      return check(protocol::decode_set_option(payload));
    case Command::ChangeUser:
      return check(protocol::decode_change_user(payload, capabilities));
    default:
      return {};
  }
}

// The ERR a server would send for each kind of bad client input.
struct ErrorReply {
  std::uint16_t code;
  const char* sql_state;
};
ErrorReply error_reply_for(std::error_code ec) {
  if (ec == session_errc::bad_sequence) return {1156, "08S01"};     // ER_NET_PACKETS_OUT_OF_ORDER
  if (ec == session_errc::unknown_command) return {1047, "08S01"};  // ER_UNKNOWN_COM_ERROR
  if (ec == session_errc::command_out_of_state) return {1047, "08S01"};
  if (ec == session_errc::message_too_large) return {1153, "08S01"};  // ER_NET_PACKET_TOO_LARGE
  if (ec == codec_errc::unsupported) return {1043, "08S01"};          // ER_HANDSHAKE_ERROR
  return {1835, "HY000"};                                             // ER_MALFORMED_PACKET
}

}  // namespace

Result<MessagePlan> Session::ClientHandler::on_message_start(const MessageStart& m) {
  Session& s = s_;
  s.last_client_sequence_id_ = m.header.sequence_id;
  const std::size_t keep = s.settings_.keep_limit;
  const bool fits = m.header.payload_length < keep;
  switch (s.phase_) {
    case Phase::Connecting:
    case Phase::Greeting:
      return kDefer;  // nothing may come before the greeting was answered
    case Phase::Handshake:
      s.client_route_ = Route::Hold;
      return MessagePlan{.keep = keep};
    case Phase::Auth:
      // Sequence id 0 starts a command: one pipelined behind the handshake response (research
      // Q5: response and COM_QUIT in one write). It waits for the server's verdict.
      if (m.header.sequence_id == 0) return kDefer;
      if (s.exchange_.turn() != Turn::Either) return kDefer;
      s.client_route_ = Route::Hold;
      return MessagePlan{.keep = keep};
    case Phase::Idle:
      s.client_route_ = Route::Hold;  // until checked, nothing of it is forwarded
      if (auto r = s.check_command_start(m); !r) return fail(r.error());
      s.client_route_ = fits ? Route::Hold : Route::Forward;
      return MessagePlan{.keep = keep};
    case Phase::Command:
      if (s.exchange_.turn() == Turn::Client) {  // LOAD DATA LOCAL INFILE contents
        s.client_route_ = Route::Forward;
        return MessagePlan{.keep = 0};
      }
      if (is_quit(m) && s.exchange_.turn() == Turn::Server) {
        // COM_QUIT behind a command in flight: the client is leaving, and will not wait for
        // a long statement or read a large result to its end.
        s.client_route_ = Route::Drop;
        s.quit_behind_command_ = true;
        return MessagePlan{.keep = 0};
      }
      if (s.exchange_.turn() != Turn::Either) return kDefer;  // pipelined behind the command
      s.client_route_ = Route::Hold;
      return MessagePlan{.keep = keep};
    case Phase::Quitting:
    case Phase::Closing:
      break;
  }
  s.client_route_ = Route::Drop;
  return MessagePlan{.keep = 0};
}

void Session::ClientHandler::on_message_bytes(ByteView bytes) {
  Bytes* target = nullptr;
  switch (s_.client_route_) {
    case Route::Forward:
      target = &s_.to_server_;
      break;
    case Route::Hold:
      target = &s_.held_;
      break;
    case Route::Drop:
      return;
  }
  target->insert(target->end(), bytes.begin(), bytes.end());
}

Result<void> Session::ClientHandler::on_message_end(const Message& m) {
  Session& s = s_;
  if (s.client_route_ == Route::Drop) {
    if (std::exchange(s.quit_behind_command_, false)) s.client_quit_mid_command();
    return {};
  }
  Result<void> result;
  switch (s.phase_) {
    case Phase::Handshake:
      result = s.on_handshake_response(m);
      break;
    case Phase::Idle:
      result = s.on_command(m);
      break;
    case Phase::Auth:
    case Phase::Command:
      if (auto turn = s.exchange_.on_client_message(m); !turn) result = fail(turn.error());
      break;
    default:
      break;
  }
  if (result && s.client_route_ == Route::Hold) {
    s.to_server_.insert(s.to_server_.end(), s.held_.begin(), s.held_.end());
  }
  s.held_.clear();
  return result;
}

Result<void> Session::check_command_start(const MessageStart& m) const {
  if (m.header.sequence_id != 0) return fail(session_errc::bad_sequence);
  if (!m.first_byte) return fail(session_errc::malformed_packet);
  if (!is_known_command(*m.first_byte)) return fail(session_errc::unknown_command);
  return {};
}

Result<void> Session::on_handshake_response(const Message& m) {
  if (!m.whole()) return fail(session_errc::message_too_large);
  // gracewire removed CLIENT_SSL from the greeting; a client that asks anyway must be told.
  if (protocol::is_ssl_request(m.head)) return fail(codec_errc::unsupported);
  protocol::HandshakeResponse response;
  auto rewritten = rewrite_handshake_response(m.head, offered_capabilities_, response);
  if (!rewritten) return fail(rewritten.error());
  info_.capabilities = response.capabilities & offered_capabilities_;
  info_.user = response.user;
  info_.schema = response.schema;
  info_.auth_plugin = response.auth_plugin;
  info_.attributes = std::move(response.attributes);
  protocol::append_message(*rewritten, m.first_sequence_id, to_server_);
  client_route_ = Route::Drop;  // forwarded above, rewritten; the raw bytes are not sent
  exchange_.begin_authentication(info_.capabilities);
  phase_ = Phase::Auth;
  return {};
}

Result<void> Session::on_command(const Message& m) {
  if (client_route_ == Route::Hold) {
    if (auto valid = validate_command(m, info_.capabilities); !valid) return valid;
  }
  const std::uint8_t command = m.head[0];
  if (command == static_cast<std::uint8_t>(Command::Quit)) {
    close_reason_ = CloseReason::ClientQuit;
    phase_ = Phase::Quitting;  // the server closes; the client is closed after it
    return {};
  }
  if (command == static_cast<std::uint8_t>(Command::InitDb)) {
    pending_schema_ = std::string(as_chars(m.head.subspan(1)));
  } else if (command == static_cast<std::uint8_t>(Command::ChangeUser)) {
    auto change = protocol::decode_change_user(m.head, info_.capabilities);
    if (change) pending_user_ = {change->user, change->schema};
  }
  if (settings_.record_events) {
    CommandBeginEvent event = describe_command(m);
    if (settings_.record_params) track_statement(command, m, event);
    events_.push_back(std::move(event));
  }
  if (exchange_.begin_command(command, m.last_sequence_id, info_.capabilities)) {
    phase_ = Phase::Command;
  } else if (settings_.record_events) {
    // No reply (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA): the command ends as it is sent.
    events_.push_back(
        CommandEndEvent{command, Outcome{.kind = Outcome::Kind::Ok}, in_transaction()});
  }
  return {};
}

// Keeps what decoding COM_STMT_EXECUTE needs: parameter counts from COM_STMT_PREPARE's OK
// (exchange_done), types from executions that send them, which parameters came as long data.
void Session::track_statement(std::uint8_t command, const Message& m, CommandBeginEvent& event) {
  const auto id = event.statement_id;
  switch (static_cast<Command>(command)) {
    case Command::StmtClose:
      if (id) statements_.erase(*id);
      return;
    case Command::StmtReset:
      if (id && statements_.contains(*id)) statements_[*id].long_data.clear();
      return;
    case Command::StmtSendLongData: {
      auto long_data = protocol::decode_stmt_send_long_data(m.head);
      auto it = long_data ? statements_.find(long_data->statement_id) : statements_.end();
      if (it == statements_.end() || long_data->param_id >= it->second.params) return;
      it->second.long_data.resize(it->second.params);
      it->second.long_data[long_data->param_id] = true;
      return;
    }
    case Command::StmtExecute: {
      if (!id) return;
      const std::uint32_t statement =
          *id == protocol::kLastPreparedStatement ? last_prepared_ : *id;
      auto it = statements_.find(statement);
      if (it == statements_.end() || !m.whole()) return;  // unknown, or too long to keep whole
      PreparedStatement& prepared = it->second;
      auto params = protocol::decode_execute_params(m.head, prepared.params, prepared.types,
                                                    prepared.long_data);
      if (!params) return;  // the server will say what is wrong with it
      prepared.types = std::move(params->types);
      prepared.long_data.clear();
      event.params = std::move(params->values);
      return;
    }
    case Command::ResetConnection:
      statements_.clear();
      return;
    default:
      return;
  }
}

void Session::client_protocol_error(std::error_code ec, std::string_view what) {
  const ErrorReply reply = error_reply_for(ec);
  const std::string message = fmt::format("gracewire: {}: {}", what, ec.message());
  send_error_to_client(reply.code, reply.sql_state, message,
                       static_cast<std::uint8_t>(last_client_sequence_id_ + 1));
  if (close_reason_ == CloseReason::None) close_reason_ = CloseReason::ProtocolError;
  if (close_detail_.empty()) close_detail_ = fmt::format("client sent {}", message);
  if (phase_ == Phase::Idle && client_route_ == Route::Forward) {
    // Part of the bad message already reached the server: nothing clean is left.
    drop_upstream();
    return;
  }
  // Nothing of the bad message reached the server: end upstream as if the client had left.
  continue_without_client(ClientEnd::Fin, false);
}

}  // namespace gw::session
