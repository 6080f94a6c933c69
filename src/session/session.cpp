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

void Session::on_upstream_connected() {
  if (phase_ == Phase::Connecting) phase_ = Phase::Greeting;
}

void Session::on_upstream_unreachable(std::string_view detail) {
  // Client libraries report 2003 when they cannot reach a server themselves, but Connector/C
  // (3.3+) rejects a server-sent code in its own 2000-2999 range as a forgery ("malformed
  // packet"), so gracewire sends the same words under the server's error for an unreachable
  // data source, with SQLSTATE 08001 (client unable to establish connection).
  send_error_to_client(kUpstreamUnreachableError, "08001",
                       fmt::format("Can't connect to MySQL server on {}", detail), 0);
  upstream_end_ = UpstreamEnd::NotConnected;
  close(CloseReason::UpstreamUnreachable, std::string(detail));
}

void Session::refuse_client(std::uint16_t code, std::string_view sql_state,
                            std::string_view message) {
  send_error_to_client(code, sql_state, message, 0);
  upstream_end_ = UpstreamEnd::NotConnected;
  close(CloseReason::Refused, std::string(message));
}

void Session::on_client_data(ByteView bytes) {
  if (client_gone_) return;
  if (!client_backlog_.empty()) {
    client_backlog_.insert(client_backlog_.end(), bytes.begin(), bytes.end());
    resume_client();
    return;
  }
  feed_client(bytes);
}

void Session::feed_client(ByteView bytes) {
  auto consumed = client_splitter_.feed(bytes, client_handler_);
  if (!consumed) {
    client_protocol_error(consumed.error(), "bad packet");
    return;
  }
  if (*consumed < bytes.size()) {
    client_backlog_.assign(bytes.begin() + static_cast<std::ptrdiff_t>(*consumed), bytes.end());
  }
}

void Session::resume_client() {
  if (client_gone_ || (client_backlog_.empty() && client_splitter_.at_boundary())) return;
  Bytes backlog;
  backlog.swap(client_backlog_);
  feed_client(backlog);
}

void Session::on_server_data(ByteView bytes) {
  auto consumed = server_splitter_.feed(bytes, server_handler_);
  if (!consumed) server_protocol_error(consumed.error());
}

void Session::send_error_to_client(std::uint16_t code, std::string_view sql_state,
                                   std::string_view message, std::uint8_t sequence_id) {
  // Inside a packet the server is still sending, an ERR could not be read: the close says it.
  if (client_gone_ || server_message_half_forwarded()) return;
  // Before the handshake the client's capabilities are unknown; the SQLSTATE marker goes in
  // anyway: Connector/C reads either form, PyMySQL only the 4.1 one.
  const std::uint64_t capabilities =
      info_.capabilities == 0 ? protocol::cap::kProtocol41 : info_.capabilities;
  Bytes payload;
  protocol::encode_err({code, std::string(sql_state), std::string(message)}, capabilities, payload);
  protocol::append_message(payload, sequence_id, to_client_);
}

}  // namespace gw::session
