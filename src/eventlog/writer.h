#pragma once
// EventLog: takes records from the event-loop threads (one log shared by every loop) and
// writes them, as JSON lines, from a thread of its own, so that recording never does file
// I/O, and never waits, on the forwarding path.
//
//   event loops (any number, at once)  writer thread
//   ---------------------------------  -------------
//   wants_audit()/wants_lifecycle()    wakes every flush_interval, or sooner once the queue is
//   submit(record) --> RecordQueue     a quarter full (at most 4096 records), takes the whole
//     (record_queue.h; never waits)    queue, redacts statements, encodes, seals (hash_chain),
//     Queued / OverLimit / Dropped     hands lines to the sink, flushes, and writes a "dropped"
//   room callbacks <-----------------  record (and a warning) for anything lost since the last
//     (one per loop; after OverLimit,  flush; calls every room callback when it takes a queue
//      once the writer took the queue) that had reached queue_records
//
// Loss::Block is backpressure, not waiting: submit() keeps a record that arrives when the
// queue holds queue_records or more and answers OverLimit; the caller then stops reading the
// session that produced it until its room callback fires (and has_room() is true). Past the
// hard ceiling (2 x queue_records) records are dropped and counted, as under Loss::Drop.
// Every drop lands in stats().dropped, in a "dropped" record and in the operational log
// (at most one warning per flush).
//
// Each proxy's use (on its own loop thread unless said otherwise):
//   room_ = log.on_room([async] { uv_async_send(async); });  // runs on the writer thread
//   if (log.submit(std::move(record)) == Submitted::OverLimit) pause reading that session;
//   on the async: if (log.has_room()) resume the paused sessions (if not, another callback
//     follows: a session that saw OverLimit always gets one, whichever loop filled the queue);
//   before closing the async handle: room_.reset();
// The main loop may swap the filters (set_filters, on SIGHUP) while the loops ask wants_*() and
// submit(): each call sees either the old filters or the new ones, whole.
//
// A write failure (disk full) loses the lines it hit; the writer counts them and puts a
// "dropped" record (reason write_failed) in front of the next line that reaches the sink, so
// that `gracewire verify` can tell an announced gap in the hash chain from a removed record.
//
// close() gives the writer a bounded time to write what is queued. A sink that does not come
// back (a pipe whose reader stalled, a hung disk) is abandoned: the records not confirmed
// written are counted as dropped and reported in the operational log, and the writer thread
// is left to finish on its own, holding everything it uses.
//
// Records therefore reach the file within flush_interval (plus the time to write them).
// A record nobody asked for (audit off, filtered out, lifecycle off) is ignored by submit()
// too, but checking wants_*() first saves building it.
//
// Change records (row, ddl, commit; the binlog follower's) differ in three ways:
//   * always wanted while the log is enabled: the audit and lifecycle switches and the audit
//     filters do not apply to them;
//   * never dropped, under either loss policy and past the hard ceiling too: at or past
//     queue_records submit() keeps them and answers OverLimit (record_queue.h). Only a closed
//     log answers Dropped, and counts the record lost. The follower must stop reading the
//     binlog on OverLimit until the room callback fires and has_room() is true: that
//     discipline, not the queue, bounds the memory they take;
//   * counted for the follower's checkpoint (change_progress()): a binlog position may be
//     persisted once every change record submitted before it is written and none was lost.

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "eventlog/hash_chain.h"
#include "eventlog/outlet.h"
#include "eventlog/record.h"
#include "eventlog/record_queue.h"
#include "eventlog/settings.h"
#include "eventlog/sink.h"

namespace gw::eventlog {

struct Stats {
  std::uint64_t written = 0;       // lines that reached the file (records and "dropped" notices)
  std::uint64_t dropped = 0;       // records lost: queue full, not writable, or left at close
  std::uint64_t write_errors = 0;  // failed write, open or rotate attempts
  std::uint64_t bytes = 0;         // bytes that reached the file
  std::uint64_t over_limit = 0;    // submits answered OverLimit (a session was asked to pause)
  std::uint64_t queue_depth = 0;   // records waiting for the writer now
  std::uint64_t reopened = 0;      // reopen() requests carried out
};

// What decides whether a record is wanted; changeable while running (set_filters).
struct Filters {
  bool audit = true;
  bool lifecycle = true;
  std::vector<std::string> users{}, schemas{}, command_classes{};  // empty = all

  bool operator==(const Filters&) const = default;
};

Filters filters_of(const EventLogSettings& settings);

class EventLog {
 public:
  static constexpr std::chrono::milliseconds kDefaultCloseTimeout{5000};

  // Opens the file (so a bad path stops start-up with a clear sentence) and starts the writer
  // thread. An empty path gives a disabled log (wants_*() are false and submit() does
  // nothing) unless there is an outlet: then the lines are published only (outlet.h).
  static std::expected<std::unique_ptr<EventLog>, std::string> open(
      EventLogSettings settings, std::shared_ptr<Outlet> outlet = nullptr);
  // The same over any sink (tests, tools); `last_hash` continues an existing chain and
  // `last_sequence` the line sequence (sequence.h).
  static std::unique_ptr<EventLog> with_sink(EventLogSettings settings, std::unique_ptr<Sink> sink,
                                             std::string last_hash = std::string(kGenesisHash),
                                             std::shared_ptr<Outlet> outlet = nullptr,
                                             std::uint64_t last_sequence = 0);

  ~EventLog();  // close()
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Any event-loop thread, several at once. Never does file I/O and never waits for the writer
  // (only, briefly, for another loop's submit()).
  Submitted submit(Record&& record);
  // Whether the queue is below queue_records. Any thread.
  bool has_room() const;
  // See RecordQueue::on_room: runs on the writer thread after an OverLimit (from any loop), once
  // the writer has taken the queue; ending the subscription waits for a call in progress. Any
  // thread; on a disabled log, a subscription that registers nothing.
  [[nodiscard]] RoomSubscription on_room(std::function<void()> callback);

  bool enabled() const { return writer_ != nullptr; }
  // Whether a command record for this user, schema and command (as protocol::command_name()
  // spells it) would be kept. Any thread, like wants_lifecycle().
  bool wants_audit(std::string_view user, std::string_view db, std::string_view command_name) const;
  bool wants_lifecycle() const;
  // The settings it was opened with; the filters in effect are filters().
  const EventLogSettings& settings() const { return settings_; }
  // Any thread: a copy of the filters in effect now. set_filters() (the main loop's reload)
  // replaces them for every loop at once; a check already under way finishes with the old ones.
  Filters filters() const;
  void set_filters(Filters filters);

  // Any thread: the writer closes and reopens the file before its next batch (for logrotate's
  // create mode: the renamed file is finished, a new one starts at the path). The hash chain
  // runs on into the new file. Standard output is left as it is.
  void reopen();

  Stats stats() const;

  // Change records, for the follower's checkpoint. Each record submitted counts once in
  // submitted, and later in at most one of written and lost:
  //   submitted  change records submit() took (Queued or OverLimit), and any it refused because
  //              the log was closed (those also count in lost);
  //   written    change records whose line the sink took into the OS, counted once the batch's
  //              flush() has returned: they survive a crash of gracewire (not of the machine:
  //              there is no fsync); with an outlet, only once it confirmed them too;
  //   lost       change records whose line the sink lost (disk full, I/O error), that could not
  //              be handed to a failing sink, or were left unwritten when close() gave up.
  // Read as `p = change_progress()`: records submitted before a read of submitted == s are all
  // written when a later read has written >= s and lost == 0. After close() abandoned a stuck
  // sink, lost > 0 and nothing else is final. Any thread.
  struct ChangeProgress {
    std::uint64_t submitted = 0, written = 0, lost = 0;
  };
  ChangeProgress change_progress() const;

  // Writes everything submitted so far, flushes and stops the writer thread, waiting at most
  // `timeout` for a sink that does not take the lines. Idempotent; records submitted
  // afterwards are counted as dropped.
  void close(std::chrono::milliseconds timeout = kDefaultCloseTimeout);

 private:
  class Writer;  // the writer thread's state, shared with that thread (writer.cpp)

  EventLog(EventLogSettings settings, std::unique_ptr<Sink> sink, std::string last_hash,
           std::uint64_t last_sequence, std::shared_ptr<Outlet> outlet);

  bool wanted(const Record& record) const;

  const EventLogSettings settings_;
  // Read by every loop on each command, replaced on a reload. A mutex held while the filters
  // are matched costs one uncontended lock, about what std::atomic<std::shared_ptr> costs in
  // libstdc++ 12 (a spin lock of its own, plus a reference count bumped on one shared control
  // block per check), and ThreadSanitizer flags that atomic in libstdc++ 12
  // (google/sanitizers#1558); submit() takes the queue's mutex per record anyway.
  mutable std::mutex filters_mutex_;
  Filters filters_;                 // under filters_mutex_
  std::shared_ptr<Writer> writer_;  // null when disabled
  std::thread thread_;
  std::once_flag closed_;
};

}  // namespace gw::eventlog
