#include "session/close_reason.h"

namespace gw::session {

std::string_view to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::None:
      return "open";
    case CloseReason::ClientQuit:
      return "com_quit";
    case CloseReason::ClientEof:
      return "fin_without_quit";
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
  }
  return "unknown";
}

}  // namespace gw::session
