#include "app/service_notify.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <system_error>
#include <utility>

#include "net/timer.h"

namespace gw::app {
namespace {

constexpr std::chrono::milliseconds kStatusInterval{1000};

// CLOCK_MONOTONIC itself, the clock systemd compares MONOTONIC_USEC with.
std::uint64_t monotonic_usec() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000U +
         static_cast<std::uint64_t>(now.tv_nsec) / 1'000U;
}

std::string sessions_text(std::size_t sessions) {
  return fmt::format("{} client session{}", sessions, sessions == 1 ? "" : "s");
}

}  // namespace

ServiceNotify::ServiceNotify(uv_loop_t* loop, std::function<std::size_t()> sessions)
    : loop_(loop),
      sessions_(std::move(sessions)),
      enabled_(std::getenv("NOTIFY_SOCKET") != nullptr) {}

void ServiceNotify::ready() {
  if (!enabled_) return;
  const std::size_t sessions = sessions_();
  sent_sessions_ = sessions;
  send(fmt::format("READY=1\nMAINPID={}\nSTATUS={}", getpid(), status_line(sessions)));
  if (status_timer_ == nullptr) {
    status_timer_ = net::Timer::create(loop_, [this] { update_status(); });
    status_timer_->start(kStatusInterval, kStatusInterval);
  }
}

// A SIGHUP during the drain still reloads, but systemd must not hear READY=1 after STOPPING=1.
void ServiceNotify::reloading() {
  if (!enabled_ || stopping_) return;
  send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading the configuration",
                   monotonic_usec()));
}

void ServiceNotify::reloaded() {
  if (!enabled_ || stopping_) return;
  const std::size_t sessions = sessions_();
  sent_sessions_ = sessions;
  send(fmt::format("READY=1\nSTATUS={}", status_line(sessions)));
}

void ServiceNotify::stopping() {
  if (!enabled_ || stopping_) return;
  stopping_ = true;
  const std::size_t sessions = sessions_();
  sent_sessions_ = sessions;
  send(fmt::format("STOPPING=1\nSTATUS={}", status_line(sessions)));
}

void ServiceNotify::close() {
  if (status_timer_ != nullptr) std::exchange(status_timer_, nullptr)->close();
}

std::string ServiceNotify::status_line(std::size_t sessions) const {
  if (stopping_) return "draining: " + sessions_text(sessions) + " left";
  return sessions_text(sessions);
}

void ServiceNotify::update_status() {
  const std::size_t sessions = sessions_();
  if (sent_sessions_ == sessions) return;
  sent_sessions_ = sessions;
  send("STATUS=" + status_line(sessions));
}

void ServiceNotify::send(const std::string& message) {
  // 0: NOTIFY_SOCKET is unset (checked already) or names nothing to send to; > 0: sent.
  const int sent = sd_notify(/*unset_environment=*/0, message.c_str());
  if (sent >= 0 || failed_) return;
  failed_ = true;
  spdlog::warn("systemd: notification not delivered to NOTIFY_SOCKET={}: {} (logged once)",
               std::getenv("NOTIFY_SOCKET"), std::generic_category().message(-sent));
}

}  // namespace gw::app
