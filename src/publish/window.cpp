#include "publish/window.h"

#include <algorithm>

namespace gw::publish {

void PublishWindow::add(Message message) {
  entries_.push_back(Entry{.message = std::move(message)});
}

void PublishWindow::add_settled(Message message) {
  entries_.push_back(Entry{.message = std::move(message), .acked = true});
}

const Message* PublishWindow::next_to_send(Clock::time_point now) {
  while (next_ < base_ + entries_.size()) {
    Entry& entry = entries_[next_ - base_];
    ++next_;
    if (entry.sent || entry.acked) continue;
    entry.sent = true;
    entry.sent_at = now;
    ++in_flight_;
    return &entry.message;
  }
  return nullptr;
}

void PublishWindow::acknowledged(const std::string& id) {
  const auto unacked_with_id = [&](std::uint64_t position) {
    const Entry& entry = entries_[position - base_];
    return !entry.acked && entry.message.id == id;
  };
  const std::uint64_t end = base_ + entries_.size();
  // Acknowledgements come in the order sent, nearly always: the one after the last matched
  // first. Otherwise the oldest unacknowledged message with the id. (A record handed twice
  // has two entries with one id; whichever an ack settles, the stream holds that id.)
  std::uint64_t position = ack_hint_;
  if (position < base_ || position >= end || !unacked_with_id(position)) {
    position = base_;
    while (position < end && !unacked_with_id(position)) ++position;
    if (position == end) return;  // an ack for a message sent twice, already settled
  }
  Entry& entry = entries_[position - base_];
  if (entry.sent) --in_flight_;
  entry.acked = true;
  entry.sent = false;
  ack_hint_ = position + 1;
}

void PublishWindow::failed(const std::string& id) {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& entry = entries_[i];
    if (!entry.sent || entry.message.id != id) continue;
    entry.sent = false;
    --in_flight_;
    next_ = std::min(next_, base_ + i);
  }
}

void PublishWindow::resend_all() {
  for (Entry& entry : entries_) entry.sent = false;
  in_flight_ = 0;
  next_ = base_;
}

std::size_t PublishWindow::resend_older_than(Clock::time_point cutoff) {
  std::size_t again = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& entry = entries_[i];
    if (!entry.sent || entry.sent_at >= cutoff) continue;
    entry.sent = false;
    --in_flight_;
    ++again;
    next_ = std::min(next_, base_ + i);
  }
  return again;
}

}  // namespace gw::publish
