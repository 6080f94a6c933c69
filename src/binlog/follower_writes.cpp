// The follower's writes to its dump connection: plaintext, or inside TLS once the login started
// it (control/own_tls.h, as gracewire's other own connections).

#include <fmt/format.h>

#include "binlog/follower.h"

namespace gw::binlog {

void Follower::send() {
  if (!stream_ || !session_) return;
  tls_leg_.send(*stream_, session_->to_server());
}

// The login's response waits in the leg until the handshake is done. False when TLS could not
// start (the follower stopped).
bool Follower::start_tls() {
  if (auto started = tls_leg_.start(*stream_, session_->to_server(), settings_.tls); !started) {
    stopped_by_tls_ = true;
    failed(fmt::format("cannot start TLS toward the server: {}", started.error()));
    return false;
  }
  session_->continue_in_tls();
  return true;
}

// COM_QUIT (only before the dump), inside TLS when the login started it, then close_notify.
void Follower::quit() {
  session_->quit();
  send();
  if (stream_) tls_leg_.close(*stream_);
}

}  // namespace gw::binlog
