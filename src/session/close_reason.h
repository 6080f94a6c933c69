#pragma once
// How a session ended, from both ends: what the client did (CloseReason, the event log's
// close_kind) and how gracewire ended the upstream connection (UpstreamEnd, upstream_close).

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
  Unsupported,          // unsupported: the client asked for what gracewire cannot follow (TLS)
  Refused,              // refused: gracewire refused the client (too many connections)
  ProxyShutdown,        // proxy_shutdown: gracewire is stopping
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

std::string_view to_string(CloseReason reason);
std::string_view to_string(UpstreamEnd end);

}  // namespace gw::session
