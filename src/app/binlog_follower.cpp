#include "app/binlog_follower.h"

#include <fmt/format.h>

#include "app/own_connection_tls.h"
#include "config/password.h"
#include "eventlog/from_config.h"
#include "proxy/settings.h"
#include "proxy/tls_setup.h"

namespace gw::app {

std::expected<binlog::FollowerSettings, std::string> follower_settings(
    const config::Config& config) {
  const auto& table = config.binlog;
  binlog::FollowerSettings settings;
  if (!config.upstream.address) return std::unexpected(std::string("no upstream configured"));
  proxy::ProxySettings upstream;
  upstream.upstream = *config.upstream.address;
  settings.upstream = upstream.upstream_target();
  settings.user = table.user;
  auto password = config::read_password(table);
  if (!password) return std::unexpected(password.error());
  settings.password = std::move(*password);
  settings.server_id = table.server_id;
  switch (table.start.kind) {
    case config::BinlogStart::Kind::Current:
      settings.start = binlog::FollowerSettings::Start::Current;
      break;
    case config::BinlogStart::Kind::FilePos:
      settings.start = binlog::FollowerSettings::Start::FilePos;
      settings.start_file = table.start.file;
      settings.start_pos = table.start.pos;
      break;
    case config::BinlogStart::Kind::Gtid:
      settings.start = binlog::FollowerSettings::Start::Gtid;
      settings.start_gtid = table.start.gtid;
      break;
  }
  settings.checkpoint_path = table.checkpoint;
  settings.heartbeat = table.heartbeat;
  settings.connect_timeout = config.upstream.connect_timeout;
  settings.close_timeout = config.close.close_timeout;
  settings.statement_limit = static_cast<std::size_t>(config.event_log.statement_limit);
  auto tls = proxy::tls_setup(config);
  if (!tls) return std::unexpected(tls.error());
  settings.tls = own_connection_tls(*tls);
  return settings;
}

void FollowerApp::set_tls(const control::ControlTls& tls) {
  follower_->set_tls(tls);
  killer_->set_tls(tls);
}

std::expected<std::unique_ptr<FollowerApp>, std::string> FollowerApp::create(
    uv_loop_t* loop, const config::Config& config, binlog::FollowerSettings settings,
    eventlog::EventLog& event_log, eventlog::SessionDirectory* directory,
    publish::Publisher* publisher) {
  std::unique_ptr<FollowerApp> app(new FollowerApp());
  if (config.binlog.path.empty()) {
    if (!event_log.enabled()) {
      return std::unexpected(std::string(
          "change records need somewhere to go: set binlog.path or event_log.path, or publish "
          "them (publish.nats_url)"));
    }
    app->changes_ = &event_log;
  } else {
    auto log_settings = eventlog::settings_from(config.event_log);
    log_settings.path = config.binlog.path;
    // Change records are never dropped (the follower waits for room instead), whatever the
    // event log's own loss policy says.
    log_settings.loss = eventlog::EventLogSettings::Loss::Block;
    const bool published = publisher != nullptr && publisher->settings().changes;
    auto own = eventlog::EventLog::open(std::move(log_settings),
                                        published ? publisher->outlet() : nullptr);
    if (!own) return std::unexpected(own.error());
    app->own_log_ = std::move(*own);
    app->changes_ = app->own_log_.get();
  }
  // The binlog account ends its own dump: any account may KILL QUERY its own threads, so this
  // works without [control] and whatever the control account's grants. It logs in only when
  // the dump is to end (no idle connection the rest of the time).
  control::ControlService::Settings killer;
  killer.upstream = settings.upstream;
  killer.credentials = session::ControlCredentials{settings.user, settings.password};
  killer.connect_timeout = settings.connect_timeout;
  killer.close_timeout = settings.close_timeout;
  killer.own_threads_only = true;
  killer.tls = settings.tls;
  app->killer_ = std::make_unique<control::ControlService>(loop, killer);
  app->follower_ = std::make_unique<binlog::Follower>(loop, std::move(settings), *app->changes_,
                                                      app->killer_.get(), directory);
  return app;
}

std::expected<void, std::string> FollowerApp::start() { return follower_->start(); }

void FollowerApp::stop(bool now, std::function<void()> done) {
  if (stopping_) {
    if (now) {
      follower_->stop(true, {});
      killer_->stop(true, {});
    }
    return;
  }
  stopping_ = true;
  // Its KILL QUERY waits in the service's queue until the login is done.
  if (!now && follower_->state() == binlog::Follower::State::Streaming) killer_->start();
  follower_->stop(
      now, [this, now, done = std::move(done)]() mutable { killer_->stop(now, std::move(done)); });
}

void FollowerApp::close_log() {
  if (own_log_) own_log_->close();
}

void FollowerApp::write_final_checkpoint() { follower_->write_final_checkpoint(); }

}  // namespace gw::app
