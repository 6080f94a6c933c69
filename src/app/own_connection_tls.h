#pragma once
// TLS for the connections gracewire opens as itself (the control account, the binlog dump and
// the connection that ends it): upstream.tls_mode read for a connection that follows no client.
//
//   disabled              never
//   preferred, as_client  when the server offers it, unverified (as_client only once the
//                         listener has a certificate: tls_setup() makes no context otherwise)
//   required              always; a server without TLS refuses the login
//   verify_ca, verify_identity  always, with the upstream leg's checks

#include "control/control_tls.h"
#include "proxy/tls_setup.h"

namespace gw::app {

[[nodiscard]] control::ControlTls own_connection_tls(const proxy::TlsSetup& setup);

}  // namespace gw::app
