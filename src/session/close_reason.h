#pragma once
// How a session ended, from both ends: what the client did (CloseReason, the event log's
// close_kind) and how gracewire ended the upstream connection (UpstreamEnd, upstream_close).
// The words here are the only list of them: the event log (eventlog/close_kinds.h) derives its
// vocabulary from them and a unit test holds README's list to them. They are part of the log's
// documented format and of what `gracewire report` groups by: add words, never rename one.

#include <array>
#include <cstdint>
#include <string_view>

namespace gw::session {

enum class CloseReason : std::uint8_t {
  None,                 // still open
  ClientQuit,           // com_quit: the client sent COM_QUIT
  FinWithoutQuit,       // fin_without_quit: the client closed its socket, idle, no COM_QUIT
  Rst,                  // rst: the client reset the connection while idle
  MidCommand,           // mid_command: the client left with a command in flight
  MidResult,            // mid_result: the client left while a result set was streaming
  HandshakeAbort,       // handshake_abort: the client left before authenticating
  AuthFailed,           // auth_failed: the server refused the credentials
  ProtocolError,        // protocol_error: a malformed or out-of-place packet (either side)
  ServerClosed,         // server_closed: the server ended the connection
  UpstreamUnreachable,  // upstream_unreachable: gracewire could not connect to the server
  Unsupported,          // unsupported: the client asked for what gracewire cannot follow
                        // (an SSLRequest while listener.tls_mode is "disabled")
  Refused,              // refused: gracewire refused the client (too many connections)
  ProxyShutdown,        // proxy_shutdown: gracewire is stopping
  TlsRequired,          // tls_required: TLS was required on a leg that could not have it
  TlsFailed,            // tls_failed: a TLS handshake failed (certificate, version, cipher)
};

enum class UpstreamEnd : std::uint8_t {
  Open,          // not ended yet
  NotConnected,  // not_connected: there never was an upstream session
  ComQuitEof,    // com_quit_eof: COM_QUIT sent, then the server closed; the clean ending
  ServerFirst,   // server_first: the server closed before gracewire asked it to
  Timeout,       // timeout: the server did not close within close_timeout; gracewire did
  Mirrored,      // mirrored: closed the way the client closed (client_abort = "mirror")
  Killed,        // kill: ended with KILL over the control connection, then the server closed
  Dropped,       // dropped: closed without COM_QUIT because nothing clean was possible
};

// Every reason a closed session can have (all but None), in the README's order.
inline constexpr std::array kCloseReasons = {
    CloseReason::ClientQuit,    CloseReason::FinWithoutQuit, CloseReason::Rst,
    CloseReason::MidCommand,    CloseReason::MidResult,      CloseReason::HandshakeAbort,
    CloseReason::AuthFailed,    CloseReason::ProxyShutdown,  CloseReason::ServerClosed,
    CloseReason::ProtocolError, CloseReason::Refused,        CloseReason::UpstreamUnreachable,
    CloseReason::Unsupported,   CloseReason::TlsRequired,    CloseReason::TlsFailed,
};

// Every way an upstream session ends (all but Open), in the README's order.
inline constexpr std::array kUpstreamEnds = {
    UpstreamEnd::ComQuitEof,   UpstreamEnd::ServerFirst, UpstreamEnd::Timeout,
    UpstreamEnd::Mirrored,     UpstreamEnd::Killed,      UpstreamEnd::Dropped,
    UpstreamEnd::NotConnected,
};

// The event log's word (close_kind); "open" for None. A switch, so that a new enumerator
// without a word does not compile.
constexpr std::string_view to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::None:
      return "open";
    case CloseReason::ClientQuit:
      return "com_quit";
    case CloseReason::FinWithoutQuit:
      return "fin_without_quit";
    case CloseReason::Rst:
      return "rst";
    case CloseReason::MidCommand:
      return "mid_command";
    case CloseReason::MidResult:
      return "mid_result";
    case CloseReason::HandshakeAbort:
      return "handshake_abort";
    case CloseReason::AuthFailed:
      return "auth_failed";
    case CloseReason::ProtocolError:
      return "protocol_error";
    case CloseReason::ServerClosed:
      return "server_closed";
    case CloseReason::UpstreamUnreachable:
      return "upstream_unreachable";
    case CloseReason::Unsupported:
      return "unsupported";
    case CloseReason::Refused:
      return "refused";
    case CloseReason::ProxyShutdown:
      return "proxy_shutdown";
    case CloseReason::TlsRequired:
      return "tls_required";
    case CloseReason::TlsFailed:
      return "tls_failed";
  }
  return "unknown";
}

// The event log's word (upstream_close); "open" for Open.
constexpr std::string_view to_string(UpstreamEnd end) {
  switch (end) {
    case UpstreamEnd::Open:
      return "open";
    case UpstreamEnd::NotConnected:
      return "not_connected";
    case UpstreamEnd::ComQuitEof:
      return "com_quit_eof";
    case UpstreamEnd::ServerFirst:
      return "server_first";
    case UpstreamEnd::Timeout:
      return "timeout";
    case UpstreamEnd::Mirrored:
      return "mirrored";
    case UpstreamEnd::Killed:
      return "kill";
    case UpstreamEnd::Dropped:
      return "dropped";
  }
  return "unknown";
}

}  // namespace gw::session
