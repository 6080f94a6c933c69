#include "app/own_connection_tls.h"

namespace gw::app {

control::ControlTls own_connection_tls(const proxy::TlsSetup& setup) {
  control::ControlTls tls{.context = setup.server_context, .server_name = setup.server_name};
  switch (setup.server_mode) {
    case session::ServerTls::Off:
      tls.mode = protocol::LoginTls::Off;
      break;
    case session::ServerTls::IfOffered:
    case session::ServerTls::AsClient:
      tls.mode = protocol::LoginTls::IfOffered;
      break;
    case session::ServerTls::Require:
      tls.mode = protocol::LoginTls::Require;
      break;
  }
  return tls;
}

}  // namespace gw::app
