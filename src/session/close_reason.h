#pragma once
// Why a session ended, as gracewire's logs (and later its event log) name it.

#include <cstdint>
#include <string_view>

namespace gw::session {

enum class CloseReason : std::uint8_t {
  None,                 // still open
  ClientQuit,           // the client sent COM_QUIT
  ClientEof,            // the client closed its socket without COM_QUIT
  HandshakeAbort,       // the client left before authenticating
  AuthFailed,           // the server refused the credentials
  ProtocolError,        // a malformed or out-of-place packet (either side)
  ServerClosed,         // the server ended the connection
  UpstreamUnreachable,  // gracewire could not connect to the server
  Unsupported,          // the client asked for something gracewire cannot follow (TLS, 3.20 auth)
  Refused,              // gracewire refused the client (too many connections)
  ProxyShutdown,        // gracewire is stopping
};

std::string_view to_string(CloseReason reason);

}  // namespace gw::session
