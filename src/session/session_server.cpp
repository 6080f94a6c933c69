// The server's side of a Session: greeting, authentication replies, command responses.

#include <fmt/format.h>

#include <utility>

#include "core/errors.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/response.h"
#include "protocol/session_state.h"
#include "session/capabilities.h"
#include "session/handshake_rewrite.h"
#include "session/session.h"

namespace gw::session {

using protocol::Command;
using protocol::Message;
using protocol::MessagePlan;
using protocol::MessageStart;

namespace {

constexpr std::size_t kServerMessageLimit = 64 * kKiB;

std::string describe_err(ByteView payload, std::uint64_t capabilities) {
  auto err = protocol::decode_err(payload, capabilities);
  if (!err) return "malformed ERR packet";
  return fmt::format("ERR {} ({}): {}", err->code, err->sql_state, err->message);
}

}  // namespace

Result<MessagePlan> Session::ServerHandler::on_message_start(const MessageStart& m) {
  Session& s = s_;
  // Greetings and unsolicited ERRs are small; a longer one is not whole, and refused.
  constexpr std::size_t keep = kServerMessageLimit;
  s.ok_held_ = false;
  s.renumber_held_ = false;
  s.awaiting_server_tls_ = false;  // it answered inside TLS
  switch (s.phase_) {
    case Phase::Connecting:
    case Phase::Greeting:
      s.server_.route = Route::Drop;  // re-encoded from its head once complete
      return MessagePlan{.keep = keep};
    case Phase::Auth:
    case Phase::Command:
      s.server_.route = s.client_.gone() ? Route::Drop : Route::Forward;
      if (s.strips_session_state() && s.exchange_.is_ok(m)) {
        s.server_.route = Route::Drop;  // re-encoded whole by on_ok_packet
        s.ok_held_ = true;
      }
      if (s.shifts_sequence_ids()) {
        // Authentication packets are small: held whole and sent on with the client's ids.
        s.server_.route = Route::Drop;
        s.renumber_held_ = true;
        return MessagePlan{.keep = keep};
      }
      return MessagePlan{.keep = s.exchange_.keep_for_server(m)};
    case Phase::Handshake:
    case Phase::Idle:
      s.server_.route = Route::Forward;  // unsolicited: an ERR before the server closes
      return MessagePlan{.keep = keep};
    case Phase::Quitting:
    case Phase::Closing:
      break;
  }
  s.server_.route = Route::Drop;
  return MessagePlan{.keep = 0};
}

void Session::ServerHandler::on_message_bytes(ByteView bytes) {
  // A message that began while the client was there goes on to its end, but nowhere.
  if (s_.server_.route == Route::Forward && s_.client_.accepts_bytes()) {
    s_.actions_.send(Leg::Client, bytes);
  }
}

Result<void> Session::ServerHandler::on_message_end(const Message& m) {
  Session& s = s_;
  switch (s.phase_) {
    case Phase::Connecting:
    case Phase::Greeting:
      return s.on_greeting(m);
    case Phase::Auth:
    case Phase::Command:
      return s.on_exchange_message(m);
    case Phase::Handshake:
    case Phase::Idle: {
      auto result = s.on_unsolicited(m);
      if (result && s.shutdown_ != Shutdown::No)
        s.end_for_shutdown();  // it waited for this message
      return result;
    }
    case Phase::Quitting:
    case Phase::Closing:
      break;
  }
  return {};
}

Result<void> Session::on_greeting(const Message& m) {
  if (!m.whole()) return fail(session_errc::message_too_large);
  if (!m.head.empty() && m.head[0] == protocol::kErrHeader) {
    // The server refused the connection (too many connections, host blocked, …): the client
    // hears it exactly as the server said it.
    if (client_.accepts_bytes()) {
      protocol::append_message(m.head, m.first_sequence_id, actions_.bytes_for(Leg::Client));
    }
    close(CloseReason::ServerClosed, describe_err(m.head, 0));
    return {};
  }
  const std::uint64_t tls = settings_.client_tls != ClientTls::Off ? protocol::cap::kSsl : 0;
  auto rewritten = rewrite_greeting(m.head, tls, server_.greeting);
  if (!rewritten) return fail(rewritten.error());
  info_.server_connection_id = server_.greeting.connection_id;
  info_.server_version = server_.greeting.server_version;
  server_.offered_capabilities = supported(server_.greeting.capabilities);
  set_phase(Phase::Handshake);
  if (client_.gone()) {
    // The client left while gracewire was still connecting: end the handshake for it.
    client_left_before_auth();
    return {};
  }
  protocol::append_message(*rewritten, m.first_sequence_id, actions_.bytes_for(Leg::Client));
  if (shutdown_ != Shutdown::No) {
    end_for_shutdown();
    return {};
  }
  resume_client();
  return {};
}

Result<void> Session::on_exchange_message(const Message& m) {
  const bool held = std::exchange(ok_held_, false);
  const bool renumbered = std::exchange(renumber_held_, false);
  if (renumbered && !m.whole()) return fail(session_errc::message_too_large);
  // Numbered before the exchange moves on: an OK ends authentication, and the shift with it.
  const std::uint8_t client_sequence = to_client_sequence(m.first_sequence_id);
  if (phase_ == Phase::Auth) follow_server_auth_message(m);
  auto turn = exchange_.on_server_message(m);
  if (!turn) return fail(turn.error());
  if (const auto& ok = exchange_.ok()) {
    on_ok_packet(*ok, client_sequence, held);
  } else if (held) {
    return fail(codec_errc::unexpected_message);  // is_ok() and the exchange disagree
  }
  if (renumbered && !held && client_.accepts_bytes()) {
    protocol::append_message(m.head, client_sequence, actions_.bytes_for(Leg::Client));
  }
  if (*turn == Turn::Done) exchange_done();
  return {};
}

// Every OK of a session that tracks GTIDs may name the transaction its command committed; a
// client that did not ask for session tracking gets the OK without it, as the server would
// have sent it to that client.
void Session::on_ok_packet(const protocol::OkPacket& ok, std::uint8_t sequence_id, bool held) {
  if (tracks_gtids() && !ok.session_state.empty()) {
    const auto gtid = protocol::find_tracked_variable(as_bytes(ok.session_state), "last_gtid");
    if (gtid && !gtid->empty() && committed_gtids_.size() < kMaxGtidsPerCommand) {
      committed_gtids_.emplace_back(*gtid);
    }
  }
  if (!held || !client_.accepts_bytes()) return;
  protocol::OkPacket untracked = ok;
  untracked.status &= static_cast<std::uint16_t>(~protocol::status::kSessionStateChanged);
  untracked.session_state.clear();
  Bytes payload;
  protocol::encode_ok(untracked, info_.capabilities, payload);
  protocol::append_message(payload, sequence_id, actions_.bytes_for(Leg::Client));
}

void Session::exchange_done() {
  const Outcome& outcome = exchange_.outcome();
  const bool ok = outcome.kind != Outcome::Kind::Error;
  const bool killed = cancel_requested_;
  if (phase_ == Phase::Command && tracks_gtids()) {
    actions_.push(CommandAnswered{std::exchange(committed_gtids_, {})});
  }
  if (phase_ == Phase::Auth) {
    actions_.push(AuthResultEvent{ok, outcome.error_code, outcome.error_message});
  } else {
    actions_.push(CommandEndEvent{exchange_.command(), outcome, in_transaction()});
    answered_a_command_ = true;
  }
  if (phase_ == Phase::Auth && !ok) {
    upstream_end_ = UpstreamEnd::ServerFirst;  // the server closes after refusing
    close(CloseReason::AuthFailed, fmt::format("ERR {} ({}): {}", outcome.error_code,
                                               outcome.sql_state, outcome.error_message));
    return;
  }
  if (ok && settings_.record_params &&
      exchange_.command() == static_cast<std::uint8_t>(Command::StmtPrepare)) {
    statements_[outcome.statement_id] = {outcome.params, {}, {}};
    last_prepared_ = outcome.statement_id;
  }
  if (ok && exchange_.command() == static_cast<std::uint8_t>(Command::InitDb)) {
    info_.schema = std::move(pending_schema_);
  } else if (ok && exchange_.command() == static_cast<std::uint8_t>(Command::ChangeUser)) {
    info_.user = std::move(pending_user_.first);
    info_.schema = std::move(pending_user_.second);
    statements_.clear();  // a changed user starts without prepared statements
  }
  if (in_binlog_dump()) {
    // After a dump (its EOF, or an ERR) the server always closes by itself; a COM_QUIT would
    // only earn a reset (research Q6). The replica gets the end of the stream, then the close.
    quit_end_ = killed ? UpstreamEnd::Killed : UpstreamEnd::ServerFirst;
    settle_close(CloseReason::ServerClosed);
    set_phase(Phase::Quitting);
    close_client_leg();
    return;
  }
  set_phase(Phase::Idle);
  if (client_.gone()) return send_quit_upstream();
  if (shutdown_ != Shutdown::No) {
    end_for_shutdown();
    if (phase_ != Phase::Idle) return;
  }
  resume_client();
}

Result<void> Session::on_unsolicited(const Message& m) {
  if (m.head.empty() || m.head[0] != protocol::kErrHeader || !m.whole()) {
    return fail(codec_errc::unexpected_message);
  }
  // An idle session's server speaks only to say why it is about to close (4031, 1927, …).
  close_detail_ = fmt::format("server sent {}", describe_err(m.head, info_.capabilities));
  if (auto err = protocol::decode_err(m.head, info_.capabilities)) server_error_code_ = err->code;
  return {};
}

void Session::server_protocol_error(std::error_code ec) {
  if (phase_ == Phase::Connecting || phase_ == Phase::Greeting) {
    // The client waits for a greeting: it hears why none comes rather than a bare close.
    send_error_to_client(kUpstreamUnreachableError, "08001",
                         fmt::format("Lost connection to MySQL server at 'reading initial "
                                     "communication packet': the server's greeting could not "
                                     "be read ({})",
                                     ec.message()),
                         0);
  }
  upstream_end_ = UpstreamEnd::Dropped;
  close(CloseReason::ProtocolError,
        fmt::format("server sent a bad packet during {}: {}", to_string(phase_), ec.message()));
}

}  // namespace gw::session
