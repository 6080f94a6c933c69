#pragma once
// TLS contexts, one per listener or upstream, never per connection (building one loads
// certificates and CA stores: costly on OpenSSL 3.0). Each is complete or not made at all: a
// bad file is an error naming the file and OpenSSL's reason, and the caller keeps what it had.
//
// Both roles refuse renegotiation (a HelloRequest from upstream too) and keep the record
// buffers of idle connections released. The server role turns session resumption off
// completely (no tickets, no cache): MySQL 8.0.29+ clients resuming tickets through proxies is
// a known failure (research tls-anchors.md, section 5).

#include <openssl/ssl.h>

#include <expected>
#include <memory>
#include <string>

namespace gw::tls {

struct ContextDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using Context = std::unique_ptr<SSL_CTX, ContextDeleter>;

struct ServerContextSettings {
  std::string cert{};  // PEM, the full chain, leaf first
  std::string key{};   // PEM
  std::string ca{};    // PEM; set: clients must present a certificate it verifies
  int min_version = TLS1_2_VERSION;
  std::string ciphers{};  // TLS 1.2 cipher list; empty: OpenSSL's default
};

struct ClientContextSettings {
  // The server's certificate must verify: against `ca` when set, else the system's CA store.
  bool verify = false;
  std::string ca{};           // PEM
  std::string cert{}, key{};  // a client certificate toward the server, optional
  int min_version = TLS1_2_VERSION;
};

[[nodiscard]] std::expected<Context, std::string> make_server_context(
    const ServerContextSettings& settings);
[[nodiscard]] std::expected<Context, std::string> make_client_context(
    const ClientContextSettings& settings);

// OpenSSL's error queue of this thread as one line ("" when empty), and cleared.
std::string drain_errors();

// The context's own certificate for the log: "subject CN=db.example, serial 0x1F2E, expires
// 2027-03-01 12:00:00 UTC"; "no certificate" when it has none.
std::string describe_certificate(SSL_CTX* ctx);

// Why the context's own certificate cannot be trusted now: "expired on 2026-03-01 12:00:00 UTC"
// or "not valid before …"; "" when it is within its validity (or there is none).
std::string certificate_validity_problem(SSL_CTX* ctx);

}  // namespace gw::tls
