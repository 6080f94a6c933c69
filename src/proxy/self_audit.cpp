#include "proxy/self_audit.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "logging/component_logger.h"
#include "net/timer.h"

namespace gw::proxy {

SelfAudit::SelfAudit(uv_loop_t* loop, control::Service& control,
                     std::chrono::milliseconds close_timeout)
    : control_(control),
      close_timeout_(close_timeout),
      log_(logging::component_logger("proxy")),
      settle_timer_(net::Timer::create(loop, [this] { settle(settle_next_, settle_deadline_); })),
      bound_timer_(net::Timer::create(loop, [this] { on_bound(); })) {}

void SelfAudit::read_baseline() {
  control_.read_abort_counters([this](std::optional<control::AbortCounters> counters) {
    baseline_ = counters;
    if (counters) {
      log_->info("self-audit baseline: Aborted_clients {}, Aborted_connects {}", counters->clients,
                 counters->connects);
    }
  });
}

// The audit needs a logged-in control connection. One that failed (login refused, server down)
// is not waited for; one still logging in, or a server slow to answer, gets a bound.
void SelfAudit::run(std::function<void()> done) {
  done_ = std::move(done);
  if (!control_.ready() && !control_.last_error().empty()) {
    skip(fmt::format("control connection not ready: {}", control_.last_error()));
    return;
  }
  // The counters settle within close_timeout; one more close_timeout covers a login still under
  // way or a server slow to answer.
  bound_timer_->start(2 * close_timeout_);
  settle(std::nullopt, std::chrono::steady_clock::now() + close_timeout_);
}

void SelfAudit::cut_short() {
  if (running()) finish();
}

void SelfAudit::on_bound() {
  const auto ms = 2 * close_timeout_.count();
  if (control_.ready()) {
    skip(fmt::format("the server did not answer within {} ms", ms));
  } else {
    const std::string& error = control_.last_error();
    skip(fmt::format("control connection not ready within {} ms{}{}", ms, error.empty() ? "" : ": ",
                     error));
  }
}

void SelfAudit::skip(const std::string& why) {
  log_->warn("self-audit skipped: {}", why);
  finish();
}

void SelfAudit::settle(std::optional<control::AbortCounters> previous,
                       std::chrono::steady_clock::time_point deadline) {
  control_.read_abort_counters([this, previous,
                                deadline](std::optional<control::AbortCounters> now) {
    if (!running()) return;  // skipped meanwhile (bound, signal)
    const bool settled =
        now && previous && now->clients == previous->clients && now->connects == previous->connects;
    if (now && !settled && std::chrono::steady_clock::now() < deadline) {
      settle_next_ = *now;
      settle_deadline_ = deadline;
      settle_timer_->start(kSettle);
      return;
    }
    log_result(now);
    finish();
  });
}

void SelfAudit::log_result(const std::optional<control::AbortCounters>& now) {
  if (!now || !baseline_) {
    const std::string& error = control_.last_error();
    log_->warn("self-audit skipped: the control connection could not read the counters {}{}{}",
               now ? "at start-up (no baseline)" : "now", error.empty() ? "" : ": ", error);
    return;
  }
  const std::int64_t clients = now->clients - baseline_->clients;
  const std::int64_t connects = now->connects - baseline_->connects;
  // Server-wide counters: another client of the same server can move them too.
  const auto level = clients == 0 && connects == 0 ? spdlog::level::info : spdlog::level::warn;
  log_->log(level, "self-audit: Aborted_clients +{}, Aborted_connects +{} since start", clients,
            connects);
}

void SelfAudit::finish() {
  if (settle_timer_ != nullptr) {
    settle_timer_->stop();
    bound_timer_->stop();
  }
  if (auto done = std::exchange(done_, {})) done();
}

void SelfAudit::close() {
  if (settle_timer_ == nullptr) return;
  std::exchange(settle_timer_, nullptr)->close();
  std::exchange(bound_timer_, nullptr)->close();
}

}  // namespace gw::proxy
