#pragma once
// PublishWindow: the records handed to the publisher and not yet acknowledged by the stream,
// in the order handed. It decides what to send next and what to send again; the publisher
// (publisher.h) does the sending. No NATS here, no threads: its owner holds the lock.
//
//   add() -> Waiting --next_to_send()--> Sent --acknowledged()--> Acked --(front)--> settled
//                ^                        |
//                +-- resend_all() --------+   (a reconnect: the acks of what was in flight
//                +-- resend_older_than() -+    may never come; a lost ack, a slow stream)
//
// Sending again is safe because every message carries its Nats-Msg-Id: JetStream keeps one
// copy of each within its duplicate window. Entries leave only from the front, so the
// settled counts say "everything handed up to here is in the stream".

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace gw::publish {

struct Message {
  std::string subject{};
  std::string id{};    // Nats-Msg-Id
  std::string type{};  // the record's type, for the Gracewire-Type header
  std::string body{};  // the JSON line, without '\n'
  bool change = false;
  int channel = 0;             // which event log handed it (publisher.h)
  std::uint64_t sequence = 0;  // the line's "seq" in that log (eventlog/sequence.h)
};

class PublishWindow {
 public:
  using Clock = std::chrono::steady_clock;

  // `capacity`: max_pending, the most records held (waiting, in flight or acked out of order).
  explicit PublishWindow(std::size_t capacity) : capacity_(capacity) {}

  bool full() const { return entries_.size() >= capacity_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::size_t in_flight() const { return in_flight_; }

  // Takes a message the caller made room for (!full()).
  void add(Message message);
  // Takes a message that is not to be sent but settles in order with the others (a change
  // record of a type not published). It may pass capacity: it never waits for an ack.
  void add_settled(Message message);
  // The oldest message not sent since the last resend, marked sent at `now`; nullptr when all
  // are out.
  const Message* next_to_send(Clock::time_point now);
  // The stream stored (or already held) the message with this id: one unacknowledged message
  // with it (two share an id when the same record was handed twice: a follower that resumed
  // mid-way). Unknown ids (an ack for a message sent twice, after the first ack settled it)
  // are ignored. O(1) when acks come in the order sent; a scan from the front otherwise.
  void acknowledged(const std::string& id);
  // The stream refused the message with this id: it goes again (after the caller's wait).
  void failed(const std::string& id);
  // Every message not yet acknowledged goes out again, in order.
  void resend_all();
  // Messages sent before `cutoff` and still unacknowledged go out again; how many.
  std::size_t resend_older_than(Clock::time_point cutoff);

  // The oldest message still held for which pred(message) holds; nullptr when none is.
  template <typename Pred>
  const Message* oldest_where(Pred&& pred) const {
    for (const auto& entry : entries_) {
      if (pred(entry.message)) return &entry.message;
    }
    return nullptr;
  }

  // Removes the acknowledged messages at the front; calls settle(message) for each, in order.
  template <typename Settle>
  std::size_t settle_front(Settle&& settle) {
    std::size_t settled = 0;
    while (!entries_.empty() && entries_.front().acked) {
      settle(entries_.front().message);
      entries_.pop_front();
      ++base_;
      ++settled;
    }
    if (next_ < base_) next_ = base_;
    return settled;
  }

  // Empties the window; calls drop(message) for each message left, in order (at a stop).
  template <typename Drop>
  void drain(Drop&& drop) {
    for (auto& entry : entries_) {
      if (!entry.acked) drop(entry.message);
    }
    base_ += entries_.size();
    entries_.clear();
    next_ = base_;
    in_flight_ = 0;
  }

 private:
  struct Entry {
    Message message;
    bool sent = false;
    bool acked = false;
    Clock::time_point sent_at{};
  };

  const std::size_t capacity_;
  std::deque<Entry> entries_;
  std::uint64_t base_ = 0;  // the position of entries_.front() since the start
  std::uint64_t next_ = 0;  // the position next_to_send() looks at first
  std::size_t in_flight_ = 0;
  std::uint64_t ack_hint_ = 0;  // where acknowledged() looks first: after the last one matched
};

}  // namespace gw::publish
