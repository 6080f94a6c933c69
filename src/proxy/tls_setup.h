#pragma once
// The configuration's TLS keys ([listener] tls_*, [upstream] tls_*) turned, once at start and
// again at each reload, into the contexts and session policies the proxy uses. A context is
// built whole or not at all: a bad file is an error naming the key and the file.

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "proxy/settings.h"

namespace gw::proxy {

struct TlsSetup {
  std::shared_ptr<ssl_ctx_st> client_context;  // toward clients; null: TLS not offered
  std::shared_ptr<ssl_ctx_st> server_context;  // toward the server; null: never used
  std::string server_name;                     // verify_identity's name, also sent as SNI
  bool server_verified = false;                // verify_ca or verify_identity
  session::ClientTls client_mode = session::ClientTls::Off;
  session::ServerTls server_mode = session::ServerTls::Off;
};

[[nodiscard]] std::expected<TlsSetup, std::string> tls_setup(const config::Config& config);

// Puts `setup` into the settings new sessions are made from.
void apply_tls(const TlsSetup& setup, ProxySettings& settings);

// What the setup serves, for the log: "TLS toward clients: preferred, subject …, serial …,
// expires …; toward the server: as the client".
std::string describe(const TlsSetup& setup);

// Why a certificate of the setup cannot pass verification now: "listener certificate expired
// on …", "upstream client certificate (tls_cert) not valid before …". Empty when none.
// At start they are warnings (plaintext clients and clients that do not verify still work);
// a reload refuses them and keeps the running certificates.
std::vector<std::string> certificate_problems(const TlsSetup& setup);

}  // namespace gw::proxy
