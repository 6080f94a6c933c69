#include "proxy/proxy.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <utility>
#include <vector>

#include "eventlog/writer.h"
#include "logging/component_logger.h"
#include "net/listener.h"
#include "proxy/connection.h"
#include "proxy/control_connection.h"

namespace gw::proxy {

namespace {
constexpr std::uint16_t kUnknownThread = 1094;  // ER_NO_SUCH_THREAD
}  // namespace

Proxy::Proxy(uv_loop_t* loop, ProxySettings settings)
    : loop_(loop),
      settings_(std::move(settings)),
      log_(logging::component_logger("proxy")),
      session_log_(logging::component_logger("session")) {
  uv_timer_init(loop_, &drain_timer_);
  drain_timer_.data = this;
  uv_timer_init(loop_, &cancel_retry_timer_);
  cancel_retry_timer_.data = this;
}

Proxy::~Proxy() = default;

std::expected<void, std::string> Proxy::start() {
  auto listener = net::Listener::start(loop_, settings_.listen.host, settings_.listen.port,
                                       [this](uv_stream_t* server) { accept(server); });
  if (!listener) return std::unexpected(listener.error());
  listener_ = *listener;
  log_->info("listening on {}:{}, upstream {}", settings_.listen.host, listener_->port(),
             settings_.upstream.to_string());
  if (settings_.control) {
    control_ = new ControlConnection(loop_, settings_.upstream, *settings_.control,
                                     settings_.close_timeout);
    control_->start();
    // The self-audit's baseline: what the server had counted before gracewire's sessions.
    read_abort_counters([this](std::optional<AbortCounters> counters) {
      abort_baseline_ = counters;
      if (counters) {
        log_->info("self-audit baseline: Aborted_clients {}, Aborted_connects {}",
                   counters->clients, counters->connects);
      }
    });
  }
  return {};
}

void Proxy::accept(uv_stream_t* server) {
  auto* connection = new Connection(*this, next_id_++);
  const bool over_capacity = connections_.size() >= settings_.max_connections;
  connections_.emplace(connection->id(), connection);
  connection->start(server, over_capacity);
}

void Proxy::forget(Connection* connection) {
  connections_.erase(connection->id());
  cancelling_.erase(connection->id());
  check_stopped();
}

session::SessionSettings Proxy::session_settings() const {
  session::SessionSettings settings = settings_.session;
  settings.record_events = settings_.event_log != nullptr && settings_.event_log->enabled();
  settings.record_params = settings.record_events && settings_.event_log->settings().params;
  if (control_ != nullptr && control_->usable_for_handshakes()) {
    settings.handshake_credentials = control_->credentials();
  }
  return settings;
}

void Proxy::cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id) {
  if (control_ == nullptr) return;
  cancelling_[session_id] = Cancelling{server_connection_id, true};
  send_cancel(server_connection_id, session_id);
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&cancel_retry_timer_))) {
    uv_timer_start(
        &cancel_retry_timer_,
        [](uv_timer_t* timer) { static_cast<Proxy*>(timer->data)->retry_cancels(); },
        kCancelRetryMs, kCancelRetryMs);
  }
}

void Proxy::send_cancel(std::uint32_t server_connection_id, std::uint64_t session_id) {
  control_->run(fmt::format("KILL QUERY {}", server_connection_id),
                [this, server_connection_id, session_id](const ControlConnection::Result* result) {
                  if (auto it = cancelling_.find(session_id); it != cancelling_.end()) {
                    it->second.in_flight = false;
                  }
                  if (result == nullptr) {
                    session_log_->warn("[s{}] KILL QUERY {} not sent: control connection down",
                                       session_id, server_connection_id);
                  } else if (!result->ok && result->error_code != kUnknownThread) {
                    // ERR 1094: the statement and its session ended before the KILL arrived.
                    session_log_->warn("[s{}] KILL QUERY {} failed: ERR {}: {}", session_id,
                                       server_connection_id, result->error_code,
                                       result->error_message);
                  }
                });
}

// A KILL QUERY can be acknowledged and still not stop the statement: MariaDB 10.11 sets the
// kill flag but, when it cannot take the lock the victim waits under (SELECT SLEEP() sessions
// share one), does not wake it, so it runs on to its end. Asking again wakes it.
void Proxy::retry_cancels() {
  if (cancelling_.empty() || control_ == nullptr) {
    uv_timer_stop(&cancel_retry_timer_);
    return;
  }
  // One KILL per session at a time: a KILL the server is still holding is not doubled.
  for (auto& [session_id, cancelling] : cancelling_) {
    if (cancelling.in_flight) continue;
    cancelling.in_flight = true;
    send_cancel(cancelling.server_connection_id, session_id);
  }
}

void Proxy::cancel_finished(std::uint64_t session_id) { cancelling_.erase(session_id); }

void Proxy::shutdown() {
  if (state_ == State::Stopped || state_ == State::Stopping) return;
  if (state_ == State::Draining) {
    log_->warn("second signal: ending {} remaining connections now", connections_.size());
    drain_now();
    return;
  }
  state_ = State::Draining;
  if (listener_ != nullptr) {
    listener_->close();
    listener_ = nullptr;
  }
  log_->info("shutting down: {} connections to drain (at most {} ms)", connections_.size(),
             settings_.drain_timeout.count());
  // Copy: a connection may finish, and leave the registry, while being told.
  for_each_connection([](Connection& connection) { connection.shutdown(false); });
  uv_timer_start(
      &drain_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Proxy*>(timer->data);
        self->log_->warn("drain timeout: ending {} remaining connections now",
                         self->connections_.size());
        self->drain_now();
      },
      static_cast<std::uint64_t>(settings_.drain_timeout.count()), 0);
  check_stopped();
}

void Proxy::drain_now() {
  for_each_connection([](Connection& connection) { connection.shutdown(true); });
  // Each remaining step is bounded, but a KILL QUERY waits on the server (MariaDB can take two
  // seconds to acknowledge one): this is the bound on all of them together.
  const auto last_resort = 3 * settings_.close_timeout + std::chrono::milliseconds{1000};
  uv_timer_start(
      &drain_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Proxy*>(timer->data);
        self->log_->warn("{} connections still open after the drain deadline; closing them",
                         self->connections_.size());
        self->for_each_connection([](Connection& connection) { connection.abort(); });
      },
      static_cast<std::uint64_t>(last_resort.count()), 0);
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
  if (state_ != State::Draining || !connections_.empty()) return;
  state_ = State::Stopping;
  uv_timer_stop(&drain_timer_);
  log_->info("all client connections closed");
  if (control_ == nullptr) {
    log_->info("self-audit skipped: no control account configured");
    finish_stop();
    return;
  }
  settle_abort_counters(std::nullopt, std::chrono::steady_clock::now() + settings_.close_timeout);
}

// The server counts an abort when its own thread notices the closed socket, a moment after
// gracewire closed it: the counters are read until two reads kSettleMs apart agree (or
// close_timeout passes), then the self-audit is logged and the control connection quit.
void Proxy::settle_abort_counters(std::optional<AbortCounters> previous,
                                  std::chrono::steady_clock::time_point deadline) {
  read_abort_counters([this, previous, deadline](std::optional<AbortCounters> now) {
    const bool settled =
        now && previous && now->clients == previous->clients && now->connects == previous->connects;
    if (now && !settled && std::chrono::steady_clock::now() < deadline) {
      settle_next_ = *now;
      settle_deadline_ = deadline;
      uv_timer_start(
          &drain_timer_,
          [](uv_timer_t* timer) {
            auto* self = static_cast<Proxy*>(timer->data);
            self->settle_abort_counters(self->settle_next_, self->settle_deadline_);
          },
          kSettleMs, 0);
      return;
    }
    log_self_audit(now);
    std::exchange(control_, nullptr)->stop([this] { finish_stop(); });
  });
}

void Proxy::log_self_audit(const std::optional<AbortCounters>& now) {
  if (!now || !abort_baseline_) {
    log_->warn("self-audit unavailable: the control connection could not read the counters");
    return;
  }
  const std::int64_t clients = now->clients - abort_baseline_->clients;
  const std::int64_t connects = now->connects - abort_baseline_->connects;
  // Server-wide counters: another client of the same server can move them too.
  const auto level = clients == 0 && connects == 0 ? spdlog::level::info : spdlog::level::warn;
  log_->log(level, "self-audit: Aborted_clients +{}, Aborted_connects +{} since start", clients,
            connects);
}

void Proxy::finish_stop() {
  state_ = State::Stopped;
  uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&cancel_retry_timer_), nullptr);
  log_->info("stopped: every upstream session is closed");
  if (on_stopped_) on_stopped_();
}

void Proxy::read_abort_counters(std::function<void(std::optional<AbortCounters>)> done) {
  control_->run("SHOW GLOBAL STATUS WHERE Variable_name IN ('Aborted_clients', 'Aborted_connects')",
                [done = std::move(done)](const ControlConnection::Result* result) {
                  if (result == nullptr || !result->ok) return done(std::nullopt);
                  AbortCounters counters;
                  for (const auto& row : result->rows) {
                    if (row.size() < 2 || !row[0] || !row[1]) continue;
                    const std::int64_t value = std::strtoll(row[1]->c_str(), nullptr, 10);
                    if (*row[0] == "Aborted_clients") counters.clients = value;
                    if (*row[0] == "Aborted_connects") counters.connects = value;
                  }
                  done(counters);
                });
}

}  // namespace gw::proxy
