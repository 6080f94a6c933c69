#pragma once
// SelfAudit: whether gracewire's own sessions made the server count an aborted connection. The
// server's Aborted_clients and Aborted_connects are read over the control service at start (the
// baseline) and again once every client connection of every event loop is gone; the difference
// is logged, at warn level when it is not zero.
//
//   read_baseline() at start ──► run(done) once the proxies stopped:
//     control connection failed ──► skipped (logged), done
//     else the counters are read until two reads kSettle apart agree (the server counts an abort
//     when its own thread notices the closed socket, a moment after gracewire closed it), at
//     most close_timeout ──► logged, done
//     not answered within 2 x close_timeout (login under way, server slow) ──► skipped, done
//   cut_short() (a signal meanwhile) ──► done at once, nothing logged but that

#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "control/service.h"

namespace spdlog {
class logger;
}
namespace gw::net {
class Timer;
}

namespace gw::proxy {

class SelfAudit {
 public:
  SelfAudit(uv_loop_t* loop, control::Service& control, std::chrono::milliseconds close_timeout);
  SelfAudit(const SelfAudit&) = delete;
  SelfAudit& operator=(const SelfAudit&) = delete;

  // At start, before any session: what the server had counted before gracewire's sessions.
  void read_baseline();
  // Once every client connection is gone; `done` runs once, within 2 x close_timeout.
  void run(std::function<void()> done);
  // A repeated signal while it runs: `done` runs now.
  void cut_short();
  bool running() const { return static_cast<bool>(done_); }
  // Closes its timers (idempotent); before the loop ends.
  void close();

 private:
  void on_bound();
  void settle(std::optional<control::AbortCounters> previous,
              std::chrono::steady_clock::time_point deadline);
  void log_result(const std::optional<control::AbortCounters>& now);
  void skip(const std::string& why);
  void finish();

  static constexpr std::chrono::milliseconds kSettle{200};
  control::Service& control_;
  std::chrono::milliseconds close_timeout_;
  std::shared_ptr<spdlog::logger> log_;
  std::optional<control::AbortCounters> baseline_;
  control::AbortCounters settle_next_;
  std::chrono::steady_clock::time_point settle_deadline_{};
  net::Timer* settle_timer_;    // the next read of the counters
  net::Timer* bound_timer_;     // 2 x close_timeout
  std::function<void()> done_;  // set while it runs
};

}  // namespace gw::proxy
