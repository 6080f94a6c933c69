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
      settle_timer_(net::Timer::create(
          loop, [this] { settle_abort_counters(settle_next_, settle_deadline_); })),
      audit_timer_(net::Timer::create(loop, [this] { on_audit_bound(); })),
      // loss = "block": a session the event log could not keep up with waits, unread, until
      // the writer thread says there is room again.
      event_log_room_(net::Async::create(loop, [this] {
        for_each_connection([](Connection& connection) { connection.on_event_log_room(); });
      })) {
  if (settings_.event_log != nullptr) {
    event_log_room_subscription_ =
        settings_.event_log->on_room([async = event_log_room_] { async->send(); });
  }
}

Proxy::~Proxy() = default;

std::expected<void, std::string> Proxy::start() {
  auto listener = net::Listener::start(loop_, settings_.listen.host, settings_.listen.port, {},
                                       [this](net::Listener& accepting) { accept(accepting); });
  if (!listener) {
    control_ = nullptr;  // never served a session: nothing to cancel or audit
    return std::unexpected(listener.error());
  }
  listener_ = *listener;
  log_->info("listening on {}:{}, upstream {}", settings_.listen.host, listener_->port(),
             settings_.upstream.to_string());
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
    // The self-audit's baseline: what the server had counted before gracewire's sessions.
    control_->read_abort_counters([this](std::optional<control::AbortCounters> counters) {
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
  ++metrics_.accepted;
  const bool over_capacity = connections_.size() >= settings_.max_connections;
  connections_.emplace(connection->id(), connection);
  connection->start(listener, over_capacity);
}

void Proxy::forget(Connection* connection) {
  connections_.erase(connection->id());
  if (control_ != nullptr) control_->cancel_finished(connection->id());
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
    log_->info("signal after a drain: stopping once the drain is done");
    check_stopped();
    return;
  }
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
      log_->warn("another signal: closing the control connection at once");
      finish_stop(/*now=*/true);
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
  log_->info("{}: {} connections to drain (at most {} ms)", why, connections_.size(),
             settings_.drain_timeout.count());
  // Copy: a connection may finish, and leave the registry, while being told.
  for_each_connection([](Connection& connection) { connection.shutdown(false); });
  drain_timer_->start(settings_.drain_timeout);
}

void Proxy::on_drain_timer() {
  if (state_ == State::Draining) {
    log_->warn("drain timeout: ending {} remaining connections now", connections_.size());
    drain_now();
    return;
  }
  log_->warn("{} connections still open after the drain deadline; closing them",
             connections_.size());
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
  if (stay_after_drain_) {
    drain_timer_->stop();
    log_->info("drained: every client connection closed; gracewire stays until a signal");
    return;
  }
  const bool now = state_ == State::Aborting;
  state_ = State::Auditing;
  drain_timer_->stop();
  log_->info("all client connections closed");
  if (control_ == nullptr) {
    log_->info("self-audit skipped: no control account configured");
    finish_stop(/*now=*/false);
    return;
  }
  if (now) {
    log_->warn("self-audit skipped: stopping at once on a repeated signal");
    finish_stop(/*now=*/true);
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
  audit_timer_->start(2 * settings_.close_timeout);
  settle_abort_counters(std::nullopt, std::chrono::steady_clock::now() + settings_.close_timeout);
}

void Proxy::on_audit_bound() {
  const auto ms = 2 * settings_.close_timeout.count();
  if (control_->ready()) {
    skip_self_audit(fmt::format("the server did not answer within {} ms", ms));
  } else {
    const std::string& error = control_->last_error();
    skip_self_audit(fmt::format("control connection not ready within {} ms{}{}", ms,
                                error.empty() ? "" : ": ", error));
  }
}

void Proxy::skip_self_audit(const std::string& why) {
  log_->warn("self-audit skipped: {}", why);
  finish_stop(/*now=*/false);
}

// The server counts an abort when its own thread notices the closed socket, a moment after
// gracewire closed it: the counters are read until two reads kSettle apart agree (or
// close_timeout passes), then the self-audit is logged.
void Proxy::settle_abort_counters(std::optional<control::AbortCounters> previous,
                                  std::chrono::steady_clock::time_point deadline) {
  control_->read_abort_counters([this, previous,
                                 deadline](std::optional<control::AbortCounters> now) {
    if (state_ != State::Auditing) return;  // skipped meanwhile (bound, signal)
    const bool settled =
        now && previous && now->clients == previous->clients && now->connects == previous->connects;
    if (now && !settled && std::chrono::steady_clock::now() < deadline) {
      settle_next_ = *now;
      settle_deadline_ = deadline;
      settle_timer_->start(kSettle);
      return;
    }
    log_self_audit(now);
    finish_stop(/*now=*/false);
  });
}

void Proxy::log_self_audit(const std::optional<control::AbortCounters>& now) {
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

// The proxy's last step: its own handles close; the control service is the application's to
// quit (at once with `now`).
void Proxy::finish_stop(bool now) {
  state_ = State::Stopped;
  drain_timer_->close();
  settle_timer_->close();
  audit_timer_->close();
  event_log_room_subscription_.reset();
  event_log_room_->close();
  if (on_stopped_) on_stopped_(now);
}

}  // namespace gw::proxy
