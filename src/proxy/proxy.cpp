#include "proxy/proxy.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "net/listener.h"
#include "proxy/connection.h"

namespace gw::proxy {

namespace {
std::shared_ptr<spdlog::logger> named_logger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::default_logger()->clone(name);
  spdlog::register_logger(logger);
  return logger;
}
}  // namespace

Proxy::Proxy(uv_loop_t* loop, ProxySettings settings)
    : loop_(loop),
      settings_(std::move(settings)),
      log_(named_logger("proxy")),
      session_log_(named_logger("session")) {
  uv_timer_init(loop_, &drain_timer_);
  drain_timer_.data = this;
}

Proxy::~Proxy() = default;

std::expected<void, std::string> Proxy::start() {
  auto listener = net::Listener::start(loop_, settings_.listen.host, settings_.listen.port,
                                       [this](uv_stream_t* server) { accept(server); });
  if (!listener) return std::unexpected(listener.error());
  listener_ = *listener;
  port_ = listener_->port();
  log_->info("listening on {}:{}, upstream {}", settings_.listen.host, port_,
             settings_.upstream.to_string());
  return {};
}

std::uint16_t Proxy::listening_port() const { return port_; }

void Proxy::accept(uv_stream_t* server) {
  auto* connection = new Connection(*this, next_id_++);
  const bool over_capacity = connections_.size() >= settings_.max_connections;
  connections_.insert(connection);
  connection->start(server, over_capacity);
}

void Proxy::forget(Connection* connection) {
  connections_.erase(connection);
  check_stopped();
}

void Proxy::shutdown() {
  if (state_ == State::Stopped) return;
  if (state_ == State::Running) {
    state_ = State::Draining;
    if (listener_ != nullptr) {
      listener_->close();
      listener_ = nullptr;
    }
    log_->info("shutting down: {} connections to drain (at most {} ms)", connections_.size(),
               settings_.drain_timeout.count());
    // Copy: a connection may finish, and leave the registry, while being told.
    const std::vector<Connection*> live(connections_.begin(), connections_.end());
    for (Connection* connection : live) {
      if (connections_.contains(connection)) connection->shutdown();
    }
    uv_timer_start(
        &drain_timer_,
        [](uv_timer_t* timer) {
          auto* self = static_cast<Proxy*>(timer->data);
          self->log_->warn("drain timeout: closing {} remaining connections",
                           self->connections_.size());
          self->abort_all();
        },
        static_cast<std::uint64_t>(settings_.drain_timeout.count()), 0);
    check_stopped();
    return;
  }
  log_->warn("second signal: closing {} remaining connections now", connections_.size());
  abort_all();
}

void Proxy::abort_all() {
  const std::vector<Connection*> live(connections_.begin(), connections_.end());
  for (Connection* connection : live) {
    if (connections_.contains(connection)) connection->abort();
  }
}

void Proxy::check_stopped() {
  if (state_ != State::Draining || !connections_.empty()) return;
  state_ = State::Stopped;
  uv_timer_stop(&drain_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer_), nullptr);
  log_->info("all connections closed");
  if (on_stopped_) on_stopped_();
}

}  // namespace gw::proxy
