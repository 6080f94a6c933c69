#include "control/control_service.h"

#include <spdlog/spdlog.h>

#include <cassert>
#include <cstdlib>
#include <utility>

#include "control/control_connection.h"
#include "logging/component_logger.h"
#include "net/timer.h"

namespace gw::control {

namespace {
constexpr std::chrono::milliseconds kCancelRetry{500};
constexpr std::uint16_t kUnknownThread = 1094;  // ER_NO_SUCH_THREAD
// The account may not KILL another account's statement: ER_KILL_DENIED_ERROR ("You are not
// owner of thread"), or ER_SPECIFIC_ACCESS_DENIED_ERROR on servers that name the privilege.
constexpr std::uint16_t kKillDenied = 1095;
constexpr std::uint16_t kAccessDenied = 1227;

using Result = session::ControlSession::QueryResult;
}  // namespace

ControlService::ControlService(uv_loop_t* loop, const Settings& settings)
    : log_(logging::component_logger("control")),
      session_log_(logging::component_logger("session")),
      connection_(new ControlConnection(loop, settings.upstream, settings.credentials,
                                        settings.connect_timeout, settings.close_timeout,
                                        settings.own_threads_only, settings.tls)),
      retry_timer_(net::Timer::create(loop, [this] { retry_cancels(); })) {
  connection_->on_logged_in([this] {
    for (const auto& callback : on_logged_in_) callback();
  });
}

ControlService::~ControlService() {
  assert(connection_ == nullptr && "a ControlService is destroyed only once stopped");
  // stop() closed it already, and the loop has freed it since.
  if (retry_timer_ != nullptr) retry_timer_->close();
}

void ControlService::start() {
  if (started_ || stopping_) return;
  started_ = true;
  connection_->start();
}

bool ControlService::ready() const { return connection_ != nullptr && connection_->ready(); }

const std::string& ControlService::last_error() const {
  return connection_ != nullptr ? connection_->last_error() : last_error_;
}

const session::ControlCredentials* ControlService::handshake_credentials() const {
  if (connection_ == nullptr || !connection_->usable_for_handshakes()) return nullptr;
  return &connection_->credentials();
}

void ControlService::set_tls(ControlTls tls) {
  if (connection_ != nullptr && !stopping_) connection_->set_tls(std::move(tls));
}

void ControlService::on_logged_in(std::function<void()> callback) {
  on_logged_in_.push_back(std::move(callback));
}

void ControlService::cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id,
                                  std::function<void()> answered) {
  if (connection_ == nullptr) {
    if (answered) answered();
    return;
  }
  if (connection_->kill_right() == ControlConnection::KillRight::Denied) {
    // Said once, with the GRANT that fixes it, by the control connection. Without a KILL the
    // statement runs to its end and the session quits after it, as under in_flight = "finish".
    session_log_->debug(
        "[s{}] KILL QUERY {} not sent: the control account may not; the "
        "statement finishes",
        session_id, server_connection_id);
    if (answered) answered();
    return;
  }
  cancelling_[session_id] = Cancelling{server_connection_id, true, std::move(answered)};
  send_cancel(server_connection_id, session_id);
  if (retry_timer_ != nullptr && !retry_timer_->active()) {
    retry_timer_->start(kCancelRetry, kCancelRetry);
  }
}

void ControlService::send_cancel(std::uint32_t server_connection_id, std::uint64_t session_id) {
  connection_->run(fmt::format("KILL QUERY {}", server_connection_id),
                   [this, server_connection_id, session_id](const Result* result) {
                     on_cancel_answer(server_connection_id, session_id, result);
                   });
}

void ControlService::on_cancel_answer(std::uint32_t server_connection_id, std::uint64_t session_id,
                                      const Result* result) {
  if (auto it = cancelling_.find(session_id); it != cancelling_.end()) {
    it->second.in_flight = false;
    // Taken out first: the callback may end the session, and with it this entry.
    if (auto answered = std::exchange(it->second.answered, {})) answered();
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
    if (connection_ != nullptr) {
      connection_->kill_refused(server_connection_id, result->error_code, result->error_message);
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
void ControlService::retry_cancels() {
  if (cancelling_.empty() || connection_ == nullptr) {
    retry_timer_->stop();
    return;
  }
  // One KILL per session at a time: a KILL the server is still holding is not doubled.
  for (auto& [session_id, cancelling] : cancelling_) {
    if (cancelling.in_flight) continue;
    cancelling.in_flight = true;
    send_cancel(cancelling.server_connection_id, session_id);
  }
}

std::uint64_t ControlService::reconnects() const {
  return connection_ != nullptr ? connection_->reconnects() : 0;
}

void ControlService::cancel_finished(std::uint64_t session_id) { cancelling_.erase(session_id); }

void ControlService::kill_connection(std::uint32_t server_connection_id) {
  if (connection_ == nullptr) return;
  connection_->run(fmt::format("KILL CONNECTION {}", server_connection_id),
                   [this, server_connection_id](const Result* result) {
                     if (result == nullptr) {
                       log_->warn("KILL CONNECTION {} not sent: control connection down",
                                  server_connection_id);
                     } else if (!result->ok) {
                       log_->warn("KILL CONNECTION {} failed: ERR {}: {}", server_connection_id,
                                  result->error_code, result->error_message);
                     }
                   });
}

void ControlService::read_abort_counters(std::function<void(std::optional<AbortCounters>)> done) {
  if (connection_ == nullptr) return done(std::nullopt);
  connection_->run(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Aborted_clients', 'Aborted_connects')",
      [done = std::move(done)](const Result* result) {
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

void ControlService::stop(bool now, std::function<void()> done) {
  if (stopping_) {
    // A stop under way: `now` cuts its wait for the server short.
    if (now && connection_ != nullptr) connection_->stop_now({});
    return;
  }
  stopping_ = true;
  cancelling_.clear();
  if (connection_ != nullptr) last_error_ = connection_->last_error();
  std::exchange(retry_timer_, nullptr)->close();
  if (connection_ == nullptr) {
    if (done) done();
    return;
  }
  on_stopped_ = std::move(done);
  // Statements still queued are answered with nullptr from inside stop().
  auto stopped = [this] {
    connection_ = nullptr;
    if (auto then = std::move(on_stopped_)) then();
  };
  if (now) {
    connection_->stop_now(std::move(stopped));
  } else {
    connection_->stop(std::move(stopped));
  }
}

}  // namespace gw::control
