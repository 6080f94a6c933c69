// The follower's writes to its dump connection: plaintext, or inside TLS once the login started
// it (follower.h; TLS as gracewire's other own connections use it, control_tls.h).

#include <fmt/format.h>

#include "binlog/follower.h"

namespace gw::binlog {

void Follower::send() {
  if (!stream_ || !session_ || session_->to_server().empty()) return;
  if (tls_leg_ == nullptr) {
    stream_->write(session_->to_server());
    return;
  }
  tls_leg_->write(session_->to_server());
  write_tls_records();
}

void Follower::write_tls_records() {
  if (stream_ && tls_leg_ && !tls_leg_->to_socket().empty()) stream_->write(tls_leg_->to_socket());
}

// The SSLRequest leaves in plaintext, the ClientHello behind it; the login's response waits in
// the leg until the handshake is done. False when TLS could not start (the attempt is lost).
bool Follower::start_tls() {
  stream_->write(session_->to_server());
  auto leg = tls::TlsLeg::start(settings_.tls.context.get(), tls::Channel::Role::Client,
                                settings_.tls.server_name);
  if (!leg) {
    stopped_by_tls_ = true;
    failed(fmt::format("cannot start TLS toward the server: {}", leg.error()));
    return false;
  }
  tls_leg_ = std::move(*leg);
  session_->continue_in_tls();
  return true;
}

// COM_QUIT (only before the dump), inside TLS when the login started it, then close_notify.
void Follower::quit() {
  session_->quit();
  send();
  if (tls_leg_ != nullptr) {
    tls_leg_->close();
    write_tls_records();
  }
}

}  // namespace gw::binlog
