// TLS in the login (issue 11): the client's SSLRequest, gracewire's own toward the server, and
// the sequence ids that differ by one while only one leg is encrypted:
//
//   client leg, TLS:    greeting 0, SSLRequest 1 ─TLS─ HandshakeResponse 2, auth 3, 4, …
//   server leg, plain:  greeting 0,                    HandshakeResponse 1, auth 2, 3, …
//
// Each leg keeps its own numbering until authentication ends; commands start at 0 on both.
// The TLS handshakes themselves run in the proxy (StartTls): the session only ever sees the
// plaintext inside them.

#include <fmt/format.h>

#include <algorithm>

#include "core/errors.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/handshake.h"
#include "session/session.h"

namespace gw::session {

using protocol::Message;

namespace {
constexpr std::uint16_t kSslConnectionError = 2026;  // CR_SSL_CONNECTION_ERROR, as clients say it
// ER_SECURE_TRANSPORT_REQUIRED: what MySQL answers under require_secure_transport.
constexpr std::uint16_t kSecureTransportRequired = 3159;
}  // namespace

// The client asks for TLS. Its ClientHello follows at once, often in the same read: the splitter
// stops right after this message and take_tls_bytes() hands the rest to the TLS layer.
Result<void> Session::on_client_ssl_request(const Message& m) {
  if (settings_.client_tls == ClientTls::Off || client_tls_) return fail(codec_errc::unsupported);
  if (auto request = protocol::decode_ssl_request(m.head); !request) return fail(request.error());
  client_tls_ = true;
  client_tls_starting_ = true;
  client_.route = Route::Drop;  // it is gracewire's to answer, not the server's
  client_.splitter().stop_after_message();
  return {};
}

void Session::take_tls_bytes(ByteView rest) {
  client_tls_starting_ = false;
  actions_.push(StartTls{Leg::Client, Bytes(rest.begin(), rest.end())});
}

// Decided once the client's HandshakeResponse is in, so that "as the client" can be honoured.
// False when the login was refused.
bool Session::decide_server_tls() {
  const std::uint64_t server = server_.greeting.capabilities;
  const bool offered =
      (server & protocol::cap::kSsl) != 0 && (server & protocol::cap::kProtocol41) != 0;
  switch (settings_.server_tls) {
    case ServerTls::Off:
      return true;
    case ServerTls::IfOffered:
      server_tls_ = offered;
      return true;
    case ServerTls::AsClient:
      server_tls_ = client_tls_ && offered;
      return true;
    case ServerTls::Require:
      if (offered) {
        server_tls_ = true;
        return true;
      }
      refuse_login(CloseReason::TlsRequired, kSslConnectionError,
                   "TLS/SSL error: the server does not offer TLS, and gracewire's "
                   "upstream.tls_mode requires it",
                   static_cast<std::uint8_t>(client_.last_sequence_id + 1));
      return false;
  }
  return true;
}

Result<void> Session::refuse_plaintext_client(const Message& m) {
  client_.last_sequence_id = m.last_sequence_id;
  refuse_login(CloseReason::TlsRequired, kSecureTransportRequired,
               "Connections using insecure transport are prohibited: gracewire's "
               "listener.tls_mode is \"required\"",
               static_cast<std::uint8_t>(m.last_sequence_id + 1));
  return {};
}

// A login gracewire itself refuses: the client hears why, and the upstream session, greeted but
// never sent the client's credentials, is ended as an abandoned handshake.
void Session::refuse_login(CloseReason reason, std::uint16_t code, std::string_view message,
                           std::uint8_t sequence_id) {
  send_error_to_client(code, "08S01", message, sequence_id);
  settle_close(reason, std::string(message));
  client_.route = Route::Drop;
  continue_without_client(ClientEnd::Fin, false);
}

Actions& Session::on_tls_failed(Leg leg, std::string_view detail) {
  begin();
  const std::string why =
      fmt::format("TLS with the {} failed: {}", leg == Leg::Client ? "client" : "server", detail);
  if (leg == Leg::Client) {
    // No plaintext ERR can reach a client inside a failed handshake.
    settle_close(CloseReason::TlsFailed, why);
    if (!client_.gone()) continue_without_client(ClientEnd::Fin, false);
  } else {
    // The server leg is mid-handshake: nothing clean is left there.
    send_error_to_client(kSslConnectionError, "08S01", "TLS/SSL error: " + why,
                         to_client_sequence(exchange_.next_sequence_id()));
    settle_close(CloseReason::TlsFailed, why);
    drop_upstream();
  }
  return finish();
}

void Session::on_server_tls_timeout(std::string_view detail) {
  const std::string why = fmt::format("TLS handshake with the server did not finish: {}", detail);
  send_error_to_client(kSslConnectionError, "08S01", "TLS/SSL error: " + why,
                       to_client_sequence(exchange_.next_sequence_id()));
  settle_close(CloseReason::TlsFailed, why);
  awaiting_server_tls_ = false;
  drop_upstream();
}

namespace {

// Plugins whose answer, on a connection the client believes secure, is the password itself.
bool answers_with_password(std::string_view plugin, bool full_auth_asked) {
  return plugin == "mysql_clear_password" || plugin == "dialog" || plugin == "sha256_password" ||
         (plugin == "caching_sha2_password" && full_auth_asked);
}

// sha256_password's (1) and caching_sha2_password's (2) request for the server's public key:
// what a client on a plaintext connection sends instead of the password.
bool asks_for_public_key(std::string_view plugin, ByteView answer) {
  if (answer.size() != 1) return false;
  return (plugin == "sha256_password" && answer[0] == 0x01) ||
         (plugin == "caching_sha2_password" && answer[0] == 0x02);
}

}  // namespace

// Auth switch (0xFE, plugin name) and caching_sha2_password's "perform full authentication"
// (0x01 0x04): what the client's next packet will carry.
void Session::follow_server_auth_message(const Message& m) {
  if (m.head.empty()) return;
  if (m.head[0] == protocol::kAuthSwitchHeader && m.head.size() > 1) {
    const ByteView rest = m.head.subspan(1);
    const auto end = std::find(rest.begin(), rest.end(), std::uint8_t{0});
    auth_plugin_now_.assign(rest.begin(), end);
    full_auth_asked_ = false;
  } else if (m.head[0] == protocol::kAuthMoreDataHeader && m.head.size() == 2 &&
             m.head[1] == 0x04) {
    full_auth_asked_ = true;
  }
}

// While only one leg is encrypted, two answers must not cross as they are: a password the client
// sent inside TLS would reach the server in plaintext, and a plaintext client's request for the
// server's public key would reach a server that, on its TLS connection, reads it as the password.
// The client is told which setting to change; the server, mid-authentication, can only be
// dropped.
bool Session::auth_answer_may_cross(ByteView answer, std::uint8_t reply_sequence) {
  if (client_tls_ == server_tls_) return true;
  const std::string_view plugin = auth_plugin_now_;
  std::string why;
  if (client_tls_ && answers_with_password(plugin, full_auth_asked_) &&
      !asks_for_public_key(plugin, answer)) {
    why = fmt::format(
        "gracewire will not send a password it received over TLS to the server in plaintext "
        "({}): the server must offer TLS and upstream.tls_mode be \"as_client\" or "
        "\"required\"",
        plugin);
  } else if (!client_tls_ && asks_for_public_key(plugin, answer)) {
    why = fmt::format(
        "{} asks for the server's public key over a plaintext client connection while "
        "gracewire's leg to the server is TLS: connect the client with TLS, or set "
        "upstream.tls_mode = \"as_client\"",
        plugin);
  } else {
    return true;
  }
  send_error_to_client(kSslConnectionError, "08S01", "TLS/SSL error: " + why, reply_sequence);
  settle_close(CloseReason::TlsRequired, why);
  client_.route = Route::Drop;
  // Refused with the HandshakeResponse, the upstream still ends as an abandoned handshake.
  if (phase_ == Phase::Handshake) {
    continue_without_client(ClientEnd::Fin, false);
  } else {
    drop_upstream();
  }
  return false;
}

std::uint8_t Session::to_client_sequence(std::uint8_t server_sequence) const {
  if (!shifts_sequence_ids()) return server_sequence;
  return static_cast<std::uint8_t>(client_tls_ ? server_sequence + 1 : server_sequence - 1);
}

std::uint8_t Session::to_server_sequence(std::uint8_t client_sequence) const {
  if (!shifts_sequence_ids()) return client_sequence;
  return static_cast<std::uint8_t>(client_tls_ ? client_sequence - 1 : client_sequence + 1);
}

Message Session::renumbered_for_server(const Message& m) const {
  Message out = m;
  out.first_sequence_id = to_server_sequence(m.first_sequence_id);
  out.last_sequence_id = to_server_sequence(m.last_sequence_id);
  return out;
}

}  // namespace gw::session
