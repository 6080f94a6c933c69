#include "publish/window.h"

#include <algorithm>

namespace gw::publish {

void PublishWindow::add(Message message) {
  const std::uint64_t position = base_ + entries_.size();
  by_id_.emplace(message.id, position);
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
  auto [first, last] = by_id_.equal_range(id);
  Entry* oldest = nullptr;
  std::uint64_t oldest_position = 0;
  for (auto it = first; it != last; ++it) {
    Entry& entry = entries_[it->second - base_];
    if (!entry.acked && (oldest == nullptr || it->second < oldest_position)) {
      oldest = &entry;
      oldest_position = it->second;
    }
  }
  if (oldest == nullptr) return;
  if (oldest->sent) --in_flight_;
  oldest->acked = true;
  oldest->sent = false;
}

void PublishWindow::failed(const std::string& id) {
  auto [first, last] = by_id_.equal_range(id);
  for (auto it = first; it != last; ++it) {
    Entry& entry = entries_[it->second - base_];
    if (!entry.sent) continue;
    entry.sent = false;
    --in_flight_;
    next_ = std::min(next_, it->second);
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

void PublishWindow::forget(const std::string& id, std::uint64_t position) {
  auto [first, last] = by_id_.equal_range(id);
  for (auto it = first; it != last; ++it) {
    if (it->second == position) {
      by_id_.erase(it);
      return;
    }
  }
}

}  // namespace gw::publish
