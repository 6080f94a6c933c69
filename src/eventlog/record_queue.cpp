#include "eventlog/record_queue.h"

#include <algorithm>
#include <utility>

namespace gw::eventlog {

RecordQueue::RecordQueue(std::size_t limit, EventLogSettings::Loss loss, std::size_t wake_at)
    : limit_(std::max<std::size_t>(limit, 1)),
      ceiling_(ceiling_for(limit_)),
      wake_at_(std::max<std::size_t>(wake_at, 1)),
      loss_(loss) {
  queue_.reserve(kept_capacity());
}

// The room a queue keeps between batches: the writer usually takes it at wake_at records, so
// twice that saves the loop from growing the vector (and moving every record) while it pushes.
std::size_t RecordQueue::kept_capacity() const { return std::min(limit_, 2 * wake_at_); }

void RecordQueue::count_drop() {
  if (drops_.count++ == 0) drops_.since = std::chrono::system_clock::now();
  ++dropped_total_;
}

Submitted RecordQueue::push(Record&& record) {
  std::lock_guard lock(mutex_);
  if (closed_) {
    count_drop();
    return Submitted::Dropped;
  }
  const bool at_limit = queue_.size() >= limit_;
  const bool change = is_change_record(record);
  if (at_limit && !change && (loss_ == EventLogSettings::Loss::Drop || queue_.size() >= ceiling_)) {
    count_drop();
    return Submitted::Dropped;
  }
  queue_.push_back(std::move(record));
  if (writer_asleep_ && queue_.size() >= wake_at_) {
    writer_asleep_ = false;  // one notification is enough
    writer_wake_.notify_one();
  }
  if ((loss_ == EventLogSettings::Loss::Block || change) && queue_.size() >= limit_) {
    reached_limit_ = true;
    ++over_limit_total_;
    return Submitted::OverLimit;
  }
  return Submitted::Queued;
}

bool RecordQueue::has_room() const {
  std::lock_guard lock(mutex_);
  return queue_.size() < limit_;
}

std::size_t RecordQueue::depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void RecordQueue::set_room_callback(std::function<void()> callback) {
  std::lock_guard lock(callback_mutex_);
  room_callback_ = std::move(callback);
}

bool RecordQueue::take(std::vector<Record>& batch, std::chrono::steady_clock::time_point deadline) {
  bool closed = false, reached_limit = false;
  {
    std::unique_lock lock(mutex_);
    writer_asleep_ = true;
    writer_wake_.wait_until(lock, deadline,
                            [&] { return closed_ || woken_ || queue_.size() >= wake_at_; });
    writer_asleep_ = false;
    woken_ = false;
    batch.swap(queue_);
    // The writer's last batch, emptied: usually big enough already.
    if (queue_.capacity() < kept_capacity()) queue_.reserve(kept_capacity());
    closed = closed_;
    reached_limit = std::exchange(reached_limit_, false);
  }
  if (reached_limit) {
    // Outside mutex_: the callback may ask has_room().
    std::lock_guard lock(callback_mutex_);
    if (room_callback_) room_callback_();
  }
  return closed;
}

QueueDrops RecordQueue::take_drops() {
  std::lock_guard lock(mutex_);
  return std::exchange(drops_, {});
}

void RecordQueue::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  writer_wake_.notify_one();
}

void RecordQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  writer_wake_.notify_one();
}

std::uint64_t RecordQueue::dropped_total() const {
  std::lock_guard lock(mutex_);
  return dropped_total_;
}

std::uint64_t RecordQueue::over_limit_total() const {
  std::lock_guard lock(mutex_);
  return over_limit_total_;
}

}  // namespace gw::eventlog
