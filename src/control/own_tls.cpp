#include "control/own_tls.h"

#include <fmt/format.h>

namespace gw::control {

std::expected<void, std::string> OwnTls::start(net::Stream& stream, Bytes& ssl_request,
                                               const ControlTls& tls) {
  stream.write(ssl_request);
  auto leg = tls::TlsLeg::start(tls.context.get(), tls::Channel::Role::Client, tls.server_name);
  if (!leg) return std::unexpected(leg.error());
  leg_ = std::move(*leg);
  flush(stream);
  return {};
}

bool OwnTls::receive(net::Stream& stream, ByteView records, Bytes& plain) {
  leg_->on_socket_bytes(records, plain);
  flush(stream);
  return !leg_->failed();
}

void OwnTls::send(net::Stream& stream, Bytes& bytes) {
  if (bytes.empty()) return;
  if (leg_ == nullptr) {
    stream.write(bytes);
    return;
  }
  leg_->write(bytes);
  flush(stream);
}

void OwnTls::close(net::Stream& stream) {
  if (leg_ == nullptr) return;
  leg_->close();
  flush(stream);
}

std::string OwnTls::error() const { return leg_ ? leg_->channel().error() : std::string(); }

std::string OwnTls::describe() const {
  if (leg_ == nullptr) return "";
  return fmt::format(", {} {}", leg_->channel().version(), leg_->channel().cipher());
}

void OwnTls::flush(net::Stream& stream) {
  if (!leg_->to_socket().empty()) stream.write(leg_->to_socket());
}

}  // namespace gw::control
