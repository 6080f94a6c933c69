#include "app/binlog_follower.h"

#include <fmt/format.h>

#include "config/password.h"
#include "eventlog/from_config.h"
#include "proxy/settings.h"

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
  return settings;
}

std::expected<std::unique_ptr<FollowerApp>, std::string> FollowerApp::create(
    uv_loop_t* loop, const config::Config& config, binlog::FollowerSettings settings,
    eventlog::EventLog& event_log, control::Service* control,
    const eventlog::SessionDirectory* directory) {
  std::unique_ptr<FollowerApp> app(new FollowerApp());
  if (config.binlog.path.empty()) {
    if (!event_log.enabled()) {
      return std::unexpected(
          std::string("change records need somewhere to go: set binlog.path or event_log.path"));
    }
    app->changes_ = &event_log;
  } else {
    auto log_settings = eventlog::settings_from(config.event_log);
    log_settings.path = config.binlog.path;
    // Change records are never dropped (the follower waits for room instead), whatever the
    // event log's own loss policy says.
    log_settings.loss = eventlog::EventLogSettings::Loss::Block;
    auto own = eventlog::EventLog::open(std::move(log_settings));
    if (!own) return std::unexpected(own.error());
    app->own_log_ = std::move(*own);
    app->changes_ = app->own_log_.get();
  }
  if (control == nullptr) {
    control::ControlService::Settings own;
    own.upstream = settings.upstream;
    own.credentials = session::ControlCredentials{settings.user, settings.password};
    own.connect_timeout = settings.connect_timeout;
    own.close_timeout = settings.close_timeout;
    app->own_control_ = std::make_unique<control::ControlService>(loop, own);
    control = app->own_control_.get();
  }
  app->follower_ = std::make_unique<binlog::Follower>(loop, std::move(settings), *app->changes_,
                                                      control, directory);
  return app;
}

std::expected<void, std::string> FollowerApp::start() {
  if (own_control_) own_control_->start();
  return follower_->start();
}

void FollowerApp::stop(bool now, std::function<void()> done) {
  if (stopping_) {
    if (now) {
      follower_->stop(true, {});
      if (own_control_) own_control_->stop(true, {});
    }
    return;
  }
  stopping_ = true;
  follower_->stop(now, [this, now, done = std::move(done)]() mutable {
    if (!own_control_) {
      if (done) done();
      return;
    }
    own_control_->stop(now, std::move(done));
  });
}

void FollowerApp::finish() {
  if (own_log_) own_log_->close();
  follower_->write_final_checkpoint();
}

}  // namespace gw::app
