// How a Session ends: the client leaving, gracewire shutting down, timeouts. Each path follows
// shared/research/closing-mysql-sessions.md ("Recipe"): the server's log stays clean when the
// session ends with COM_QUIT after a drained response, or, before authentication, after
// authenticating and quitting in one write.

#include <fmt/format.h>

#include "protocol/client_login.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "session/session.h"

namespace gw::session {

using protocol::Command;

namespace {
// ER_SERVER_SHUTDOWN, as MariaDB tells its own idle clients when it stops.
constexpr std::uint16_t kServerShutdown = 1053;
}  // namespace

Actions& Session::on_client_eof(ClientEnd end) {
  begin();
  if (!client_.gone()) {
    continue_without_client(end, settings_.client_abort == ClientAbortPolicy::Mirror);
  }
  return finish();
}

// The close_kind of a client that left without COM_QUIT, by what the session was doing.
CloseReason Session::reason_for_client_leaving(ClientEnd end) const {
  switch (phase_) {
    case Phase::Connecting:
    case Phase::Greeting:
    case Phase::Handshake:
    case Phase::Auth:
      return CloseReason::HandshakeAbort;
    case Phase::Idle:
      return end == ClientEnd::Reset ? CloseReason::Rst : CloseReason::FinWithoutQuit;
    case Phase::Command:
      return exchange_.in_result_set() ? CloseReason::MidResult : CloseReason::MidCommand;
    case Phase::Quitting:
    case Phase::Closing:
      break;
  }
  return CloseReason::None;
}

// The one place a close reason (and its detail) is decided: the first decision stands, so the
// cause is recorded, not the consequences that follow it. One exception: a client that sends
// COM_QUIT while gracewire drains it said goodbye itself, and its close_kind says so.
void Session::settle_close(CloseReason reason, std::string detail) {
  const bool supersedes =
      reason == CloseReason::ClientQuit && close_reason_ == CloseReason::ProxyShutdown;
  if (close_reason_ == CloseReason::None || supersedes) close_reason_ = reason;
  if (close_detail_.empty() || supersedes) close_detail_ = std::move(detail);
}

void Session::continue_without_client(ClientEnd end, bool mirror) {
  std::string detail;
  if (phase_ == Phase::Command && close_reason_ == CloseReason::None) {
    detail = fmt::format("client left during {}", protocol::command_name(exchange_.command()));
  }
  settle_close(reason_for_client_leaving(end), std::move(detail));
  client_.set_gone();
  close_client_leg();
  switch (phase_) {
    case Phase::Connecting:
    case Phase::Greeting:
    case Phase::Handshake:
    case Phase::Auth:
      if (mirror) return mirror_client(end);
      return client_left_before_auth();
    case Phase::Idle:
      if (mirror) return mirror_client(end);
      if (client_.message_half_sent()) return end_half_sent_message();
      return send_quit_upstream();
    case Phase::Command:
      if (mirror) return mirror_client(end);
      return client_left_mid_command();
    case Phase::Quitting:
    case Phase::Closing:
      return;
  }
}

void Session::mirror_client(ClientEnd end) {
  upstream_end_ = UpstreamEnd::Mirrored;
  if (end == ClientEnd::Reset) {
    if (auto close = server_.close(/*reset=*/true)) actions_.push(*close);
  }
  close(close_reason_);
}

void Session::client_left_mid_command() {
  switch (exchange_.turn()) {
    case Turn::Client: {
      if (client_.message_half_sent()) return end_half_sent_message();
      // LOAD DATA LOCAL INFILE: end the file as the client would have, with an empty packet.
      const std::uint8_t seq = exchange_.next_sequence_id();
      protocol::append_message({}, seq, actions_.bytes_for(Leg::Server));
      (void)exchange_.on_client_message(protocol::Message{seq, seq, 0, std::nullopt, {}});
      return;
    }
    case Turn::Either:
      // COM_CHANGE_USER mid-authentication: only the client could answer the server.
      if (!exchange_.server_owes_auth_reply()) return drop_upstream();
      return;
    case Turn::Server:
      // A dump never finishes, so "finish" would wait for ever: it is always ended with KILL.
      if (in_binlog_dump()) return end_binlog_dump();
      request_cancel();
      return;
    case Turn::Done:
      return;
  }
}

// COM_QUIT while a command is in flight. The server would read it only after the statement and
// its whole result (research Q3/Q4): too late for a long statement, never for a result the
// client stopped reading. So it is treated as the client leaving mid-command, unless the client's
// exact behaviour is to be mirrored.
void Session::client_quit_mid_command() {
  settle_close(CloseReason::ClientQuit,
               fmt::format("COM_QUIT during {}", protocol::command_name(exchange_.command())));
  if (settings_.client_abort == ClientAbortPolicy::Mirror) {
    send_quit_upstream();
    return;
  }
  continue_without_client(ClientEnd::Fin, false);
}

void Session::client_left_before_auth() {
  switch (phase_) {
    case Phase::Connecting:
    case Phase::Greeting:
      // on_greeting() finishes the job once the server has spoken.
      if (!settings_.handshake_credentials && !settings_.handshake_credentials_coming) {
        drop_upstream();
      }
      return;
    case Phase::Handshake:
      if (settings_.handshake_credentials) return authenticate_and_quit();
      // offer_handshake_credentials() ends it, or the close timer (armed: the client is gone).
      if (settings_.handshake_credentials_coming) return;
      return drop_upstream();
    case Phase::Auth:
      // The server owes its verdict: wait for it (exchange_done() quits after an OK). If it is
      // the client's turn (an auth switch it will never answer), nothing clean is left.
      if (!exchange_.server_owes_auth_reply()) drop_upstream();
      return;
    default:
      return;
  }
}

Actions& Session::offer_handshake_credentials(const ControlCredentials& credentials) {
  begin();
  if (!settings_.handshake_credentials) settings_.handshake_credentials = credentials;
  if (phase_ == Phase::Handshake && client_.gone()) authenticate_and_quit();
  return finish();
}

// Research Q5: the only clean way out of an unauthenticated session is to authenticate and quit;
// the response and COM_QUIT may travel in one write.
void Session::authenticate_and_quit() {
  const ControlCredentials& credentials = *settings_.handshake_credentials;
  const Bytes payload = protocol::login_response_payload(
      server_.greeting, {credentials.user, credentials.password, {}});
  protocol::append_message(payload, 1, actions_.bytes_for(Leg::Server));
  send_quit_upstream();
}

// Part of a client packet already reached the server, and the server reads the rest before
// anything else. Completing it would run what the client never sent (padding can turn
// "DELETE ... WHERE id=5" into "DELETE ..."): never. A COM_QUIT would land inside it. KILL
// CONNECTION ends it with nothing in the server's log (measured: Aborted_clients still counts
// it); without a control connection only a close is left, which the server logs as an error
// reading communication packets. Commands up to hold_limit are held whole, so this is rare.
void Session::end_half_sent_message() {
  if (!settings_.can_kill || info_.server_connection_id == 0) return drop_upstream();
  actions_.push(KillRequest{info_.server_connection_id, KillRequest::Kind::Connection});
  quit_end_ = UpstreamEnd::Killed;
  set_phase(Phase::Quitting);  // the server closes once killed; close_timeout bounds it
  close_client_leg();
}

bool Session::in_binlog_dump() const {
  const auto command = static_cast<Command>(exchange_.command());
  return phase_ == Phase::Command &&
         (command == Command::BinlogDump || command == Command::BinlogDumpGtid);
}

// A dump never ends by itself, so a drain would only wait for its deadline. KILL QUERY makes the
// server send the end-of-stream EOF to the replica and close (research Q6: the one clean ending
// of a blocking dump; COM_QUIT is never read). Without a control connection nothing ends it
// cleanly: close now rather than after the drain.
void Session::end_binlog_dump() {
  if (!settings_.can_kill || info_.server_connection_id == 0) {
    send_error_to_client(kServerShutdown, "08S01", "Server shutdown in progress",
                         exchange_.next_sequence_id());
    return drop_upstream();
  }
  request_kill(KillRequest::Kind::Query);
}

void Session::request_cancel() {
  if (settings_.in_flight != InFlightPolicy::Cancel) return;
  request_kill(KillRequest::Kind::Query);
}

// KILL QUERY once per command: the proxy repeats it until CancelDone.
void Session::request_kill(KillRequest::Kind kind) {
  if (cancel_requested_ || phase_ != Phase::Command || info_.server_connection_id == 0) return;
  cancel_requested_ = true;
  cancel_acknowledged_ = false;
  actions_.push(KillRequest{info_.server_connection_id, kind});
}

Actions& Session::shutdown(bool now, bool just_connected) {
  begin();
  if (now) {
    shutdown_ = Shutdown::Now;
  } else if (shutdown_ == Shutdown::No) {
    shutdown_ = Shutdown::Drain;
    new_at_drain_ = just_connected || !answered_a_command_;
  }
  end_for_shutdown();
  return finish();
}

void Session::end_for_shutdown() {
  const bool now = shutdown_ == Shutdown::Now;
  // A client that connected just before the drain began (no command answered yet, or younger
  // than the proxy's threshold) is most likely in its connect-and-work sequence: in a restart,
  // the old gracewire accepted it a moment before its signal. Ending it would refuse it
  // wherever it is in that sequence (drivers send their own statements after the login, the
  // next command may already be on its way), so it is served until it quits, as the new
  // gracewire would have served it; the drain deadline bounds the wait. Its close stays its own.
  // A binlog dump never ends by itself: it is not waited for, new or not.
  if (!now && new_at_drain_ && phase_ != Phase::Quitting && phase_ != Phase::Closing &&
      !in_binlog_dump()) {
    return;
  }
  settle_close(CloseReason::ProxyShutdown);
  // The server is half way through telling the client something (an ERR before it closes): an
  // ERR 1053 now would land inside that packet. on_unsolicited() comes back here.
  if ((phase_ == Phase::Idle || phase_ == Phase::Handshake) && server_.message_half_forwarded()) {
    return;
  }
  switch (phase_) {
    case Phase::Idle:
      // An open transaction is the client's to finish, until the drain deadline.
      if (in_transaction() && !now) return;
      // So is a long command half way through streaming: a COM_QUIT would land inside it.
      if (client_.message_half_sent()) {
        if (!now) return;
        send_error_to_client(kServerShutdown, "08S01", "Server shutdown in progress", 0);
        return continue_without_client(ClientEnd::Fin, false);
      }
      send_error_to_client(kServerShutdown, "08S01", "Server shutdown in progress", 0);
      return send_quit_upstream();
    case Phase::Command:
      if (in_binlog_dump()) return end_binlog_dump();
      if (!now) return;  // exchange_done() comes back here
      // A client in the middle of a result set may have stopped reading it; its backlog must
      // not keep the server writing: it is let go, the result drained and dropped.
      if (exchange_.in_result_set()) return continue_without_client(ClientEnd::Fin, false);
      return request_cancel();
    case Phase::Connecting:
    case Phase::Greeting:
      send_error_to_client(kServerShutdown, "08S01", "Server shutdown in progress", 0);
      return continue_without_client(ClientEnd::Fin, false);
    case Phase::Handshake:
      send_error_to_client(kServerShutdown, "08S01", "Server shutdown in progress",
                           auth_result_sequence());
      return continue_without_client(ClientEnd::Fin, false);
    case Phase::Auth:  // the server's verdict is a round trip away: exchange_done() decides
    case Phase::Quitting:
    case Phase::Closing:
      return;
  }
}

Actions& Session::on_server_eof() {
  begin();
  if (phase_ == Phase::Quitting) {
    upstream_end_ = quit_end_;
    close(close_reason_);
  } else {
    if (upstream_end_ == UpstreamEnd::Open) upstream_end_ = UpstreamEnd::ServerFirst;
    if (phase_ == Phase::Closing) {
      close(close_reason_);
    } else {
      close(CloseReason::ServerClosed,
            close_detail_.empty()
                ? fmt::format("server closed the connection during {}", to_string(phase_))
                : close_detail_);
    }
  }
  return finish();
}

Actions& Session::on_greeting_timeout(std::string_view detail) {
  begin();
  if (phase_ == Phase::Greeting) {
    send_error_to_client(kUpstreamUnreachableError, "08001",
                         fmt::format("Lost connection to MySQL server at 'reading initial "
                                     "communication packet': {}",
                                     detail),
                         0);
    drop_upstream();
  } else if (phase_ == Phase::Auth && awaiting_server_tls_) {
    on_server_tls_timeout(detail);
  }
  return finish();
}

Actions& Session::on_handshake_timeout(std::string_view detail) {
  begin();
  if (phase_ == Phase::Handshake) {
    send_error_to_client(kUpstreamUnreachableError, "08001",
                         fmt::format("Lost connection to MySQL server at 'reading "
                                     "authorization packet': {}",
                                     detail),
                         auth_result_sequence());
    settle_close(CloseReason::HandshakeAbort, std::string(detail));
    continue_without_client(ClientEnd::Fin, false);
  }
  return finish();
}

Actions& Session::on_close_timeout() {
  begin();
  if (upstream_end_ == UpstreamEnd::Open) {
    upstream_end_ = phase_ == Phase::Connecting ? UpstreamEnd::NotConnected : UpstreamEnd::Timeout;
  }
  if (auto close = client_.close_now()) actions_.push(*close);
  if (auto close = server_.close_now()) actions_.push(*close);
  close(CloseReason::ProxyShutdown);
  return finish();
}

void Session::send_quit_upstream() {
  const std::uint8_t quit = static_cast<std::uint8_t>(Command::Quit);
  protocol::append_message(ByteView(&quit, 1), 0, actions_.bytes_for(Leg::Server));
  actions_.push(QuitSent{});
  set_phase(Phase::Quitting);
  close_client_leg();
}

void Session::drop_upstream() {
  if (upstream_end_ == UpstreamEnd::Open) {
    upstream_end_ = phase_ == Phase::Connecting ? UpstreamEnd::NotConnected : UpstreamEnd::Dropped;
  }
  close(close_reason_);
}

void Session::close_client_leg() {
  if (auto close = client_.close()) actions_.push(*close);
}

void Session::close(CloseReason reason, std::string detail) {
  settle_close(reason, std::move(detail));
  if (upstream_end_ == UpstreamEnd::Open) upstream_end_ = UpstreamEnd::Dropped;
  set_phase(Phase::Closing);
  close_client_leg();
  if (auto close = server_.close()) actions_.push(*close);
}

}  // namespace gw::session
