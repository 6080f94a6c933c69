#include "tls/context.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <ctime>

namespace gw::tls {
namespace {

constexpr long kCommonOptions = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION;

std::unexpected<std::string> problem(const std::string& what) {
  std::string reason = drain_errors();
  return std::unexpected(reason.empty() ? what : what + ": " + reason);
}

std::expected<void, std::string> use_certificate(SSL_CTX* ctx, const std::string& cert,
                                                 const std::string& key) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    return problem("cannot use certificate chain " + cert);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return problem("cannot use private key " + key);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return problem("private key " + key + " does not match certificate " + cert);
  }
  return {};
}

// "2026-03-01 12:00:00 UTC"; "" when OpenSSL cannot read the time.
std::string utc(const ASN1_TIME* time) {
  tm when{};
  if (ASN1_TIME_to_tm(time, &when) != 1) return "";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &when);
  return text;
}

}  // namespace

std::string drain_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

std::string describe_certificate(SSL_CTX* ctx) {
  X509* cert = ctx == nullptr ? nullptr : SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return "no certificate";
  std::string out = "subject ";
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  out += subject;
  if (BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(serial)) {
      out += ", serial 0x";
      out += hex;
      OPENSSL_free(hex);
    }
    BN_free(serial);
  }
  if (const std::string expiry = utc(X509_get0_notAfter(cert)); !expiry.empty()) {
    out += ", expires " + expiry;
  }
  ERR_clear_error();
  return out;
}

std::string certificate_validity_problem(SSL_CTX* ctx) {
  X509* cert = ctx == nullptr ? nullptr : SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return "";
  std::string problem;
  // X509_cmp_current_time: 0 is an unreadable time, which verification refuses as well.
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0) {
    problem = "not valid before " + utc(X509_get0_notBefore(cert));
  } else if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) {
    problem = "expired on " + utc(X509_get0_notAfter(cert));
  }
  ERR_clear_error();
  return problem;
}

std::expected<Context, std::string> make_server_context(const ServerContextSettings& settings) {
  ERR_clear_error();
  Context ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return problem("cannot create a TLS server context");
  SSL_CTX_set_options(ctx.get(),
                      kCommonOptions | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_min_proto_version(ctx.get(), settings.min_version) != 1) {
    return problem("unsupported minimum TLS version");
  }
  if (!settings.ciphers.empty() &&
      SSL_CTX_set_cipher_list(ctx.get(), settings.ciphers.c_str()) != 1) {
    return problem("tls_ciphers '" + settings.ciphers + "' names no usable cipher");
  }
  if (auto used = use_certificate(ctx.get(), settings.cert, settings.key); !used) {
    return std::unexpected(used.error());
  }
  if (!settings.ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), settings.ca.c_str(), nullptr) != 1) {
      return problem("cannot load CA " + settings.ca);
    }
    // Asked for only when client certificates are wanted, and then required.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return ctx;
}

std::expected<Context, std::string> make_client_context(const ClientContextSettings& settings) {
  ERR_clear_error();
  Context ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return problem("cannot create a TLS client context");
  SSL_CTX_set_options(ctx.get(), kCommonOptions);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_min_proto_version(ctx.get(), settings.min_version) != 1) {
    return problem("unsupported minimum TLS version");
  }
  if (!settings.cert.empty()) {
    if (auto used = use_certificate(ctx.get(), settings.cert, settings.key); !used) {
      return std::unexpected(used.error());
    }
  }
  if (settings.verify) {
    if (settings.ca.empty()) {
      if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
        return problem("cannot load the system's CA store");
      }
    } else if (SSL_CTX_load_verify_locations(ctx.get(), settings.ca.c_str(), nullptr) != 1) {
      return problem("cannot load CA " + settings.ca);
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  return ctx;
}

}  // namespace gw::tls
