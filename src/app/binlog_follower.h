#pragma once
// The binlog follower's place in the application (binlog/follower.h): its settings from the
// [binlog] table, the log its change records go to, and the connection that ends its dump.
//
//   binlog.path ""    change records go to the event log's own file (event_log.path)
//   binlog.path "-"   to standard output;  a file: an event log of their own, with the
//                     [event_log] table's rotation, flush and hash-chain settings
//
// The dump is ended by a control service of the follower's own, logged in as the binlog account
// only when the dump is to end: any account may KILL QUERY its own threads, so this needs
// neither [control] nor CONNECTION ADMIN.
//
// Order at the end: stop() (the dump ends cleanly, then that control service quits) while the
// loop runs; after the loop, close_log() (its records written), then, once the publisher (if
// any) had its bounded wait for acknowledgements, write_final_checkpoint(): the last
// checkpoint covering records written and published.

#include <uv.h>

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "binlog/follower.h"
#include "config/config.h"
#include "control/control_service.h"
#include "eventlog/session_directory.h"
#include "eventlog/writer.h"
#include "publish/publisher.h"

namespace gw::app {

// [binlog] as the follower's settings (the password read from its source).
std::expected<binlog::FollowerSettings, std::string> follower_settings(
    const config::Config& config);

class FollowerApp {
 public:
  // `event_log` is the application's (may be disabled); `publisher`, when set, also gets the
  // change records of a log of their own (binlog.path) if it publishes changes.
  static std::expected<std::unique_ptr<FollowerApp>, std::string> create(
      uv_loop_t* loop, const config::Config& config, binlog::FollowerSettings settings,
      eventlog::EventLog& event_log, eventlog::SessionDirectory* directory,
      publish::Publisher* publisher = nullptr);

  // A bad checkpoint is an error here; the server's verdicts come later, in the log.
  std::expected<void, std::string> start();
  void stop(bool now, std::function<void()> done);
  // After the loop has run out, in this order.
  void close_log();
  void write_final_checkpoint();

  binlog::Follower& follower() { return *follower_; }
  // A reload's TLS settings for the dump and the connection that ends it (own_connection_tls.h).
  void set_tls(const control::ControlTls& tls);
  eventlog::EventLog& changes() { return *changes_; }

 private:
  FollowerApp() = default;

  std::unique_ptr<eventlog::EventLog> own_log_;
  eventlog::EventLog* changes_ = nullptr;
  std::unique_ptr<control::ControlService> killer_;  // ends the dump (KILL QUERY)
  std::unique_ptr<binlog::Follower> follower_;
  bool stopping_ = false;
};

}  // namespace gw::app
