#pragma once
// The hand-over between the event loops and the writer thread: a queue that never makes a
// loop wait.
//
//   loop threads: push(record) ---> [ queue ] ----> writer thread: take(batch, deadline)
//   (any number)   |                                   |
//                  +-- Queued     below `limit`         +-- after taking a queue that had
//                  +-- OverLimit  at or past `limit`        reached `limit`: every room
//                  |              (Loss::Block): kept,      callback (writer thread), so each
//                  |              pause the producer        loop can resume what it paused
//                  +-- Dropped    Loss::Drop at `limit`,
//                                 past `ceiling`, or closed: counted, never silent
//
// Under Loss::Block the limit is soft: a record that arrives at or past it is still kept (its
// producer is told to stop producing), up to a hard `ceiling`, past which records are dropped
// and counted like Loss::Drop. Memory is therefore bounded by `ceiling` records waiting plus
// the batch the writer holds.
//
// Change records (row, ddl, commit: is_change_record()) are the exception, under either loss
// policy: a change record is never dropped while the queue is open. At or past `limit` it is
// kept and answered OverLimit, past the ceiling too; only a closed queue answers Dropped. What
// bounds memory for them is the producer's discipline, not the queue: the binlog follower is
// one producer that stops reading the binlog when it sees OverLimit (or !has_room()) and
// resumes on the room callback, so it overshoots `limit` by at most the records it makes from
// the one event it is decoding (a rows event is bounded by the server's max_allowed_packet).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "eventlog/record.h"
#include "eventlog/settings.h"

namespace gw::eventlog {

// What submit()/push() did with a record.
enum class Submitted {
  Queued,     // waiting for the writer; there is room for more
  OverLimit,  // waiting for the writer, but the queue has reached queue_records (Loss::Block,
              // and change records under either policy): stop reading the producer until the
              // room callback says there is room again
  Dropped,    // not kept: the queue was full (Loss::Drop), past its hard ceiling, or closed
              // (change records: only closed); counted in stats().dropped and reported in a
              // "dropped" record and the log
  Filtered,   // nobody asked for it (audit off, filtered out, lifecycle off, log disabled;
              // change records: only a disabled log)
};

// Records lost before they reached the writer, not yet reported.
struct QueueDrops {
  std::uint64_t count = 0;
  std::chrono::system_clock::time_point since{};
};

class RoomCallbacks;  // the registered room callbacks (record_queue.cpp)

// Keeps one room callback registered (RecordQueue::on_room, EventLog::on_room) until it is
// destroyed or reset(). Once either returns, the callback is not running and never runs again,
// so what it refers to may be destroyed then; for that they wait for a call in progress, and
// must therefore never be called from inside a room callback. It may outlive the queue.
class RoomSubscription {
 public:
  RoomSubscription() = default;  // registers nothing
  RoomSubscription(RoomSubscription&& other) noexcept;
  RoomSubscription& operator=(RoomSubscription&& other) noexcept;
  ~RoomSubscription() { reset(); }

  void reset();

 private:
  friend class RecordQueue;
  RoomSubscription(std::weak_ptr<RoomCallbacks> callbacks, std::uint64_t id);

  std::weak_ptr<RoomCallbacks> callbacks_;  // weak: the queue may go first
  std::uint64_t id_ = 0;
};

class RecordQueue {
 public:
  // `limit` >= 1; `wake_at` is the queue length that wakes a sleeping writer early.
  RecordQueue(std::size_t limit, EventLogSettings::Loss loss, std::size_t wake_at);

  // The hard ceiling under Loss::Block: twice the limit, so a burst from every session at once
  // still fits while those sessions are being paused.
  static std::size_t ceiling_for(std::size_t limit) { return limit * 2; }

  // Any thread (the loops, several at once). Never waits for the writer.
  Submitted push(Record&& record);
  // True while the queue is below its limit.
  bool has_room() const;
  std::size_t depth() const;
  // Adds a room callback, one per loop that pauses producers: each is called on the writer
  // thread, without the queue's lock held, each time the writer takes a queue that had reached
  // its limit; every callback registered is called, one after the other. Must be cheap and
  // thread-safe (uv_async_send is both). Registered until the subscription ends. Any thread.
  [[nodiscard]] RoomSubscription on_room(std::function<void()> callback);
  // Removes every room callback, with the guarantee of RoomSubscription::reset() (close()).
  void clear_room_callbacks();

  // Writer thread: waits until `deadline`, until `wake_at` records wait, or until close(),
  // then swaps every waiting record into `batch` (which must be empty). Returns true once
  // closed: `batch` then holds the last records there will ever be.
  bool take(std::vector<Record>& batch, std::chrono::steady_clock::time_point deadline);
  // Writer thread: drops since the last call.
  QueueDrops take_drops();

  // Makes a waiting take() return now (with whatever is queued).
  void wake();
  // From now on push() drops (and counts) every record; wakes the writer.
  void close();

  std::uint64_t dropped_total() const;
  std::uint64_t over_limit_total() const;

 private:
  void count_drop();  // under mutex_
  std::size_t kept_capacity() const;

  const std::size_t limit_, ceiling_, wake_at_;
  const EventLogSettings::Loss loss_;

  mutable std::mutex mutex_;
  std::condition_variable writer_wake_;
  std::vector<Record> queue_;
  bool writer_asleep_ = false;
  bool closed_ = false;
  bool woken_ = false;
  bool reached_limit_ = false;  // since the writer last took the queue
  // Shared with the subscriptions, which may outlive the queue.
  const std::shared_ptr<RoomCallbacks> room_callbacks_;
  QueueDrops drops_;  // not yet reported
  std::uint64_t dropped_total_ = 0, over_limit_total_ = 0;
};

}  // namespace gw::eventlog
