#pragma once
// TlsLeg: one side of a connection once the protocol started TLS on it. The socket carries TLS
// records; the session sees only plaintext. Plaintext the session sends before the handshake
// is done (gracewire's HandshakeResponse right behind its SSLRequest) waits here, in order,
// and goes out once the channel is open.

#include <memory>
#include <string>

#include "core/bytes.h"
#include "tls/channel.h"

namespace gw::tls {

class TlsLeg {
 public:
  // `ctx` is referenced by the channel, not owned: a reload may replace the proxy's context
  // while this leg keeps the one it began with.
  [[nodiscard]] static std::expected<std::unique_ptr<TlsLeg>, std::string> start(
      SSL_CTX* ctx, Channel::Role role, const std::string& server_name);

  // Bytes read from the socket; what the peer sent, decrypted, is appended to `plain`.
  void on_socket_bytes(ByteView encrypted, Bytes& plain);
  // The socket's read side ended.
  void on_socket_eof(Bytes& plain);
  // Plaintext for the peer; taken (left empty).
  void write(Bytes& plain);
  // close_notify, once; what was waiting for the handshake is dropped.
  void close();

  // Bytes for the socket, in order; the caller writes and clears them.
  Bytes& to_socket() { return channel_.encrypted(); }
  bool open() const { return channel_.state() == Channel::State::Open; }
  bool failed() const { return channel_.state() == Channel::State::Failed; }
  const Channel& channel() const { return channel_; }

 private:
  explicit TlsLeg(Channel channel) : channel_(std::move(channel)) {}
  void after_pump();

  Channel channel_;
  Bytes waiting_;  // plaintext written before the handshake finished
};

}  // namespace gw::tls
