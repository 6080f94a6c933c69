#include "proxy/tls_setup.h"

#include "tls/context.h"

namespace gw::proxy {
namespace {

int min_version(config::TlsVersion version) {
  switch (version) {
    case config::TlsVersion::Tls12:
      return TLS1_2_VERSION;
    case config::TlsVersion::Tls13:
      return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

std::shared_ptr<ssl_ctx_st> shared(tls::Context context) {
  return {context.release(), tls::ContextDeleter{}};
}

session::ClientTls client_mode(config::ListenerTls mode) {
  switch (mode) {
    case config::ListenerTls::Disabled:
      return session::ClientTls::Off;
    case config::ListenerTls::Preferred:
      return session::ClientTls::Offer;
    case config::ListenerTls::Required:
      return session::ClientTls::Require;
  }
  return session::ClientTls::Off;
}

session::ServerTls server_mode(config::UpstreamTls mode) {
  switch (mode) {
    case config::UpstreamTls::Disabled:
      return session::ServerTls::Off;
    case config::UpstreamTls::Preferred:
      return session::ServerTls::IfOffered;
    case config::UpstreamTls::Required:
    case config::UpstreamTls::VerifyCa:
    case config::UpstreamTls::VerifyIdentity:
      return session::ServerTls::Require;
    case config::UpstreamTls::AsClient:
      return session::ServerTls::AsClient;
  }
  return session::ServerTls::Off;
}

}  // namespace

std::expected<TlsSetup, std::string> tls_setup(const config::Config& config) {
  TlsSetup setup;
  const config::ListenerConfig& listener = config.listener;
  if (!listener.tls_cert.empty() && listener.tls_mode != config::ListenerTls::Disabled) {
    auto context = tls::make_server_context({.cert = listener.tls_cert,
                                             .key = listener.tls_key,
                                             .ca = listener.tls_ca,
                                             .min_version = min_version(listener.tls_min_version),
                                             .ciphers = listener.tls_ciphers});
    if (!context) return std::unexpected("listener TLS: " + context.error());
    setup.client_context = shared(std::move(*context));
    setup.client_mode = client_mode(listener.tls_mode);
  }
  const config::UpstreamConfig& upstream = config.upstream;
  setup.server_mode = server_mode(upstream.tls_mode);
  // "As the client" with no TLS toward clients is never TLS.
  if (setup.server_mode == session::ServerTls::AsClient && !setup.client_context) {
    setup.server_mode = session::ServerTls::Off;
  }
  if (setup.server_mode == session::ServerTls::Off) return setup;
  const bool verify = upstream.tls_mode == config::UpstreamTls::VerifyCa ||
                      upstream.tls_mode == config::UpstreamTls::VerifyIdentity;
  auto context = tls::make_client_context({.verify = verify,
                                           .ca = upstream.tls_ca,
                                           .cert = upstream.tls_cert,
                                           .key = upstream.tls_key});
  if (!context) return std::unexpected("upstream TLS: " + context.error());
  setup.server_context = shared(std::move(*context));
  setup.server_verified = verify;
  if (upstream.tls_mode == config::UpstreamTls::VerifyIdentity) {
    setup.server_name = upstream.tls_server_name;
    if (setup.server_name.empty() && upstream.address &&
        upstream.address->kind == config::Endpoint::Kind::Tcp) {
      setup.server_name = upstream.address->host;
    }
  }
  return setup;
}

std::vector<std::string> certificate_problems(const TlsSetup& setup) {
  std::vector<std::string> problems;
  if (auto problem = tls::certificate_validity_problem(setup.client_context.get());
      !problem.empty()) {
    problems.push_back("listener certificate (tls_cert) " + problem);
  }
  if (auto problem = tls::certificate_validity_problem(setup.server_context.get());
      !problem.empty()) {
    problems.push_back("upstream client certificate (tls_cert) " + problem);
  }
  return problems;
}

void apply_tls(const TlsSetup& setup, ProxySettings& settings) {
  settings.client_tls = setup.client_context;
  settings.server_tls = setup.server_context;
  settings.server_tls_name = setup.server_name;
  settings.session.client_tls = setup.client_mode;
  settings.session.server_tls = setup.server_mode;
}

}  // namespace gw::proxy

namespace gw::proxy {

std::string describe(const TlsSetup& setup) {
  std::string out = "TLS toward clients: ";
  switch (setup.client_mode) {
    case session::ClientTls::Off:
      out += "off";
      break;
    case session::ClientTls::Offer:
      out += "offered";
      break;
    case session::ClientTls::Require:
      out += "required";
      break;
  }
  if (setup.client_context)
    out += " (" + tls::describe_certificate(setup.client_context.get()) + ")";
  out += "; toward the server: ";
  switch (setup.server_mode) {
    case session::ServerTls::Off:
      out += "off";
      break;
    case session::ServerTls::IfOffered:
      out += "when offered";
      break;
    case session::ServerTls::Require:
      if (!setup.server_verified) {
        out += "required";
      } else if (setup.server_name.empty()) {
        out += "required, verifying the certificate's CA";
      } else {
        out += "required, verifying the certificate's CA and the name " + setup.server_name;
      }
      break;
    case session::ServerTls::AsClient:
      out += "as the client";
      break;
  }
  return out;
}

}  // namespace gw::proxy
