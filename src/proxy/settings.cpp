#include "proxy/settings.h"

namespace gw::proxy {

net::Target ProxySettings::upstream_target() const {
  if (upstream.kind == config::Endpoint::Kind::Unix) {
    return net::Target{net::Target::Kind::Unix, {}, 0, upstream.path};
  }
  return net::Target{net::Target::Kind::Tcp, upstream.host, upstream.port, {}};
}

}  // namespace gw::proxy
