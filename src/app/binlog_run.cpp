#include "app/binlog_run.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <memory>

#include "app/binlog_follower.h"
#include "app/logging.h"
#include "eventlog/from_config.h"
#include "net/signal.h"
#include "protocol/binlog/gtid.h"

namespace gw::app {

namespace {

binlog::StreamPosition position_of(const config::BinlogStart& start) {
  binlog::StreamPosition position;
  if (start.kind == config::BinlogStart::Kind::Gtid) {
    position.gtid =
        protocol::binlog::parse_gtid_list(start.gtid).value_or(protocol::binlog::GtidList{});
  } else {
    position.binlog_file = start.file;
    position.binlog_pos = start.pos;
  }
  return position;
}

void start_from(binlog::FollowerSettings& settings, const config::BinlogStart& from) {
  // A range is a debugging aid: it neither reads nor moves the checkpoint.
  settings.checkpoint_path.clear();
  if (from.kind == config::BinlogStart::Kind::Gtid) {
    settings.start = binlog::FollowerSettings::Start::Gtid;
    settings.start_gtid = from.gtid;
  } else {
    settings.start = binlog::FollowerSettings::Start::FilePos;
    settings.start_file = from.file;
    settings.start_pos = from.pos;
  }
}

}  // namespace

int run_binlog_command(const BinlogCommandOptions& options, const config::Config& config) {
  setup_logging(config.log);
  std::signal(SIGPIPE, SIG_IGN);
  auto settings = follower_settings(config);
  if (!settings) {
    spdlog::error("{}", settings.error());
    return 2;
  }
  if (options.from) start_from(*settings, *options.from);
  if (options.to) settings->stop_at = position_of(*options.to);
  auto event_log = eventlog::EventLog::open(eventlog::settings_from(config.event_log));
  if (!event_log) {
    spdlog::error("{}", event_log.error());
    return 1;
  }

  net::Loop loop;
  int exit_code = 0;
  std::unique_ptr<FollowerApp> app;
  {
    auto created =
        FollowerApp::create(loop.get(), config, std::move(*settings), **event_log, nullptr);
    if (!created) {
      spdlog::error("{}", created.error());
      return 2;
    }
    app = std::move(*created);
    net::Signal* signals[2] = {};
    bool stopping = false;
    auto stop = [&](bool now) {
      if (stopping && !now) now = true;
      const bool first = !stopping;
      stopping = true;
      app->stop(now, [&, first] {
        if (!first) return;
        for (auto*& signal : signals) {
          if (signal != nullptr) signal->close();
          signal = nullptr;
        }
      });
    };
    for (int i = 0; const int signum : {SIGTERM, SIGINT}) {
      signals[i++] = net::Signal::start(loop.get(), signum, [&](int) { stop(false); });
    }
    app->follower().on_reached([&] {
      spdlog::info("binlog: reached the end of the range");
      stop(false);
    });
    app->follower().on_failed([&](const std::string&) {
      exit_code = 1;
      stop(false);
    });
    if (auto started = app->start(); !started) {
      spdlog::error("binlog follower not started: {}", started.error());
      exit_code = 1;
      stop(false);
    }
    loop.run();
  }
  (*event_log)->close();
  app->close_log();
  app->write_final_checkpoint();
  if (!loop.close()) {
    spdlog::error("event loop still had open handles at exit");
    exit_code = exit_code == 0 ? 1 : exit_code;
  }
  return exit_code;
}

}  // namespace gw::app
