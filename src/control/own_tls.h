#pragma once
// The TLS of a connection gracewire opens itself (the control account, the binlog dump and the
// connection that ends it), between its sans-IO login session and its stream: plaintext until
// the login asks for TLS, then every byte both ways through one TlsLeg. What those connections
// share lives here once: the SSLRequest in plaintext with the ClientHello behind it, records
// written as soon as they are made, close_notify after COM_QUIT.

#include <expected>
#include <memory>
#include <string>

#include "control/control_tls.h"
#include "core/bytes.h"
#include "net/stream.h"
#include "tls/tls_leg.h"

namespace gw::control {

class OwnTls {
 public:
  // A new connection starts in plaintext.
  void reset() { leg_ = nullptr; }
  bool started() const { return leg_ != nullptr; }

  // The login asked for TLS: the SSLRequest (`ssl_request`, taken) leaves in plaintext and the
  // ClientHello behind it. An error when no TLS session could be made from `tls`.
  [[nodiscard]] std::expected<void, std::string> start(net::Stream& stream, Bytes& ssl_request,
                                                       const ControlTls& tls);
  // Once started: records from the socket; the session's bytes are appended to `plain`. False
  // when TLS failed (error() says why); what TLS still had to send went out.
  [[nodiscard]] bool receive(net::Stream& stream, ByteView records, Bytes& plain);
  // The session's bytes (taken) to the server: as they are, or inside TLS once started.
  void send(net::Stream& stream, Bytes& bytes);
  // After COM_QUIT: close_notify, when TLS started.
  void close(net::Stream& stream);

  std::string error() const;
  // ", TLSv1.3 TLS_AES_256_GCM_SHA384", for the connection's log line; "" in plaintext.
  std::string describe() const;

 private:
  void flush(net::Stream& stream);

  std::unique_ptr<tls::TlsLeg> leg_;
};

}  // namespace gw::control
