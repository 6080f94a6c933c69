#include "app/signals.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <string>
#include <utility>
#include <vector>

#include "app/logging.h"
#include "app/reload.h"
#include "app/service_notify.h"
#include "app/serving_loops.h"
#include "eventlog/from_config.h"
#include "eventlog/writer.h"
#include "net/signal.h"

namespace gw::app {
namespace {

constexpr std::array<int, 6> kHandled = {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2};

const char* signal_name(int signum) {
  switch (signum) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGHUP:
      return "SIGHUP";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    default:
      return "a signal";
  }
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

}  // namespace

void ignore_reload_signals() {
  for (const int signum : {SIGHUP, SIGUSR1, SIGUSR2}) std::signal(signum, SIG_IGN);
}

Signals::Signals(ServingLoops& loops, eventlog::EventLog& event_log, config::Config running,
                 CliOptions options, ServiceNotify& notify, std::function<void()> stop)
    : loops_(loops),
      event_log_(event_log),
      running_(std::move(running)),
      options_(std::move(options)),
      notify_(notify),
      stop_(std::move(stop)) {}

void Signals::start(uv_loop_t* loop) {
  for (std::size_t i = 0; i < handles_.size(); ++i) {
    handles_[i] = net::Signal::start(loop, kHandled[i], [this](int signum) { on_signal(signum); });
  }
  started_ = true;
}

void Signals::close() {
  if (!started_) return;
  started_ = false;
  for (net::Signal*& handle : handles_) {
    if (handle != nullptr) std::exchange(handle, nullptr)->close();
  }
  // libuv restores the default action, which for these is to die.
  ignore_reload_signals();
}

void Signals::on_signal(int signum) {
  spdlog::info("received {}", signal_name(signum));
  switch (signum) {
    case SIGHUP:
      notify_.reloading();
      event_log_.reopen();
      reload();
      notify_.reloaded();
      break;
    case SIGUSR1:
      status();
      break;
    case SIGUSR2:
      event_log_.reopen();
      break;
    default:
      notify_.stopping();
      stop_();
  }
}

// Reads the file on the loop thread: a small local file, once per SIGHUP.
void Signals::reload() {
  if (options_.config_path.empty()) {
    spdlog::info("reload: no config file (--config) to reload");
    return;
  }
  auto loaded = resolve_config(options_);
  if (!loaded) {
    spdlog::error("reload: {} not applied, nothing changed:\n{}", options_.config_path,
                  loaded.error());
    return;
  }
  ReloadPlan plan = plan_reload(running_, *loaded);
  const bool tls = reload_tls(plan.next);
  if (!plan.need_restart.empty()) {
    spdlog::warn("reload: changed but only applied by a restart: {}", joined(plan.need_restart));
  }
  if (plan.applied.empty()) {
    spdlog::info("reload: {}: nothing {}to apply", options_.config_path, tls ? "else " : "");
  } else {
    set_log_level(plan.next.log.level);
    event_log_.set_filters(eventlog::filters_of(eventlog::settings_from(plan.next.event_log)));
    spdlog::info("reload: {}: applied {}", options_.config_path, joined(plan.applied));
  }
  running_ = std::move(plan.next);
}

// Certificates are read again on every reload, so that one renewed in place is picked up. A
// file that does not load, or a certificate outside its validity, keeps the running contexts
// (and the running TLS keys, so that the next reload tries again).
// (A file that does not load at all already stopped the reload in resolve_config(); this is
// for one that changes in between.) True when TLS is in use on either leg.
bool Signals::reload_tls(config::Config& next) {
  auto setup = proxy::tls_setup(next);
  std::string refused = setup ? "" : setup.error();
  if (setup) {
    for (const std::string& problem : proxy::certificate_problems(*setup)) {
      refused += (refused.empty() ? "" : "; ") + problem;
    }
  }
  if (!refused.empty()) {
    spdlog::error("reload: TLS not reloaded, new connections keep the running certificates: {}",
                  refused);
    next.listener = running_.listener;
    next.upstream = running_.upstream;
    return true;
  }
  loops_.set_tls(*setup);
  if (on_tls_reload_) on_tls_reload_(*setup);
  if (!setup->client_context && !setup->server_context) return false;
  spdlog::info("reload: {}", proxy::describe(*setup));
  return true;
}

void Signals::status() {
  const std::size_t sessions = loops_.connection_count();
  if (!event_log_.enabled()) {
    spdlog::info("status: {} sessions; event log off", sessions);
    return;
  }
  const eventlog::Stats stats = event_log_.stats();
  spdlog::info(
      "status: {} sessions; event log: {} lines written ({} bytes), {} records dropped, {} write "
      "errors, {} records queued, {} times over event_log.queue_records, {} reopens",
      sessions, stats.written, stats.bytes, stats.dropped, stats.write_errors, stats.queue_depth,
      stats.over_limit, stats.reopened);
}

}  // namespace gw::app
