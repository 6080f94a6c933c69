#include "session/close_reason.h"

namespace gw::session {

std::string_view to_string(CloseReason reason) {
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
  }
  return "unknown";
}

std::string_view to_string(UpstreamEnd end) {
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
