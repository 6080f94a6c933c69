#pragma once
// Channel: one TLS connection over memory BIOs, sans-IO. The socket's bytes go in with feed();
// what the peer sent comes out decrypted from pump(); plain bytes to send go in with write();
// whatever TLS has to put on the wire (handshake, records, alerts, close_notify, TLS 1.3
// tickets and key updates) is collected after every OpenSSL call in encrypted(), for the
// caller to write. No socket, no thread, no blocking: libuv streams carry the bytes.
//
//   Handshaking --handshake done--> Open --close() or the peer's close_notify--> Closed
//        any fatal TLS error, or the peer's FIN without close_notify --> Failed
//
// OpenSSL's error queue is per thread and shared by every session on a loop: it is cleared
// before each call and drained into this channel's error() after a failure, so one session's
// error never surfaces in another (research tls-anchors.md, section 5, pitfall 1).

#include <openssl/ssl.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "core/bytes.h"

namespace gw::tls {

class Channel {
 public:
  enum class Role : std::uint8_t { Server, Client };
  enum class State : std::uint8_t { Handshaking, Open, Closed, Failed };

  // `ctx` from context.h (the channel keeps its own reference). A client may name the server
  // (SNI, and the name its certificate must carry when the context verifies).
  [[nodiscard]] static std::expected<Channel, std::string> create(
      SSL_CTX* ctx, Role role, const std::string& server_name = {});

  // Bytes read from the socket.
  void feed(ByteView encrypted);
  // The socket's read side ended (FIN): from now on a missing close_notify is an error.
  void on_eof();
  // Advances the handshake and appends what the peer sent, decrypted, to `plain`. Call after
  // feed() and on_eof(); a client calls it once first, to produce its ClientHello.
  void pump(Bytes& plain);
  // Encrypts `plain` (only while Open; false otherwise).
  bool write(ByteView plain);
  // Sends close_notify (once); the channel is Closed for writing.
  void close();

  // Bytes TLS produced for the socket; the caller takes them (clear or swap) after writing.
  Bytes& encrypted() { return out_; }
  State state() const { return state_; }
  // The peer ended with close_notify (not a bare FIN).
  bool peer_closed_cleanly() const { return peer_close_notify_; }
  // The peer's socket closed where close_notify belonged (the channel is Failed).
  bool peer_dropped() const { return peer_dropped_; }
  // Why the channel failed, in OpenSSL's words plus ours.
  const std::string& error() const { return error_; }
  std::string version() const;  // "TLSv1.3"; empty before the handshake
  std::string cipher() const;
  // The peer certificate's subject ("/CN=client-1"), when it presented one that verified.
  std::string peer_subject() const;

 private:
  struct SslDeleter {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  explicit Channel(SSL* ssl, BIO* in, BIO* out) : ssl_(ssl), in_(in), out_bio_(out) {}
  void fail(int result, const char* during);
  void flush();
  void read_records(Bytes& plain);

  std::unique_ptr<SSL, SslDeleter> ssl_;
  BIO* in_;       // owned by ssl_
  BIO* out_bio_;  // owned by ssl_
  Bytes out_;
  State state_ = State::Handshaking;
  bool eof_ = false;
  bool peer_close_notify_ = false;
  bool peer_dropped_ = false;
  std::string error_;
};

}  // namespace gw::tls
