#include "control/control_connection.h"

#include <spdlog/spdlog.h>

#include "logging/component_logger.h"
#include "net/timer.h"

namespace gw::control {

using session::ControlSession;

namespace {
constexpr std::chrono::milliseconds kMaxRetryDelay{10'000};
// A refused login is a configuration mistake, and every attempt costs the server an "Access
// denied" line and an aborted connect: try again rarely.
constexpr std::chrono::milliseconds kRefusedRetryDelay{300'000};

}  // namespace

ControlConnection::ControlConnection(uv_loop_t* loop, net::Target upstream,
                                     session::ControlCredentials credentials,
                                     std::chrono::milliseconds connect_timeout,
                                     std::chrono::milliseconds close_timeout, bool own_threads_only,
                                     ControlTls tls)
    : loop_(loop),
      upstream_(std::move(upstream)),
      credentials_(std::move(credentials)),
      connect_timeout_(connect_timeout),
      close_timeout_(close_timeout),
      log_(logging::component_logger("control")),
      tls_(std::move(tls)),
      timer_(net::Timer::create(loop, [this] { on_timer(); })),
      own_threads_only_(own_threads_only) {
  if (!tls_.context) tls_.mode = protocol::LoginTls::Off;
}

void ControlConnection::start() { connect(); }

void ControlConnection::set_tls(ControlTls tls) {
  tls_ = std::move(tls);
  if (!tls_.context) tls_.mode = protocol::LoginTls::Off;
  if (stopping_ || stream_ != nullptr || waiting_ != Waiting::Retry) return;
  timer_->stop();
  retry_delay_ = std::chrono::milliseconds{250};
  retry_after_refusal_ = false;
  connect();
}

bool ControlConnection::ready() const {
  return session_ && (session_->state() == ControlSession::State::Ready ||
                      session_->state() == ControlSession::State::Busy);
}

void ControlConnection::connect() {
  session_ = std::make_unique<ControlSession>(credentials_.user, credentials_.password, tls_.mode);
  tls_leg_.reset();
  kill_right_ = KillRight::Unknown;
  refusal_logged_ = false;
  // The whole way to ready (name lookup, connect, greeting, login) gets connect_timeout: a
  // server that accepts and never greets must not leave the connection "connecting" for ever.
  start_timer(Waiting::Login, connect_timeout_);
  // Names are resolved as for client sessions, off the loop.
  stream_ =
      net::Stream::connect(loop_, upstream_, *this, [this](int status) { connected(status); });
}

void ControlConnection::connected(int status) {
  if (status == 0) {
    stream_->start_reading();
  } else if (net::is_resolution_error(status)) {
    lost(fmt::format("cannot resolve '{}': {}", upstream_.host, net::uv_reason(status)));
  } else {
    lost(fmt::format("cannot connect to {}: {}", upstream_.to_string(), net::uv_reason(status)));
  }
}

void ControlConnection::start_timer(Waiting what, std::chrono::milliseconds timeout) {
  waiting_ = what;
  timer_->start(timeout);
}

void ControlConnection::on_timer() {
  switch (waiting_) {
    case Waiting::Login:
      lost(fmt::format("not logged in within connect_timeout ({} ms)", connect_timeout_.count()));
      return;
    case Waiting::Retry:
      connect();
      return;
    case Waiting::QuitEof:
      log_->warn("control connection: no EOF after COM_QUIT; closing it");
      if (stream_) stream_->close();
      return;
  }
}

void ControlConnection::on_read(net::Stream&, ByteView bytes) {
  const bool was_ready = ready();
  if (tls_leg_.started()) {
    Bytes plain;
    if (!tls_leg_.receive(*stream_, bytes, plain)) {
      // A handshake that fails (an unverifiable certificate, no common version) fails the same
      // way next time: retried rarely, as a refused login, not every few seconds.
      retry_after_refusal_ = !ready();
      lost(fmt::format("TLS toward the server failed: {}", tls_leg_.error()));
      return;
    }
    session_->on_server_data(plain);
  } else {
    session_->on_server_data(bytes);
  }
  if (session_->wants_tls() && !tls_leg_.started()) {
    start_tls();
    if (!tls_leg_.started()) return;  // lost
  }
  if (!was_ready && ready()) on_logged_in();
  // At stop the statement in flight was already answered with nullptr; its late result is dropped.
  if (auto result = session_->take_result(); result && running_) {
    Pending done = std::move(pending_.front());
    pending_.pop_front();
    running_ = false;
    if (done.done) done.done(&*result);
  }
  if (session_->state() == ControlSession::State::Failed) {
    retry_after_refusal_ = session_->login_refused();
    lost(session_->failure());
    return;
  }
  pump();
}

// The login's response waits in the leg until the handshake is done.
void ControlConnection::start_tls() {
  if (auto started = tls_leg_.start(*stream_, session_->to_server(), tls_); !started) {
    lost(fmt::format("cannot start TLS toward the server: {}", started.error()));
    return;
  }
  session_->continue_in_tls();
}

void ControlConnection::on_logged_in() {
  timer_->stop();  // the login deadline
  usable_for_handshakes_ = session_->logged_in_without_switch();
  retry_delay_ = std::chrono::milliseconds{250};
  if (announced_failure_) log_->info("control connection restored");
  announced_failure_ = false;
  last_error_.clear();
  log_->info("control connection ready as '{}' (server connection id {}){}{}", credentials_.user,
             session_->connection_id(), tls_leg_.describe(),
             usable_for_handshakes_ ? ""
                                    : "; it needed an auth switch, so abandoned client "
                                      "handshakes cannot be ended with it");
  if (!own_threads_only_) check_kill_right();
  if (on_logged_in_) on_logged_in_();
}

// Before anything queued: a cancel should know at once whether the server will take it.
void ControlConnection::check_kill_right() {
  pending_.push_front({"SHOW GRANTS", [this](const Result* result) {
                         if (result == nullptr) return;
                         if (!result->ok) {
                           log_->debug("SHOW GRANTS failed: ERR {}: {}; KILL QUERY will be tried",
                                       result->error_code, result->error_message);
                           return;
                         }
                         const auto privilege =
                             session::kill_privilege_from_grants(result->rows, credentials_.user);
                         account_ = privilege.account;
                         if (privilege.allowed) {
                           kill_right_ = KillRight::Allowed;
                           return;
                         }
                         kill_right_ = KillRight::Denied;
                         refusal_logged_ = true;
                         log_->warn("{}", missing_grant_advice());
                       }});
}

std::string ControlConnection::missing_grant_advice() const {
  const std::string account =
      account_.empty() ? fmt::format("'{}'@'%'", credentials_.user) : account_;
  return fmt::format(
      "control account {} lacks CONNECTION ADMIN (or SUPER): cancels will fall back to finish "
      "(the statement runs to its end, then COM_QUIT); fix: {}",
      account, session::kill_grant_statement(account));
}

void ControlConnection::kill_refused(std::uint32_t server_connection_id, std::uint16_t code,
                                     const std::string& message) {
  kill_right_ = KillRight::Denied;
  if (refusal_logged_) return;
  refusal_logged_ = true;
  log_->warn("KILL QUERY {} refused: ERR {}: {}; {}", server_connection_id, code, message,
             missing_grant_advice());
}

void ControlConnection::on_read_end(net::Stream&, int status) {
  session_->on_server_eof();
  if (stopping_ && session_->state() == ControlSession::State::Closed) {
    stream_->close();
    return;
  }
  lost(status == 0 ? session_->failure()
                   : fmt::format("control connection lost: {}", net::uv_reason(status)));
}

void ControlConnection::run(std::string sql, Callback done) {
  if (stopping_) {
    if (done) done(nullptr);
    return;
  }
  pending_.push_back({std::move(sql), std::move(done)});
  pump();
}

void ControlConnection::pump() {
  if (!stream_ || !session_) return;
  if (!running_ && !pending_.empty() && session_->state() == ControlSession::State::Ready &&
      !stopping_) {
    session_->query(pending_.front().sql);
    running_ = true;
  }
  tls_leg_.send(*stream_, session_->to_server());
}

// COM_QUIT, inside TLS when the login started it, then close_notify: the server closes after
// COM_QUIT without one of its own (research closing-mysql-sessions.md, Q7).
void ControlConnection::send_quit() {
  session_->quit();
  pump();
  if (stream_) tls_leg_.close(*stream_);
}

void ControlConnection::lost(const std::string& why) {
  if (!announced_failure_ && !stopping_) {
    log_->warn("control connection unavailable: {}; retrying", why);
    announced_failure_ = true;
  }
  last_error_ = why;
  usable_for_handshakes_ = false;
  if (!stopping_) timer_->stop();
  if (running_) {
    // The statement in flight is lost with the connection; a KILL QUERY is not worth repeating.
    Pending lost_one = std::move(pending_.front());
    pending_.pop_front();
    running_ = false;
    if (lost_one.done) lost_one.done(nullptr);
  }
  if (stream_) {
    stream_->close();  // on_closed() retries or finishes the stop
  } else if (stopping_) {
    finish_stop();
  } else {
    schedule_retry();
  }
}

void ControlConnection::schedule_retry() {
  ++reconnects_;
  const auto delay = retry_after_refusal_ ? kRefusedRetryDelay : retry_delay_;
  start_timer(Waiting::Retry, delay);
  if (!retry_after_refusal_) retry_delay_ = std::min(retry_delay_ * 2, kMaxRetryDelay);
  retry_after_refusal_ = false;
}

void ControlConnection::on_closed(net::Stream&) {
  stream_ = nullptr;
  if (stopping_) {
    finish_stop();
  } else {
    schedule_retry();
  }
}

void ControlConnection::stop(std::function<void()> on_stopped) {
  if (stopping_) return;
  stopping_ = true;
  on_stopped_ = std::move(on_stopped);
  fail_pending();
  timer_->stop();
  if (!stream_) {
    finish_stop();
    return;
  }
  if (ready()) {
    send_quit();
    // The server closes within a millisecond; if it does not, close anyway.
    start_timer(Waiting::QuitEof, close_timeout_);
    return;
  }
  stream_->close();  // resolving, connecting or logging in: closing cancels it silently
}

void ControlConnection::stop_now(std::function<void()> on_stopped) {
  if (!stopping_) {
    stopping_ = true;
    on_stopped_ = std::move(on_stopped);
    fail_pending();
    if (stream_ && ready()) {
      // Five bytes leave with the write attempt itself, before the close: the server still
      // sees a clean quit, though nobody waits for its EOF.
      send_quit();
    }
  }
  timer_->stop();
  if (stream_) {
    stream_->close();
  } else {
    finish_stop();
  }
}

void ControlConnection::fail_pending() {
  while (!pending_.empty()) {
    Pending one = std::move(pending_.front());
    pending_.pop_front();
    if (one.done) one.done(nullptr);
  }
  running_ = false;
}

// The timer is the last handle: the object goes with its close callback.
void ControlConnection::finish_stop() {
  if (!timer_->is_open()) return;
  timer_->close([this] {
    auto on_stopped = std::move(on_stopped_);
    delete this;
    if (on_stopped) on_stopped();
  });
}

}  // namespace gw::control
