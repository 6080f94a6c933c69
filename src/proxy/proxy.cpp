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
// The account may not KILL another account's statement: ER_KILL_DENIED_ERROR ("You are not
// owner of thread"), or ER_SPECIFIC_ACCESS_DENIED_ERROR on servers that name the privilege.
constexpr std::uint16_t kKillDenied = 1095;
constexpr std::uint16_t kAccessDenied = 1227;
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
  uv_timer_init(loop_, &audit_timer_);
  // loss = "block": a session the event log could not keep up with waits, unread, until the
  // writer thread says there is room again (the only thread-safe libuv call, uv_async_send).
  uv_async_init(loop_, &event_log_room_, [](uv_async_t* async) {
    auto* self = static_cast<Proxy*>(async->data);
    self->for_each_connection([](Connection& connection) { connection.on_event_log_room(); });
  });
  event_log_room_.data = this;
  if (settings_.event_log != nullptr) {
    settings_.event_log->set_room_callback([async = &event_log_room_] { uv_async_send(async); });
  }
  audit_timer_.data = this;
}

Proxy::~Proxy() = default;

std::expected<void, std::string> Proxy::start() {
  auto listener = net::Listener::start(loop_, settings_.listen.host, settings_.listen.port, {},
                                       [this](net::Listener& accepting) { accept(accepting); });
  if (!listener) return std::unexpected(listener.error());
  listener_ = *listener;
  log_->info("listening on {}:{}, upstream {}", settings_.listen.host, listener_->port(),
             settings_.upstream.to_string());
  if (settings_.control) {
    control_ = new ControlConnection(loop_, settings_.upstream, *settings_.control,
                                     settings_.connect_timeout, settings_.close_timeout);
    // Sessions accepted before the login learn the credentials now, for ending abandoned
    // handshakes; later ones get them in session_settings().
    control_->on_logged_in([this] {
      if (const auto* credentials = handshake_credentials()) {
        for_each_connection([credentials](Connection& connection) {
          connection.offer_handshake_credentials(*credentials);
        });
      }
    });
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

void Proxy::accept(net::Listener& listener) {
  auto* connection = new Connection(*this, next_id_++);
  const bool over_capacity = connections_.size() >= settings_.max_connections;
  connections_.emplace(connection->id(), connection);
  connection->start(listener, over_capacity);
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
  if (const auto* credentials = handshake_credentials()) {
    settings.handshake_credentials = *credentials;
  }
  return settings;
}

const session::ControlCredentials* Proxy::handshake_credentials() const {
  if (control_ == nullptr || !control_->usable_for_handshakes()) return nullptr;
  return &control_->credentials();
}

void Proxy::cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id) {
  if (control_ == nullptr) return;
  if (control_->kill_right() == ControlConnection::KillRight::Denied) {
    // Said once, with the GRANT that fixes it, by the control connection. Without a KILL the
    // statement runs to its end and the session quits after it, as under in_flight = "finish".
    session_log_->debug(
        "[s{}] KILL QUERY {} not sent: the control account may not; the "
        "statement finishes",
        session_id, server_connection_id);
    return;
  }
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
                  on_cancel_answer(server_connection_id, session_id, result);
                });
}

void Proxy::on_cancel_answer(std::uint32_t server_connection_id, std::uint64_t session_id,
                             const ControlConnection::Result* result) {
  if (auto it = cancelling_.find(session_id); it != cancelling_.end()) {
    it->second.in_flight = false;
  }
  if (result == nullptr) {
    session_log_->warn("[s{}] KILL QUERY {} not sent: control connection down", session_id,
                       server_connection_id);
    return;
  }
  // ERR 1094: the statement and its session ended before the KILL arrived.
  if (result->ok || result->error_code == kUnknownThread) return;
  if (result->error_code == kKillDenied || result->error_code == kAccessDenied) {
    // Every retry would be refused too: the statement is let finish. One line per login, not
    // one per retry and session.
    cancelling_.erase(session_id);
    if (control_ != nullptr) {
      control_->kill_refused(server_connection_id, result->error_code, result->error_message);
    }
    session_log_->debug("[s{}] KILL QUERY {} refused; the statement finishes", session_id,
                        server_connection_id);
    return;
  }
  session_log_->warn("[s{}] KILL QUERY {} failed: ERR {}: {}", session_id, server_connection_id,
                     result->error_code, result->error_message);
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

void Proxy::kill_connection(std::uint32_t server_connection_id) {
  if (control_ == nullptr) return;
  control_->run(fmt::format("KILL CONNECTION {}", server_connection_id),
                [this, server_connection_id](const ControlConnection::Result* result) {
                  if (result == nullptr) {
                    log_->warn("KILL CONNECTION {} not sent: control connection down",
                               server_connection_id);
                  } else if (!result->ok) {
                    log_->warn("KILL CONNECTION {} failed: ERR {}: {}", server_connection_id,
                               result->error_code, result->error_message);
                  }
                });
}

// Every signal after the first moves shutdown one step closer to the end, never back.
void Proxy::shutdown() {
  switch (state_) {
    case State::Running:
      break;
    case State::Draining:
      log_->warn("second signal: ending {} remaining connections now", connections_.size());
      drain_now();
      return;
    case State::Cancelling:
      log_->warn("another signal: closing {} remaining connections at once", connections_.size());
      state_ = State::Aborting;
      for_each_connection([](Connection& connection) { connection.abort(); });
      return;
    case State::Auditing:
    case State::QuittingControl:
      log_->warn("another signal: closing the control connection at once");
      stop_control(/*now=*/true);
      return;
    case State::Aborting:
    case State::Stopped:
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
  state_ = State::Cancelling;
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
  const bool ending =
      state_ == State::Draining || state_ == State::Cancelling || state_ == State::Aborting;
  if (!ending || !connections_.empty()) return;
  const bool now = state_ == State::Aborting;
  state_ = State::Auditing;
  uv_timer_stop(&drain_timer_);
  log_->info("all client connections closed");
  if (control_ == nullptr) {
    log_->info("self-audit skipped: no control account configured");
    finish_stop();
    return;
  }
  if (now) {
    log_->warn("self-audit skipped: stopping at once on a repeated signal");
    stop_control(/*now=*/true);
    return;
  }
  start_self_audit();
}

// The audit needs a logged-in control connection. One that failed (login refused, server down)
// is not waited for; one still logging in, or a server slow to answer, gets a bound.
void Proxy::start_self_audit() {
  if (!control_->ready() && !control_->last_error().empty()) {
    skip_self_audit(fmt::format("control connection not ready: {}", control_->last_error()));
    return;
  }
  // The counters settle within close_timeout; one more close_timeout covers a login still under
  // way or a server slow to answer.
  const auto bound = 2 * settings_.close_timeout;
  uv_timer_start(
      &audit_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Proxy*>(timer->data);
        const auto ms = 2 * self->settings_.close_timeout.count();
        if (self->control_->ready()) {
          self->skip_self_audit(fmt::format("the server did not answer within {} ms", ms));
        } else {
          const std::string& error = self->control_->last_error();
          self->skip_self_audit(fmt::format("control connection not ready within {} ms{}{}", ms,
                                            error.empty() ? "" : ": ", error));
        }
      },
      static_cast<std::uint64_t>(bound.count()), 0);
  settle_abort_counters(std::nullopt, std::chrono::steady_clock::now() + settings_.close_timeout);
}

void Proxy::skip_self_audit(const std::string& why) {
  log_->warn("self-audit skipped: {}", why);
  stop_control(/*now=*/false);
}

// Last step: the control connection's own end, bounded by close_timeout (or at once).
void Proxy::stop_control(bool now) {
  uv_timer_stop(&audit_timer_);
  uv_timer_stop(&drain_timer_);  // a settle re-read
  state_ = State::QuittingControl;
  // Statements still queued are answered with nullptr from inside stop(): the audit's callbacks
  // see the state and do nothing.
  auto stopped = [this] {
    control_ = nullptr;
    finish_stop();
  };
  if (now) {
    control_->stop_now(std::move(stopped));
  } else {
    control_->stop(std::move(stopped));
  }
}

// The server counts an abort when its own thread notices the closed socket, a moment after
// gracewire closed it: the counters are read until two reads kSettleMs apart agree (or
// close_timeout passes), then the self-audit is logged and the control connection quit.
void Proxy::settle_abort_counters(std::optional<AbortCounters> previous,
                                  std::chrono::steady_clock::time_point deadline) {
  read_abort_counters([this, previous, deadline](std::optional<AbortCounters> now) {
    if (state_ != State::Auditing) return;  // skipped meanwhile (bound, signal)
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
    stop_control(/*now=*/false);
  });
}

void Proxy::log_self_audit(const std::optional<AbortCounters>& now) {
  if (!now || !abort_baseline_) {
    const std::string& error = control_->last_error();
    log_->warn("self-audit skipped: the control connection could not read the counters {}{}{}",
               now ? "at start-up (no baseline)" : "now", error.empty() ? "" : ": ", error);
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
  uv_close(reinterpret_cast<uv_handle_t*>(&audit_timer_), nullptr);
  if (settings_.event_log != nullptr) settings_.event_log->set_room_callback({});
  uv_close(reinterpret_cast<uv_handle_t*>(&event_log_room_), nullptr);
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
