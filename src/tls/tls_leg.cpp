#include "tls/tls_leg.h"

namespace gw::tls {

std::expected<std::unique_ptr<TlsLeg>, std::string> TlsLeg::start(SSL_CTX* ctx, Channel::Role role,
                                                                  const std::string& server_name) {
  auto channel = Channel::create(ctx, role, server_name);
  if (!channel) return std::unexpected(channel.error());
  std::unique_ptr<TlsLeg> leg(new TlsLeg(std::move(*channel)));
  // A client speaks first: its ClientHello is ready at once.
  if (role == Channel::Role::Client) {
    Bytes none;
    leg->channel_.pump(none);
  }
  return leg;
}

void TlsLeg::on_socket_bytes(ByteView encrypted, Bytes& plain) {
  channel_.feed(encrypted);
  channel_.pump(plain);
  after_pump();
}

void TlsLeg::on_socket_eof(Bytes& plain) {
  channel_.on_eof();
  channel_.pump(plain);
}

void TlsLeg::write(Bytes& plain) {
  if (plain.empty()) return;
  if (channel_.state() == Channel::State::Handshaking) {
    waiting_.insert(waiting_.end(), plain.begin(), plain.end());
  } else if (open()) {
    channel_.write(plain);
  }  // closed or failed: nobody will read it
  plain.clear();
}

void TlsLeg::after_pump() {
  if (!open() || waiting_.empty()) return;
  Bytes waiting;
  waiting.swap(waiting_);
  channel_.write(waiting);
}

void TlsLeg::close() {
  waiting_.clear();
  channel_.close();
}

}  // namespace gw::tls
