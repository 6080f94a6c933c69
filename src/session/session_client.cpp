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
      // The record keeps at most kStatementHeadLimit bytes of a statement, held whole or not.
      event.statement = std::string(
          as_chars(m.head.subspan(1, std::min(m.head.size() - 1, kStatementHeadLimit))));
      event.statement_truncated = m.length - 1 > event.statement.size();
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
  if (ec == session_errc::out_of_memory) return {1041, "HY000"};      // ER_OUT_OF_RESOURCES
  if (ec == codec_errc::unsupported) return {1043, "08S01"};          // ER_HANDSHAKE_ERROR
  return {1835, "HY000"};                                             // ER_MALFORMED_PACKET
}

}  // namespace

Result<MessagePlan> Session::ClientHandler::on_message_start(const MessageStart& m) {
  Session& s = s_;
  s.client_.last_sequence_id = m.header.sequence_id;
  switch (s.phase_) {
    case Phase::Connecting:
    case Phase::Greeting:
      return kDefer;  // nothing may come before the greeting was answered
    case Phase::Handshake:
      // After an SSLRequest (1), the response inside TLS is 2.
      if (auto r = s.expect_client_sequence(m, s.client_tls_ ? 2 : 1); !r) return fail(r.error());
      return s.hold(m, kHandshakeResponseLimit);
    case Phase::Auth:
      // Sequence id 0 starts a command: one pipelined behind the handshake response (research
      // Q5: response and COM_QUIT in one write). It waits for the server's verdict.
      if (m.header.sequence_id == 0) return kDefer;
      return s.plan_auth_packet(m);
    case Phase::Idle:
      if (auto r = s.check_command_start(m); !r) return fail(r.error());
      return s.plan_command(m);
    case Phase::Command:
      switch (s.exchange_.turn()) {
        case Turn::Client:  // LOAD DATA LOCAL INFILE contents, streamed
          if (auto r = s.expect_client_sequence(m, s.exchange_.next_sequence_id()); !r) {
            return fail(r.error());
          }
          s.client_.route = Route::Forward;
          return MessagePlan{.keep = 0};
        case Turn::Server:
          if (!is_quit(m)) return kDefer;  // pipelined behind the command
          // COM_QUIT behind a command in flight: the client is leaving, and will not wait for
          // a long statement or read a large result to its end.
          s.client_.route = Route::DropQuit;
          return MessagePlan{.keep = 0};
        case Turn::Either:  // COM_CHANGE_USER's authentication
          if (m.header.sequence_id == 0) return kDefer;
          return s.plan_auth_packet(m);
        case Turn::Done:
          return kDefer;
      }
      break;
    case Phase::Quitting:
    case Phase::Closing:
      break;
  }
  s.client_.route = Route::Drop;
  return MessagePlan{.keep = 0};
}

void Session::ClientHandler::on_message_bytes(ByteView bytes) {
  // A held message is kept whole by the splitter as its head; only forwarded bytes are copied.
  if (s_.client_.route == Route::Forward) s_.actions_.send(Leg::Server, bytes);
}

Result<void> Session::ClientHandler::on_message_end(const Message& m) {
  Session& s = s_;
  if (s.client_.route == Route::Drop) return {};
  if (s.client_.route == Route::DropQuit) {
    s.client_.route = Route::Drop;
    s.client_quit_mid_command();
    return {};
  }
  const bool held = s.client_.route == Route::Hold;
  const bool login = s.phase_ == Phase::Handshake || s.phase_ == Phase::Auth ||
                     (s.phase_ == Phase::Command && s.exchange_.turn() == Turn::Either);
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
      if (s.phase_ == Phase::Auth &&
          !s.auth_answer_may_cross(m.head, static_cast<std::uint8_t>(m.last_sequence_id + 1))) {
        break;
      }
      if (auto turn = s.exchange_.on_client_message(s.renumbered_for_server(m)); !turn) {
        result = fail(turn.error());
      }
      break;
    default:
      break;
  }
  // Held messages are one packet (their bound is below 16 MiB), so re-framing the head gives
  // back the client's exact bytes (numbered for the server leg while the two differ).
  if (result && held && s.client_.route == Route::Hold) {
    protocol::append_message(m.head, s.to_server_sequence(m.first_sequence_id),
                             s.actions_.bytes_for(Leg::Server));
  }
  // A login message may carry a password (a clear-text plugin's answer): not kept in memory
  // once it went on.
  if (login) s.client_.splitter().wipe_head();
  s.release_hold();
  return result;
}

Result<void> Session::check_command_start(const MessageStart& m) const {
  if (m.header.sequence_id != 0) return fail(session_errc::bad_sequence);
  if (!m.first_byte) return fail(session_errc::malformed_packet);
  if (!is_known_command(*m.first_byte)) return fail(session_errc::unknown_command);
  return {};
}

// A client packet out of order never reaches the server (it would log "Got packets out of
// order" and count an aborted connect): the client gets ERR 1156 as from the server, numbered
// as the packet it should have sent would have been answered.
Result<void> Session::expect_client_sequence(const MessageStart& m, std::uint8_t expected) {
  if (m.header.sequence_id == expected) return {};
  client_.last_sequence_id = expected;
  return fail(session_errc::bad_sequence);
}

// Held messages are one packet whose declared length is checked against its bound before any of
// it is kept; the splitter then keeps exactly that many bytes.
Result<MessagePlan> Session::hold(const MessageStart& m, std::size_t limit) {
  const std::size_t length = m.header.payload_length;
  if (length > limit || length >= protocol::kMaxPacketPayload) {
    return fail(session_errc::message_too_large);
  }
  if (!reserve_hold(length)) return fail(session_errc::out_of_memory);
  client_.route = Route::Hold;
  return MessagePlan{.keep = length};
}

// A command is held whole while it fits hold_limit and the shared budget: a client that dies
// half way through then leaves nothing at the server. Longer ones stream (see
// end_half_sent_message for their ending); COM_CHANGE_USER must be read whole, so it never does.
Result<MessagePlan> Session::plan_command(const MessageStart& m) {
  const std::size_t length = m.header.payload_length;
  const bool change_user = *m.first_byte == static_cast<std::uint8_t>(Command::ChangeUser);
  const std::size_t limit =
      change_user ? kHandshakeResponseLimit : std::min(settings_.hold_limit, kMaxHoldLimit);
  if (length <= limit) {
    auto held = hold(m, limit);
    if (held || change_user) return held;
  }
  if (change_user) return fail(session_errc::message_too_large);
  client_.route = Route::Forward;
  return MessagePlan{.keep = kStatementHeadLimit};
}

// Authentication packets from the client: only when the server asked for one, in sequence, and
// held whole (the client may not say more than its plugin needs).
Result<MessagePlan> Session::plan_auth_packet(const MessageStart& m) {
  if (exchange_.server_owes_auth_reply()) return kDefer;  // not its turn: wait for the server
  if (auto r = expect_client_sequence(m, to_client_sequence(exchange_.next_sequence_id())); !r) {
    return fail(r.error());
  }
  return hold(m, kAuthPacketLimit);
}

bool Session::reserve_hold(std::size_t bytes) {
  release_hold();
  if (settings_.hold_budget && !settings_.hold_budget->try_reserve(bytes)) return false;
  held_reserved_ = bytes;
  return true;
}

void Session::release_hold() {
  if (held_reserved_ != 0 && settings_.hold_budget) settings_.hold_budget->release(held_reserved_);
  held_reserved_ = 0;
}

Result<void> Session::on_handshake_response(const Message& m) {
  if (!m.whole()) return fail(session_errc::message_too_large);
  if (protocol::is_ssl_request(m.head)) return on_client_ssl_request(m);
  if (settings_.client_tls == ClientTls::Require && !client_tls_) {
    return refuse_plaintext_client(m);
  }
  client_.route = Route::Drop;  // forwarded below, rewritten; the raw bytes are not sent
  if (!decide_server_tls()) return {};
  protocol::HandshakeResponse response;
  // CLIENT_SSL goes upstream exactly when gracewire starts TLS there.
  const std::uint64_t tls = server_tls_ ? protocol::cap::kSsl : 0;
  const std::uint64_t offered = server_.offered_capabilities | tls;
  const std::uint64_t added = (settings_.track_gtids ? protocol::cap::kSessionTrack : 0) | tls;
  auto rewritten = rewrite_handshake_response(m.head, offered, added, response);
  if (!rewritten) return fail(rewritten.error());
  if (server_tls_ && (response.capabilities & protocol::cap::kProtocol41) == 0) {
    return fail(codec_errc::unsupported);  // a 3.x-style response has no SSLRequest form
  }
  auth_plugin_now_ = response.auth_plugin;
  full_auth_asked_ = false;
  if (!auth_answer_may_cross(as_bytes(response.auth_response),
                             static_cast<std::uint8_t>(m.last_sequence_id + 1))) {
    return {};
  }
  info_.capabilities = response.capabilities & server_.offered_capabilities;
  upstream_capabilities_ = upstream_capabilities(info_.capabilities, added, offered);
  info_.user = response.user;
  info_.schema = response.schema;
  info_.auth_plugin = response.auth_plugin;
  info_.attributes = std::move(response.attributes);
  std::uint8_t sequence_id = 1;
  if (server_tls_) {
    // The SSLRequest is the response's first 32 bytes (CLIENT_SSL set in both).
    protocol::append_message(ByteView(*rewritten).first(protocol::kSslRequestSize), sequence_id++,
                             actions_.bytes_for(Leg::Server));
    actions_.push(StartTls{Leg::Server, {}});
    awaiting_server_tls_ = true;
  }
  protocol::append_message(*rewritten, sequence_id, actions_.bytes_for(Leg::Server));
  exchange_.begin_authentication(upstream_capabilities_, sequence_id + 1);
  set_phase(Phase::Auth);
  return {};
}

Result<void> Session::on_command(const Message& m) {
  if (client_.route == Route::Hold) {
    if (auto valid = validate_command(m, info_.capabilities); !valid) return valid;
  }
  const std::uint8_t command = m.head[0];
  if (command == static_cast<std::uint8_t>(Command::Quit)) {
    settle_close(CloseReason::ClientQuit);
    set_phase(Phase::Quitting);  // the server closes; the client is closed after it
    actions_.push(QuitSent{});
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
    actions_.push(std::move(event));
  } else {
    actions_.push(CommandBeginEvent{.command = command});  // no statement: nothing copied
  }
  if (exchange_.begin_command(command, m.last_sequence_id, upstream_capabilities_)) {
    set_phase(Phase::Command);
    if (tracks_gtids()) {
      committed_gtids_.clear();
      actions_.push(CommandSent{});
    }
  } else {
    // No reply (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA): the command ends as it is sent.
    actions_.push(CommandEndEvent{command, Outcome{.kind = Outcome::Kind::Ok}, in_transaction()});
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
                       static_cast<std::uint8_t>(client_.last_sequence_id + 1));
  // A client asking for TLS needs what gracewire cannot follow yet; anything else is malformed.
  settle_close(
      ec == codec_errc::unsupported ? CloseReason::Unsupported : CloseReason::ProtocolError,
      fmt::format("client sent {}", message));
  if (client_.message_half_sent()) return end_half_sent_message();
  // Nothing of the bad message reached the server: end upstream as if the client had left.
  continue_without_client(ClientEnd::Fin, false);
}

}  // namespace gw::session
