#pragma once
// Follower: gracewire's own replica of the upstream server's binlog. It connects as the binlog
// account, checks the server (preflight.h), registers, dumps from its checkpoint or its
// configured start, turns events into change records (change_stream.h) for the event log, and
// keeps a checkpoint of what is written.
//
//   connecting ─► logging in ─► preflight ─► [SHOW BINARY LOGS, BINLOG_GTID_POS] ─► SET ─►
//   COM_REGISTER_SLAVE ─► COM_BINLOG_DUMP ─► streaming
//        ▲                                                             │ lost, no heartbeat in
//        └──────────── backoff (exponential, jitter) ◄──────────────────┘ time, bad event, ERR
//   a wrong setting, a purged position or a diverged GTID: Failed, no retry (the proxy runs on)
//
// Streaming: one event at a time from the DumpSession; its records go to the event log while
// it has room; when it has none the follower stops reading the socket (the server keeps the
// dump; net_write_timeout is raised so it never gives up) and looks again every 20 ms. It also
// stops, briefly, before a transaction the binlog does not attribute while the proxy may still
// learn its session (attribution_gate.h), and looks again as each proxied command is answered
// (the sessions answer on their own loop threads and wake this loop through a uv_async).
//
// Checkpoint: after each transaction the position and the count of records submitted so far
// are noted; once the event log reports that many change records written (in the OS, not lost),
// that position goes to the checkpoint writer (its own thread), at most every
// checkpoint_interval, and at stop.
//
// Stop (clean end, research closing-mysql-sessions.md Q6): while dumping, KILL QUERY of the
// dump thread through the control service, read and discard to the server's EOF packet and its
// close; never COM_QUIT on a dump. Before the dump: COM_QUIT. Bounded by close_timeout.

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "binlog/attribution_gate.h"
#include "binlog/change_stream.h"
#include "binlog/checkpoint.h"
#include "binlog/checkpoint_writer.h"
#include "binlog/preflight.h"
#include "control/control_tls.h"
#include "control/own_tls.h"
#include "control/service.h"
#include "eventlog/session_directory.h"
#include "eventlog/writer.h"
#include "net/address.h"
#include "net/stream.h"
#include "session/dump_session.h"

namespace spdlog {
class logger;
}
namespace gw::net {
class Async;
class Timer;
}  // namespace gw::net

namespace gw::binlog {

struct FollowerSettings {
  net::Target upstream;
  std::string user;
  std::string password;  // never logged
  std::uint32_t server_id = 0;
  // Where to start without a checkpoint: "current", a GTID list, or a file and position.
  enum class Start { Current, Gtid, FilePos } start = Start::Current;
  std::string start_gtid;
  std::string start_file;
  std::uint64_t start_pos = 4;
  std::string checkpoint_path;  // empty: no checkpoint
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::milliseconds connect_timeout{};
  std::chrono::milliseconds close_timeout{};
  std::chrono::milliseconds checkpoint_interval{1000};
  std::size_t statement_limit = 4096;
  std::string hostname = "gracewire";  // shown in SHOW SLAVE HOSTS
  control::ControlTls tls;             // TLS toward the server (app/own_connection_tls.h)
  // `gracewire binlog --to`: the follower ends by itself once the committed position reaches
  // this (every domain of its GTIDs, or its file and position): on_reached() runs.
  std::optional<StreamPosition> stop_at;
};

// Whether `position` has reached `target`: every GTID domain of the target at or past its
// sequence, else (no GTIDs in the target) the file and position.
bool reached(const StreamPosition& position, const StreamPosition& target);

struct FollowerStats {
  std::uint64_t reconnects = 0;
  std::uint64_t records = 0;
  std::uint64_t checkpoints = 0;
  ChangeStreamStats stream;  // of the current connection
};

class Follower final : public net::StreamObserver {
 public:
  enum class State {
    Idle,       // not started
    Starting,   // connecting, logging in, preflight, set-up
    Streaming,  // the dump runs
    Waiting,    // lost; a retry is scheduled
    Failed,     // a configuration or position error: no retry (last_error() says which)
    Stopping,   // ending the dump cleanly
    Stopped,    // every handle closed
  };

  // `control` ends the dump with KILL QUERY (null: the follower opens none and the dump ends by
  // the server's close at its own pace — a raw close, logged as such); `attribution` may be
  // null, and may be filled from other threads (the follower takes its on_answer callback
  // until stop() ends or the follower is destroyed). All must outlive the follower. The
  // follower itself is used on `loop`'s thread only.
  Follower(uv_loop_t* loop, FollowerSettings settings, eventlog::EventLog& changes,
           control::Service* control, eventlog::SessionDirectory* attribution);
  ~Follower() override;
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Reads the checkpoint (a bad one is an error: the follower does not start) and connects.
  std::expected<void, std::string> start();
  // Ends the dump cleanly (bounded by close_timeout; `now` closes at once) and closes every
  // handle; `done` runs then. Call write_final_checkpoint() after the event log is closed.
  void stop(bool now, std::function<void()> done);
  // TLS settings from a reload (SIGHUP), used from the next connection. A follower that TLS
  // stopped (a server without it where it is required, a certificate that did not verify)
  // tries again with them at once.
  void set_tls(control::ControlTls tls);
  // After the event log's close(): the last position whose records are all written goes to
  // the checkpoint file, synchronously, and the checkpoint thread stops.
  void write_final_checkpoint();

  // Runs once when settings.stop_at is reached (the records up to it are submitted).
  void on_reached(std::function<void()> callback) { on_reached_ = std::move(callback); }
  // Runs when the follower gives up for good (State::Failed), with the reason.
  void on_failed(std::function<void(const std::string&)> callback) {
    on_failed_ = std::move(callback);
  }

  State state() const { return state_; }
  const std::string& last_error() const { return last_error_; }
  const FollowerStats& stats() const { return stats_; }
  // Events, rows, transactions… decoded since start, over every connection.
  ChangeStreamStats stream_totals() const;
  // How far the records are behind the server: now minus the last event's timestamp, 0 when
  // the server's last word was a heartbeat; nullopt when not streaming or before any event.
  std::optional<double> lag_seconds() const;
  // When the last checkpoint was handed to the checkpoint thread; nullopt before the first.
  std::optional<std::chrono::system_clock::time_point> last_checkpoint() const {
    return last_checkpoint_;
  }
  // The committed position of the stream (what a checkpoint would hold now).
  std::optional<StreamPosition> position() const;

  // StreamObserver
  void on_read(net::Stream& stream, ByteView bytes) override;
  void on_read_end(net::Stream& stream, int status) override;
  void on_written(net::Stream&) override {}
  void on_closed(net::Stream& stream) override;

 private:
  enum class Step {
    Login,
    Preflight,
    ServerIds,
    BinaryLogs,
    GtidAtPosition,
    Setup,
    Register,
    Dump,
  };
  // A position noted after a transaction, waiting for its records to be written.
  struct PendingCheckpoint {
    std::uint64_t records = 0;  // change records submitted up to and including it
    StreamPosition position;
  };

  void connect();
  void connected(int status);
  void on_step_result(protocol::TextResult result);
  void next_step();
  void start_dump();
  void pump();
  void pause_reading();
  void resume_if_ready();
  void note_position();
  void flush_checkpoint();
  // The connection is given up (closed; with quit_first, a logged-in session sends COM_QUIT and
  // waits for the server's close); with retry, a reconnect is scheduled once it is closed.
  void lost(const std::string& why, bool retry = true, bool quit_first = false);
  void session_failed();
  void failed(const std::string& why);
  void schedule_retry();
  void clash_backoff();
  void on_timer();
  void on_poll();
  void send();
  bool start_tls();
  void quit();
  void finish_stop();
  void close_stream();
  Checkpoint checkpoint_of(const StreamPosition& position) const;
  std::chrono::milliseconds read_deadline() const;

  uv_loop_t* loop_;
  FollowerSettings settings_;
  eventlog::EventLog& changes_;
  control::Service* control_;
  eventlog::SessionDirectory* attribution_;
  // With attribution_ and a server whose sessions report last_gtid: holds a transaction back
  // while the OK that names its session may still be on its way.
  std::optional<AttributionGate> gate_;
  bool advised_last_gtid_ = false;
  bool advised_replica_hosts_ = false;  // SHOW SLAVE HOSTS was refused; said once
  std::shared_ptr<spdlog::logger> log_;

  State state_ = State::Idle;
  Step step_ = Step::Login;
  std::string last_error_;
  net::Stream* stream_ = nullptr;
  control::OwnTls tls_leg_;  // plaintext until the login starts TLS on this connection
  std::unique_ptr<session::DumpSession> session_;
  std::optional<ChangeStream> stream_decoder_;
  bool event_begun_ = false;
  bool paused_ = false;
  std::optional<ServerFacts> facts_;
  protocol::binlog::GtidList start_gtid_;
  // The position to resume from: the checkpoint's at first, then the stream's committed one.
  std::optional<StreamPosition> resume_;
  std::optional<Checkpoint> loaded_checkpoint_;

  enum class Waiting { Nothing, Login, Retry, Heartbeat, StopEnd } waiting_ = Waiting::Nothing;
  net::Timer* timer_ = nullptr;       // login deadline, retry, heartbeat deadline, stop bound
  net::Timer* poll_timer_ = nullptr;  // room in the event log; checkpoints
  // A proxied command was answered (sent from the session's loop thread, through the
  // directory's on_answer): look at the gate again.
  net::Async* answered_ = nullptr;
  std::chrono::milliseconds retry_delay_{250};
  std::chrono::milliseconds clash_delay_{0};  // the wait after the last server_id clash
  int clashes_ = 0;
  std::mt19937 jitter_{std::random_device{}()};
  bool announced_loss_ = false;

  std::uint64_t submitted_ = 0;  // change records submitted, all connections
  std::deque<PendingCheckpoint> pending_checkpoints_;
  std::optional<StreamPosition> last_offered_;
  std::chrono::steady_clock::time_point last_checkpoint_at_{};
  std::unique_ptr<CheckpointWriter> checkpoint_writer_;

  bool kill_sent_ = false;
  bool stopped_by_tls_ = false;  // State::Failed because of TLS: a reload may fix it
  std::function<void()> on_stopped_;
  std::function<void()> on_reached_;
  std::function<void(const std::string&)> on_failed_;
  FollowerStats stats_;
  ChangeStreamStats closed_streams_;  // the totals of the connections before this one
  std::optional<std::chrono::system_clock::time_point> last_checkpoint_;
};

}  // namespace gw::binlog
