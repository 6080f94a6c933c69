#pragma once
// Publisher: sends the event logs' lines to a NATS JetStream stream ([publish], README
// "Publishing to NATS JetStream"), each on its subject (subjects.h) with a Nats-Msg-Id, and
// waits for the stream to acknowledge them.
//
//   event-log writer threads           publisher                         libnats threads
//   ------------------------           ---------                         ---------------
//   outlet->take(record, line)  --->   PublishWindow (max_pending)  <--  acks: settle the front
//     waits for room (block),          sender thread: sends what is      disconnect/reconnect:
//     or drops an event (drop)         waiting, again after a            send again what was
//                                      reconnect or a lost ack           in flight
//
// Never on the forwarding path: the event loops only ever talk to their EventLog's queue.
// Waiting for room here holds that log's writer thread, which fills its queue, which pauses
// the sessions (loss = "block") exactly as a slow file does; change records always wait, so
// the follower pauses the binlog instead. Under loss = "drop" a lifecycle or audit record that
// finds no room is dropped, counted, and reported once per interval in the operational log.
//
// Exactly once into the stream: a message sent again carries the same Nats-Msg-Id, which the
// stream's duplicate window turns into one copy. A change's id is its key (GTID, event index,
// row index), the same from any gracewire following that server; a lifecycle or audit
// record's id is "<instance>:<lineage>:<seq>" (subjects.h), the line's sequence in its log.
//
// Across a stop or a crash: the EventLog counts a change record written once the stream
// acknowledged it (outlet.h), so the binlog checkpoint never passes a row the stream lacks and
// the follower derives the rest again. An event log with a file keeps beside it how far the
// stream has its lines (progress.h); the next start publishes the lines after that point
// (backlog.h) before anything new, under the same ids. Without a file, records in flight at a
// crash are lost (and at a stop, counted dropped): there is nothing to read them back from.

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "eventlog/outlet.h"

namespace gw::publish {

// The [publish] table's values (publisher_settings()), the password read, the instance named.
struct PublisherSettings {
  std::vector<std::string> urls;
  std::string creds_file, user, password, tls_ca;
  std::string stream = std::string(config::defaults::kPublishStream);
  std::string subject_prefix = std::string(config::defaults::kSubjectPrefix);
  std::string instance;
  bool lifecycle = config::defaults::kPublishLifecycle;
  bool audit = config::defaults::kPublishAudit;
  bool changes = config::defaults::kPublishChanges;
  std::size_t max_pending = config::defaults::kMaxPending;
  config::EventLogLoss loss = config::defaults::kPublishLoss;
  bool create_stream = config::defaults::kCreateStream;
  std::chrono::milliseconds duplicate_window = config::defaults::kDuplicateWindow;
  // Connecting and the stream check at start; each request to the server after that.
  std::chrono::milliseconds connect_timeout{5'000};
  // An acknowledgement that has not come by then is taken as lost: the message goes again.
  std::chrono::milliseconds ack_timeout{10'000};
};

struct PublishStats {
  std::uint64_t published = 0;   // records the stream acknowledged (first copies or not)
  std::uint64_t duplicates = 0;  // of those, acknowledged as already held
  std::uint64_t dropped = 0;     // records lost: no room under "drop", or left at close
  std::uint64_t sent_again = 0;  // sends after a reconnect or a lost acknowledgement
  std::uint64_t errors = 0;      // negative acknowledgements and failed sends
  std::uint64_t reconnects = 0;  // connections to NATS regained
  std::uint64_t pending = 0;     // records waiting or in flight now
  bool connected = false;
};

class Publisher {
 public:
  // Connects, and checks the stream: it exists (or is created, with create_stream) and takes
  // the subjects under subject_prefix. Any failure is a sentence for the operator.
  static std::expected<std::unique_ptr<Publisher>, std::string> start(PublisherSettings settings);
  ~Publisher();  // close(0)
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // An outlet for one event log; each counts its own change records. Its lifecycle and audit
  // records are not resumed after a restart (a log without a file, or of change records only).
  std::shared_ptr<eventlog::Outlet> outlet();
  // The outlet for the event log at `log_path` (a file; empty or "-" give outlet()): it reads
  // the log's progress file, publishes the lines the stream may lack (waiting at most 30 s for
  // room), and keeps the progress file up to date. Call it before the EventLog opens the file.
  // An error when the progress file cannot be written (the operator must fix it).
  std::expected<std::shared_ptr<eventlog::Outlet>, std::string> outlet_for_log(
      const std::string& log_path);

  PublishStats stats() const;
  const PublisherSettings& settings() const;

  // Waits at most `timeout` for the stream to acknowledge what is pending, then disconnects.
  // What is left is counted dropped and reported; an outlet still waiting for room returns.
  // Call it after the event logs' close(). Idempotent.
  void close(std::chrono::milliseconds timeout);

  class State;  // publisher.cpp; shared with libnats's callbacks

 private:
  explicit Publisher(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// PublisherSettings from [publish]; the password from the environment variable it names.
std::expected<PublisherSettings, std::string> publisher_settings(const config::PublishConfig& c);

}  // namespace gw::publish
