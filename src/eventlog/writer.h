#pragma once
// EventLog: takes records from the event-loop thread and writes them, as JSON lines, from a
// thread of its own, so that recording never does file I/O on the forwarding path.
//
//   event loop                         writer thread
//   ----------                         -------------
//   wants_audit()/wants_lifecycle()    wakes every flush_interval, or sooner once the queue is
//   submit(record) --> bounded queue   a quarter full (at most 4096 records), takes the whole
//     full + Block: wait for room      queue, redacts statements, encodes, seals (hash_chain),
//     full + Drop: drop and count      hands lines to the sink, flushes, and writes a "dropped"
//                                      record (and a warning) for anything lost since the last
//                                      flush
//
// Records therefore reach the file within flush_interval (plus the time to write them).
// Memory is bounded by queue_records records waiting plus one batch being written.
// A record nobody asked for (audit off, filtered out, lifecycle off) is ignored by submit()
// too, but checking wants_*() first saves building it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "eventlog/hash_chain.h"
#include "eventlog/record.h"
#include "eventlog/settings.h"
#include "eventlog/sink.h"

namespace gw::eventlog {

struct Stats {
  std::uint64_t written = 0;       // lines that reached the file (records and "dropped" notices)
  std::uint64_t dropped = 0;       // records lost: queue full under Loss::Drop, or not writable
  std::uint64_t write_errors = 0;  // failed write, open or rotate attempts
  std::uint64_t bytes = 0;         // bytes that reached the file
};

class EventLog {
 public:
  // Opens the file (so a bad path stops start-up with a clear sentence) and starts the writer
  // thread. An empty path gives a disabled log: wants_*() are false and submit() does nothing.
  static std::expected<std::unique_ptr<EventLog>, std::string> open(EventLogSettings settings);
  // The same over any sink (tests, tools); `last_hash` continues an existing chain.
  static std::unique_ptr<EventLog> with_sink(EventLogSettings settings, std::unique_ptr<Sink> sink,
                                             std::string last_hash = std::string(kGenesisHash));

  ~EventLog();  // close()
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Event-loop thread. Never does file I/O; with Loss::Block it may wait for the writer.
  void submit(Record&& record);

  bool enabled() const { return sink_ != nullptr; }
  // Whether a command record for this user, schema and command (as protocol::command_name()
  // spells it) would be kept.
  bool wants_audit(std::string_view user, std::string_view db, std::string_view command_name) const;
  bool wants_lifecycle() const { return enabled() && settings_.lifecycle; }
  const EventLogSettings& settings() const { return settings_; }

  Stats stats() const;

  // Writes everything submitted so far, flushes and stops the writer thread. Idempotent;
  // records submitted afterwards are counted as dropped.
  void close();

 private:
  EventLog(EventLogSettings settings, std::unique_ptr<Sink> sink, std::string last_hash);

  bool wanted(const Record& record) const;
  void run();
  void write_record(Record& record);
  void write_line();
  void write_loss_notices();
  void account(const SinkTally& tally);

  const EventLogSettings settings_;
  const std::size_t wake_at_;  // queue length that wakes the writer before its deadline
  std::unique_ptr<Sink> sink_;

  // Shared with submit(), under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable writer_wake_;
  std::condition_variable room_;
  std::vector<Record> queue_;
  bool writer_asleep_ = false;
  bool closing_ = false;
  std::uint64_t queue_dropped_ = 0;  // not yet reported in a "dropped" record
  std::chrono::system_clock::time_point queue_dropped_since_;

  // Writer thread only.
  std::optional<HashChain> chain_;
  std::string line_;
  std::uint64_t lost_ = 0;  // lines the sink could not write, not yet reported
  std::chrono::system_clock::time_point lost_since_;

  std::atomic<std::uint64_t> written_{0}, dropped_{0}, write_errors_{0}, bytes_{0};
  std::thread thread_;
  std::once_flag closed_;
};

}  // namespace gw::eventlog
