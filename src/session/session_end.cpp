// How a Session ends: the client leaving, gracewire shutting down, timeouts. Each path follows
// shared/research/closing-mysql-sessions.md ("Recipe"): the server's log stays clean when the
// session ends with COM_QUIT after a drained response, or, before authentication, after
// authenticating and quitting in one write.

#include <fmt/format.h>

#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/native_password.h"
#include "session/session.h"

namespace gw::session {

using protocol::Command;

namespace {
// ER_SERVER_SHUTDOWN, as MariaDB tells its own idle clients when it stops.
constexpr std::uint16_t kServerShutdown = 1053;
}  // namespace

void Session::on_client_eof(ClientEnd end) {
  if (client_gone_) return;
  if (close_reason_ == CloseReason::None && (phase_ == Phase::Idle)) {
    close_reason_ = end == ClientEnd::Reset ? CloseReason::Rst : CloseReason::FinWithoutQuit;
  }
  continue_without_client(end, settings_.client_abort == ClientAbortPolicy::Mirror);
}

void Session::continue_without_client(ClientEnd end, bool mirror) {
  client_gone_ = true;
  close_client_ = true;
  client_backlog_.clear();
  switch (phase_) {
    case Phase::Connecting:
    case Phase::Greeting:
    case Phase::Handshake:
    case Phase::Auth:
      if (close_reason_ == CloseReason::None) close_reason_ = CloseReason::HandshakeAbort;
      if (mirror) return mirror_client(end);
      return client_left_before_auth();
    case Phase::Idle:
      if (mirror) return mirror_client(end);
      if (client_message_half_sent()) return end_half_sent_message();
      return send_quit_upstream(close_reason_);
    case Phase::Command:
      if (close_reason_ == CloseReason::None) {
        close_reason_ =
            exchange_.in_result_set() ? CloseReason::MidResult : CloseReason::MidCommand;
        close_detail_ =
            fmt::format("client left during {}", protocol::command_name(exchange_.command()));
      }
      if (mirror) return mirror_client(end);
      return client_left_mid_command();
    case Phase::Quitting:
    case Phase::Closing:
      return;
  }
}

void Session::mirror_client(ClientEnd end) {
  upstream_end_ = UpstreamEnd::Mirrored;
  reset_server_ = end == ClientEnd::Reset;
  close(close_reason_);
}

// The response is read to its end and dropped (the server route drops once the client is
// gone); exchange_done() then quits. Only what the client still owed must be made up for.
void Session::client_left_mid_command() {
  switch (exchange_.turn()) {
    case Turn::Client: {
      if (client_message_half_sent()) return end_half_sent_message();
      // LOAD DATA LOCAL INFILE: end the file as the client would have, with an empty packet.
      const std::uint8_t seq = exchange_.next_sequence_id();
      protocol::append_message({}, seq, to_server_);
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
  close_reason_ = CloseReason::ClientQuit;
  close_detail_ = fmt::format("COM_QUIT during {}", protocol::command_name(exchange_.command()));
  if (settings_.client_abort == ClientAbortPolicy::Mirror) {
    send_quit_upstream(close_reason_);
    return;
  }
  continue_without_client(ClientEnd::Fin, false);
}

void Session::client_left_before_auth() {
  switch (phase_) {
    case Phase::Connecting:
    case Phase::Greeting:
      // on_greeting() finishes the job once the server has spoken.
      if (!settings_.handshake_credentials) drop_upstream();
      return;
    case Phase::Handshake:
      if (!settings_.handshake_credentials) return drop_upstream();
      return authenticate_and_quit();
    case Phase::Auth:
      // The server owes its verdict: wait for it (exchange_done() quits after an OK). If it is
      // the client's turn (an auth switch it will never answer), nothing clean is left.
      if (!exchange_.server_owes_auth_reply()) drop_upstream();
      return;
    default:
      return;
  }
}

// Research Q5: the only clean way out of an unauthenticated session is to authenticate and quit;
// the response and COM_QUIT may travel in one write.
void Session::authenticate_and_quit() {
  const ControlCredentials& credentials = *settings_.handshake_credentials;
  protocol::HandshakeResponse response;
  namespace cap = protocol::cap;
  response.capabilities =
      greeting_.capabilities & (cap::kMysql | cap::kLongFlag | cap::kProtocol41 |
                                cap::kTransactions | cap::kSecureConnection | cap::kPluginAuth);
  response.max_packet_size = 16 * 1024 * 1024;
  response.charset = greeting_.charset;
  response.user = credentials.user;
  response.auth_response =
      protocol::native_password_response(credentials.password, greeting_.auth_data);
  response.auth_plugin = std::string(protocol::kNativePasswordPlugin);
  response.has_auth_plugin = true;
  Bytes payload;
  protocol::encode_handshake_response(response, payload);
  protocol::append_message(payload, 1, to_server_);
  send_quit_upstream(close_reason_);
}

bool Session::server_message_half_forwarded() const {
  return server_route_ == Route::Forward && server_splitter_.in_message();
}

bool Session::client_message_half_sent() const {
  return client_route_ == Route::Forward && client_splitter_.in_message();
}

// Part of a client packet already reached the server, and the server reads the rest before
// anything else. Completing it would run what the client never sent (padding can turn
// "DELETE ... WHERE id=5" into "DELETE ..."): never. A COM_QUIT would land inside it. KILL
// CONNECTION ends it with nothing in the server's log (measured: Aborted_clients still counts
// it); without a control connection only a close is left, which the server logs as an error
// reading communication packets. Commands up to hold_limit are held whole, so this is rare.
void Session::end_half_sent_message() {
  if (!settings_.can_kill || info_.server_connection_id == 0) return drop_upstream();
  kill_request_ = KillRequest{info_.server_connection_id, KillRequest::Kind::Connection};
  quit_end_ = UpstreamEnd::Killed;
  phase_ = Phase::Quitting;  // the server closes once killed; close_timeout bounds it
  close_client_ = true;
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
  if (cancel_requested_) return;
  cancel_requested_ = true;
  kill_request_ = KillRequest{info_.server_connection_id, KillRequest::Kind::Query};
}

void Session::request_cancel() {
  if (settings_.in_flight != InFlightPolicy::Cancel || cancel_requested_) return;
  if (phase_ != Phase::Command || info_.server_connection_id == 0) return;
  cancel_requested_ = true;
  kill_request_ = KillRequest{info_.server_connection_id, KillRequest::Kind::Query};
}

// After the exchange of a session whose client is gone.
void Session::quit_after_exchange() { send_quit_upstream(close_reason_); }

void Session::shutdown(bool now) {
  shutting_down_ = true;
  shutdown_now_ = shutdown_now_ || now;
  end_for_shutdown();
}

void Session::end_for_shutdown() {
  if (close_reason_ == CloseReason::None) close_reason_ = CloseReason::ProxyShutdown;
  // The server is half way through telling the client something (an ERR before it closes): an
  // ERR 1053 now would land inside that packet. on_unsolicited() comes back here.
  if ((phase_ == Phase::Idle || phase_ == Phase::Handshake) && server_message_half_forwarded()) {
    return;
  }
  switch (phase_) {
    case Phase::Idle:
      // An open transaction is the client's to finish, until the drain deadline.
      if (in_transaction() && !shutdown_now_) return;
      // So is a long command half way through streaming: a COM_QUIT would land inside it.
      if (client_message_half_sent()) {
        if (!shutdown_now_) return;
        send_error_to_client(kServerShutdown, "08S01", "Server shutdown in progress", 0);
        return continue_without_client(ClientEnd::Fin, false);
      }
      send_error_to_client(kServerShutdown, "08S01", "Server shutdown in progress", 0);
      return send_quit_upstream(CloseReason::ProxyShutdown);
    case Phase::Command:
      if (in_binlog_dump()) return end_binlog_dump();
      if (!shutdown_now_) return;  // exchange_done() comes back here
      // A client in the middle of a result set may have stopped reading it; its backlog must
      // not keep the server writing: it is let go, the result drained and dropped.
      if (exchange_.in_result_set()) return continue_without_client(ClientEnd::Fin, false);
      return request_cancel();
    case Phase::Connecting:
    case Phase::Greeting:
      send_error_to_client(kServerShutdown, "08S01", "Server shutdown in progress", 0);
      return continue_without_client(ClientEnd::Fin, false);
    case Phase::Handshake:
      // The client's next read is its authentication result, sequence id 2.
      send_error_to_client(kServerShutdown, "08S01", "Server shutdown in progress", 2);
      return continue_without_client(ClientEnd::Fin, false);
    case Phase::Auth:
      return;  // the server's verdict is a round trip away
    case Phase::Quitting:
    case Phase::Closing:
      return;
  }
}

void Session::on_server_eof() {
  if (phase_ == Phase::Quitting) {
    upstream_end_ = quit_end_;
    close(close_reason_);
    return;
  }
  if (upstream_end_ == UpstreamEnd::Open) upstream_end_ = UpstreamEnd::ServerFirst;
  if (phase_ == Phase::Closing) {
    close(close_reason_);
    return;
  }
  close(CloseReason::ServerClosed,
        close_detail_.empty()
            ? fmt::format("server closed the connection during {}", to_string(phase_))
            : close_detail_);
}

void Session::on_greeting_timeout(std::string_view detail) {
  if (phase_ != Phase::Greeting) return;
  send_error_to_client(kUpstreamUnreachableError, "08001",
                       fmt::format("Lost connection to MySQL server at 'reading initial "
                                   "communication packet': {}",
                                   detail),
                       0);
  drop_upstream();
}

void Session::on_handshake_timeout(std::string_view detail) {
  if (phase_ != Phase::Handshake) return;
  // The client's next read would be its authentication result, sequence id 2.
  send_error_to_client(kUpstreamUnreachableError, "08001",
                       fmt::format("Lost connection to MySQL server at 'reading authorization "
                                   "packet': {}",
                                   detail),
                       2);
  close_reason_ = CloseReason::HandshakeAbort;
  close_detail_ = std::string(detail);
  continue_without_client(ClientEnd::Fin, false);
}

void Session::on_close_timeout() {
  if (upstream_end_ == UpstreamEnd::Open) upstream_end_ = UpstreamEnd::Timeout;
  close(close_reason_ == CloseReason::None ? CloseReason::ProxyShutdown : close_reason_);
}

void Session::send_quit_upstream(CloseReason reason) {
  if (close_reason_ == CloseReason::None) close_reason_ = reason;
  const std::uint8_t quit = static_cast<std::uint8_t>(Command::Quit);
  protocol::append_message(ByteView(&quit, 1), 0, to_server_);
  phase_ = Phase::Quitting;
  close_client_ = true;
}

void Session::drop_upstream() {
  if (upstream_end_ == UpstreamEnd::Open) {
    upstream_end_ = phase_ == Phase::Connecting ? UpstreamEnd::NotConnected : UpstreamEnd::Dropped;
  }
  close(close_reason_);
}

void Session::close(CloseReason reason, std::string detail) {
  if (close_reason_ == CloseReason::None) close_reason_ = reason;
  if (close_detail_.empty()) close_detail_ = std::move(detail);
  if (upstream_end_ == UpstreamEnd::Open) upstream_end_ = UpstreamEnd::Dropped;
  phase_ = Phase::Closing;
  close_client_ = true;
  close_server_ = true;
}

bool Session::ending_is_bounded() const {
  if (phase_ == Phase::Quitting || phase_ == Phase::Closing) return true;
  // A command's response ends when the statement does: soon after a KILL QUERY, but MariaDB may
  // take seconds to act on one (it is repeated until it does), and under "finish" it is the
  // statement's own time. At shutdown the proxy's last-resort deadline bounds it.
  if (phase_ == Phase::Command) return false;
  return client_gone_ || shutdown_now_;  // waiting for a greeting or an auth verdict
}

}  // namespace gw::session
