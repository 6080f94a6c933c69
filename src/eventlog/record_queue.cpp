#include "eventlog/record_queue.h"

#include <algorithm>
#include <utility>

namespace gw::eventlog {

// One room callback per loop. The mutex is held while they run, not only while the list
// changes: that is what lets a removal promise, once it returns, that its callback is not
// running.
class RoomCallbacks {
 public:
  std::uint64_t add(std::function<void()> callback) {
    std::lock_guard lock(mutex_);
    callbacks_.emplace_back(++last_id_, std::move(callback));
    return last_id_;
  }
  void remove(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    std::erase_if(callbacks_, [id](const auto& entry) { return entry.first == id; });
  }
  void clear() {
    std::lock_guard lock(mutex_);
    callbacks_.clear();
  }
  void call_all() {
    std::lock_guard lock(mutex_);
    for (const auto& [id, callback] : callbacks_) callback();
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> callbacks_;  // in the order added
  std::uint64_t last_id_ = 0;
};

RoomSubscription::RoomSubscription(std::weak_ptr<RoomCallbacks> callbacks, std::uint64_t id)
    : callbacks_(std::move(callbacks)), id_(id) {}

RoomSubscription::RoomSubscription(RoomSubscription&& other) noexcept
    : callbacks_(std::move(other.callbacks_)), id_(std::exchange(other.id_, 0)) {}

RoomSubscription& RoomSubscription::operator=(RoomSubscription&& other) noexcept {
  if (this != &other) {
    reset();
    callbacks_ = std::move(other.callbacks_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void RoomSubscription::reset() {
  if (const auto callbacks = callbacks_.lock()) callbacks->remove(id_);
  callbacks_.reset();
  id_ = 0;
}

RecordQueue::RecordQueue(std::size_t limit, EventLogSettings::Loss loss, std::size_t wake_at)
    : limit_(std::max<std::size_t>(limit, 1)),
      ceiling_(ceiling_for(limit_)),
      wake_at_(std::max<std::size_t>(wake_at, 1)),
      loss_(loss),
      room_callbacks_(std::make_shared<RoomCallbacks>()) {
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

RoomSubscription RecordQueue::on_room(std::function<void()> callback) {
  if (!callback) return {};
  const std::uint64_t id = room_callbacks_->add(std::move(callback));
  return RoomSubscription(room_callbacks_, id);
}

void RecordQueue::clear_room_callbacks() { room_callbacks_->clear(); }

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
  // Outside mutex_: a callback may ask has_room().
  if (reached_limit) room_callbacks_->call_all();
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
