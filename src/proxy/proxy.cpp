#include "proxy/proxy.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "eventlog/writer.h"
#include "logging/component_logger.h"
#include "net/async.h"
#include "net/listener.h"
#include "net/timer.h"
#include "proxy/connection.h"

namespace gw::proxy {

Proxy::Proxy(uv_loop_t* loop, ProxySettings settings, control::Service* control)
    : loop_(loop),
      settings_(std::move(settings)),
      log_(logging::component_logger("proxy")),
      session_log_(logging::component_logger("session")),
      control_(control),
      drain_timer_(net::Timer::create(loop, [this] { on_drain_timer(); })),
      // loss = "block": a session the event log could not keep up with waits, unread, until
      // the writer thread says there is room again.
      event_log_room_(net::Async::create(loop, [this] {
        for_each_connection([](Connection& connection) { connection.on_event_log_room(); });
      })) {
  if (!settings_.shared) settings_.shared = std::make_shared<SharedState>();
  if (settings_.event_log != nullptr) {
    event_log_room_subscription_ =
        settings_.event_log->on_room([async = event_log_room_] { async->send(); });
  }
}

Proxy::~Proxy() = default;

std::expected<void, std::string> Proxy::start() {
  // SO_REUSEPORT always: the other loops' listeners, and a new gracewire's during a restart,
  // bind the same address.
  auto listener = net::Listener::start(loop_, settings_.listen.host, settings_.listen.port,
                                       net::Listener::Options{.reuse_port = true},
                                       [this](net::Listener& accepting) { accept(accepting); });
  if (!listener) {
    control_ = nullptr;  // never served a session: nothing to cancel or audit
    return std::unexpected(listener.error());
  }
  listener_ = *listener;
  if (control_ != nullptr) {
    // Sessions accepted before the login learn the credentials now, for ending abandoned
    // handshakes; later ones get them in session_settings().
    control_->on_logged_in([this] {
      if (const auto* credentials = handshake_credentials()) {
        for_each_connection([credentials](Connection& connection) {
          connection.offer_handshake_credentials(*credentials);
        });
      }
    });
  }
  return {};
}

std::uint16_t Proxy::port() const { return listener_ != nullptr ? listener_->port() : 0; }

void Proxy::accept(net::Listener& listener) {
  auto* connection = new Connection(*this, settings_.shared->next_session_id());
  ++metrics_.accepted;
  const bool over_capacity = !settings_.shared->connection_began(settings_.max_connections);
  connections_.emplace(connection->id(), connection);
  connection->start(listener, over_capacity);
}

void Proxy::forget(Connection* connection) {
  connections_.erase(connection->id());
  settings_.shared->connection_ended();
  if (control_ != nullptr) control_->cancel_finished(connection->id());
  check_stopped();
}

session::SessionSettings Proxy::session_settings() const {
  session::SessionSettings settings = settings_.session;
  settings.record_events = settings_.event_log != nullptr && settings_.event_log->enabled();
  settings.record_params = settings.record_events && settings_.event_log->settings().params;
  if (const auto* credentials = handshake_credentials()) {
    settings.handshake_credentials = *credentials;
  } else {
    settings.handshake_credentials_coming = control_ != nullptr && !control_->ready();
  }
  return settings;
}

const session::ControlCredentials* Proxy::handshake_credentials() const {
  return control_ != nullptr ? control_->handshake_credentials() : nullptr;
}

void Proxy::cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id) {
  // By id, not pointer: the connection may be gone by the time the server answers.
  auto answered = [this, session_id] {
    if (auto it = connections_.find(session_id); it != connections_.end()) {
      it->second->cancel_answered();
    }
  };
  if (control_ == nullptr) return answered();
  control_->cancel_query(server_connection_id, session_id, std::move(answered));
}

void Proxy::cancel_finished(std::uint64_t session_id) {
  if (control_ != nullptr) control_->cancel_finished(session_id);
}

void Proxy::kill_connection(std::uint32_t server_connection_id) {
  if (control_ != nullptr) control_->kill_connection(server_connection_id);
}

void Proxy::drain() {
  if (state_ != State::Running) return;
  stay_after_drain_ = true;  // first: a session may end, and check_stopped() run, in begin_drain()
  begin_drain("draining (asked for over the admin endpoint)");
  check_stopped();
}

// Every signal after the first moves shutdown one step closer to the end, never back. After
// drain(), the first signal only lets the process stop once the drain is done.
void Proxy::shutdown() {
  if (std::exchange(stay_after_drain_, false)) {
    log_->info("{}signal after a drain: stopping once the drain is done", settings_.log_prefix);
    check_stopped();
    return;
  }
  switch (state_) {
    case State::Running:
      break;
    case State::Draining:
      log_->warn("{}second signal: ending {} remaining connections now", settings_.log_prefix,
                 connections_.size());
      drain_now();
      return;
    case State::Cancelling:
      log_->warn("{}another signal: closing {} remaining connections at once", settings_.log_prefix,
                 connections_.size());
      state_ = State::Aborting;
      for_each_connection([](Connection& connection) { connection.abort(); });
      return;
    case State::Aborting:
    case State::Stopped:
      return;
  }
  begin_drain("shutting down");
  check_stopped();
}

void Proxy::begin_drain(std::string_view why) {
  state_ = State::Draining;
  if (listener_ != nullptr) {
    listener_->close();
    listener_ = nullptr;
  }
  log_->info("{}{}: {} connections to drain (at most {} ms)", settings_.log_prefix, why,
             connections_.size(), settings_.drain_timeout.count());
  // Copy: a connection may finish, and leave the registry, while being told.
  for_each_connection([](Connection& connection) { connection.shutdown(false); });
  drain_timer_->start(settings_.drain_timeout);
}

void Proxy::on_drain_timer() {
  if (state_ == State::Draining) {
    log_->warn("{}drain timeout: ending {} remaining connections now", settings_.log_prefix,
               connections_.size());
    drain_now();
    return;
  }
  log_->warn("{}{} connections still open after the drain deadline; closing them",
             settings_.log_prefix, connections_.size());
  for_each_connection([](Connection& connection) { connection.abort(); });
}

void Proxy::drain_now() {
  state_ = State::Cancelling;
  for_each_connection([](Connection& connection) { connection.shutdown(true); });
  // Each remaining step is bounded, but a KILL QUERY waits on the server (MariaDB can take two
  // seconds to acknowledge one): this is the bound on all of them together.
  drain_timer_->start(3 * settings_.close_timeout + std::chrono::milliseconds{1000});
}

void Proxy::for_each_connection(const std::function<void(Connection&)>& action) {
  // Ids, not pointers: a connection may finish, and leave the registry, during another's turn.
  std::vector<std::uint64_t> ids;
  ids.reserve(connections_.size());
  for (const auto& [id, connection] : connections_) ids.push_back(id);
  for (std::uint64_t id : ids) {
    if (auto it = connections_.find(id); it != connections_.end()) action(*it->second);
  }
}

void Proxy::check_stopped() {
  const bool ending =
      state_ == State::Draining || state_ == State::Cancelling || state_ == State::Aborting;
  if (!ending || !connections_.empty()) return;
  drain_timer_->stop();
  if (stay_after_drain_) {
    if (on_drained_) on_drained_();
    return;
  }
  finish_stop(/*now=*/state_ == State::Aborting);
}

// The proxy's last step: its own handles close; the self-audit and the control service are
// the application's.
void Proxy::finish_stop(bool now) {
  state_ = State::Stopped;
  drain_timer_->close();
  event_log_room_subscription_.reset();
  event_log_room_->close();
  if (on_stopped_) on_stopped_(now);
}

}  // namespace gw::proxy
