#pragma once
// TLS toward the server for gracewire's own connections (the control account, the binlog
// account's killer), which follow no client.

#include <openssl/types.h>

#include <memory>
#include <string>

#include "protocol/client_login.h"

namespace gw::control {

// upstream's tls_mode read as "use TLS when the server offers it" or "require it" (app/run.cpp
// decides), with the upstream leg's context and the name its certificate must carry.
struct ControlTls {
  std::shared_ptr<ssl_ctx_st> context;  // null: plaintext
  std::string server_name;
  protocol::LoginTls mode = protocol::LoginTls::Off;
};

}  // namespace gw::control
