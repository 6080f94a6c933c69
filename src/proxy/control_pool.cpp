#include "proxy/control_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace gw::proxy {

namespace {
constexpr std::uint16_t kUnknownThread = 1094;  // ER_NO_SUCH_THREAD
}  // namespace

ControlPool::ControlPool(uv_loop_t* loop, config::Endpoint upstream,
                         session::ControlCredentials credentials,
                         std::chrono::milliseconds close_timeout,
                         std::shared_ptr<spdlog::logger> log)
    : loop_(loop),
      upstream_(std::move(upstream)),
      credentials_(std::move(credentials)),
      close_timeout_(close_timeout),
      log_(std::move(log)) {}

void ControlPool::start() { open_connection(); }

ControlConnection* ControlPool::open_connection() {
  auto* connection = new ControlConnection(loop_, upstream_, credentials_, close_timeout_);
  connection->on_idle([this] { dispatch(); });
  connections_.push_back(connection);
  connection->start();
  return connection;
}

bool ControlPool::usable_for_handshakes() const {
  return !connections_.empty() && connections_.front()->usable_for_handshakes();
}

void ControlPool::run(std::string sql, ControlConnection::Callback done) {
  if (connections_.empty()) {
    if (done) done(nullptr);
    return;
  }
  connections_.front()->run(std::move(sql), std::move(done));
}

void ControlPool::cancel(std::uint32_t server_connection_id, std::uint64_t session_id,
                         std::function<void(bool answered)> done) {
  if (stopping_ || connections_.empty()) return;
  cancels_.push_back({server_connection_id, session_id, std::move(done)});
  dispatch();
}

void ControlPool::dispatch() {
  while (!cancels_.empty() && !stopping_) {
    auto idle = std::find_if(connections_.begin(), connections_.end(),
                             [](const ControlConnection* c) { return c->idle(); });
    if (idle == connections_.end()) {
      // Every connection is busy (or still logging in): open one more while allowed; the
      // queued cancels go out as connections turn idle.
      const bool logging_in = std::any_of(connections_.begin(), connections_.end(),
                                          [](const ControlConnection* c) { return !c->ready(); });
      if (!logging_in && connections_.size() < kMaxConnections) open_connection();
      return;
    }
    const Cancel cancel = cancels_.front();
    cancels_.pop_front();
    (*idle)->run(
        fmt::format("KILL QUERY {}", cancel.server_connection_id),
        [this, cancel](const ControlConnection::Result* result) {
          if (result == nullptr) {
            log_->warn("[s{}] KILL QUERY {} not sent: control connection down", cancel.session_id,
                       cancel.server_connection_id);
          } else if (!result->ok && result->error_code == kUnknownThread) {
            // The statement ended and the session quit before this KILL arrived: nothing to do.
            log_->debug("[s{}] KILL QUERY {}: already gone", cancel.session_id,
                        cancel.server_connection_id);
          } else if (!result->ok) {
            log_->warn("[s{}] KILL QUERY {} failed: ERR {}: {}", cancel.session_id,
                       cancel.server_connection_id, result->error_code, result->error_message);
          } else {
            log_->debug("[s{}] KILL QUERY {} done", cancel.session_id, cancel.server_connection_id);
          }
          if (cancel.done) cancel.done(result != nullptr);
        });
  }
}

void ControlPool::stop(std::function<void()> on_stopped) {
  stopping_ = true;
  for (const Cancel& cancel : cancels_) {
    log_->warn("[s{}] KILL QUERY {} not sent: stopping", cancel.session_id,
               cancel.server_connection_id);
  }
  cancels_.clear();
  auto remaining = std::make_shared<std::size_t>(connections_.size());
  auto connections = std::exchange(connections_, {});
  if (connections.empty()) {
    on_stopped();
    return;
  }
  for (ControlConnection* connection : connections) {
    connection->stop([remaining, on_stopped] {
      if (--*remaining == 0) on_stopped();
    });
  }
}

}  // namespace gw::proxy
