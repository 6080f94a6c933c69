#include "session/session.h"

#include <fmt/format.h>

#include "core/errors.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/response.h"

namespace gw::session {

std::string_view to_string(Session::Phase phase) {
  switch (phase) {
    case Session::Phase::Connecting:
      return "connecting";
    case Session::Phase::Greeting:
      return "greeting";
    case Session::Phase::Handshake:
      return "handshake";
    case Session::Phase::Auth:
      return "auth";
    case Session::Phase::Idle:
      return "idle";
    case Session::Phase::Command:
      return "command";
    case Session::Phase::Quitting:
      return "quitting";
    case Session::Phase::Closing:
      return "closing";
  }
  return "unknown";
}

std::string SessionInfo::program() const {
  for (const auto& [key, value] : attributes) {
    if (key == "program_name") return value;
  }
  return {};
}

Session::Session(SessionSettings settings) : settings_(std::move(settings)) {}

Session::~Session() { release_hold(); }

bool Session::in_transaction() const {
  return (exchange_.status_flags() & protocol::status::kInTrans) != 0;
}

Actions& Session::begin() {
  actions_.clear();
  return actions_;
}

Actions& Session::finish() {
  const Timer wanted = wanted_timer();
  if (wanted != armed_timer_) {
    armed_timer_ = wanted;
    actions_.push(ArmTimer{wanted});
  }
  return actions_;
}

// One timer bounds whatever the session waits for. Once an ending has begun its bound stays:
// a server that never closes after COM_QUIT, a client that never reads what is left to flush,
// a greeting or an auth verdict awaited for a client that already left. A command's response is
// not bounded here: it ends when the statement does (soon after a KILL QUERY, though MariaDB may
// take seconds to act on one, or the statement's own time under "finish"); at shutdown the
// proxy's last-resort deadline bounds it.
Timer Session::wanted_timer() const {
  if (armed_timer_ == Timer::Close) return Timer::Close;
  if (phase_ == Phase::Quitting || phase_ == Phase::Closing) return Timer::Close;
  if (phase_ != Phase::Command && (client_.gone() || shutdown_ == Shutdown::Now)) {
    return Timer::Close;
  }
  switch (phase_) {
    case Phase::Connecting:
      return Timer::Connect;
    case Phase::Greeting:
      return Timer::Greeting;
    case Phase::Handshake:
      return Timer::Handshake;
    case Phase::Auth:
      // A TLS handshake with the server is as bounded as its greeting was.
      return awaiting_server_tls_ ? Timer::Greeting : Timer::None;
    default:
      return Timer::None;
  }
}

// Every phase change goes through here, so what a change means is announced in one place.
void Session::set_phase(Phase phase) {
  if (phase == phase_) return;
  if (phase_ == Phase::Command && cancel_requested_) {
    cancel_requested_ = false;
    actions_.push(CancelDone{});
  }
  if (phase == Phase::Handshake) actions_.push(UpstreamGreeted{});
  if (phase_ == Phase::Auth && phase == Phase::Idle) actions_.push(Authenticated{});
  phase_ = phase;
}

Actions& Session::start() {
  begin();
  return finish();
}

Actions& Session::on_upstream_connected() {
  begin();
  server_.connected = true;
  if (phase_ == Phase::Connecting) set_phase(Phase::Greeting);
  return finish();
}

Actions& Session::on_upstream_unreachable(std::string_view detail) {
  begin();
  // Client libraries report 2003 when they cannot reach a server themselves, but Connector/C
  // (3.3+) rejects a server-sent code in its own 2000-2999 range as a forgery ("malformed
  // packet"), so gracewire sends the same words under the server's error for an unreachable
  // data source, with SQLSTATE 08001 (client unable to establish connection).
  send_error_to_client(kUpstreamUnreachableError, "08001",
                       fmt::format("Can't connect to MySQL server on {}", detail), 0);
  if (upstream_end_ == UpstreamEnd::Open) upstream_end_ = UpstreamEnd::NotConnected;
  close(CloseReason::UpstreamUnreachable, std::string(detail));
  return finish();
}

Actions& Session::refuse_client(std::uint16_t code, std::string_view sql_state,
                                std::string_view message) {
  begin();
  send_error_to_client(code, sql_state, message, 0);
  upstream_end_ = UpstreamEnd::NotConnected;
  close(CloseReason::Refused, std::string(message));
  return finish();
}

Actions& Session::on_client_data(ByteView bytes) {
  begin();
  if (client_.gone()) return finish();
  if (!client_.backlog().empty()) {
    client_.backlog().insert(client_.backlog().end(), bytes.begin(), bytes.end());
    resume_client();
    return finish();
  }
  feed_client(bytes);
  return finish();
}

void Session::feed_client(ByteView bytes) {
  auto consumed = client_.splitter().feed(bytes, client_handler_);
  if (!consumed) {
    client_protocol_error(consumed.error(), "bad packet");
    return;
  }
  if (client_tls_starting_) return take_tls_bytes(bytes.subspan(*consumed));
  if (*consumed < bytes.size() && !client_.gone()) {
    client_.backlog().assign(bytes.begin() + static_cast<std::ptrdiff_t>(*consumed), bytes.end());
  }
}

void Session::resume_client() {
  if (client_.gone() || (client_.backlog().empty() && client_.splitter().at_boundary())) return;
  Bytes backlog;
  backlog.swap(client_.backlog());
  feed_client(backlog);
}

Actions& Session::on_server_data(ByteView bytes) {
  begin();
  auto consumed = server_.splitter().feed(bytes, server_handler_);
  if (!consumed) server_protocol_error(consumed.error());
  return finish();
}

void Session::send_error_to_client(std::uint16_t code, std::string_view sql_state,
                                   std::string_view message, std::uint8_t sequence_id) {
  // Inside a packet the server is still sending, an ERR could not be read: the close says it.
  if (!client_.accepts_bytes() || server_.message_half_forwarded()) return;
  // Before the handshake the client's capabilities are unknown; the SQLSTATE marker goes in
  // anyway: Connector/C reads either form, PyMySQL only the 4.1 one.
  const std::uint64_t capabilities =
      info_.capabilities == 0 ? protocol::cap::kProtocol41 : info_.capabilities;
  Bytes payload;
  protocol::encode_err({code, std::string(sql_state), std::string(message)}, capabilities, payload);
  protocol::append_message(payload, sequence_id, actions_.bytes_for(Leg::Client));
}

}  // namespace gw::session
