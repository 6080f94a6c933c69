#include "eventlog/session_directory.h"

namespace gw::eventlog {

void SessionDirectory::opened(const Common& common) {
  if (common.server_conn_id == 0) return;
  std::lock_guard lock(mutex_);
  recent_.erase(common.server_conn_id);  // a server restart reuses ids
  live_[common.server_conn_id] =
      Identity{common.session, common.client, common.user, common.program};
}

void SessionDirectory::closed(std::uint32_t server_conn_id) {
  bool dropped_command = false;
  {
    std::lock_guard lock(mutex_);
    if (const auto command = unanswered_.find(server_conn_id); command != unanswered_.end()) {
      unanswered_numbers_.erase(command->second);  // it will never be answered now
      unanswered_.erase(command);
      dropped_command = true;
    }
    forget(server_conn_id);
  }
  if (dropped_command) answered();
}

void SessionDirectory::forget(std::uint32_t server_conn_id) {
  const auto found = live_.find(server_conn_id);
  if (found == live_.end()) return;
  if (recent_limit_ > 0) {
    const std::uint64_t number = ++closes_;
    recent_[server_conn_id] = Recent{std::move(found->second), number};
    recent_order_.emplace_back(server_conn_id, number);
    // Evict the oldest past the limit; stale entries (from reopened ids) must not pile up in the
    // order either.
    while ((recent_.size() > recent_limit_ || recent_order_.size() > 2 * recent_limit_) &&
           !recent_order_.empty()) {
      const auto [oldest, closed_as] = recent_order_.front();
      recent_order_.pop_front();
      if (const auto entry = recent_.find(oldest);
          entry != recent_.end() && entry->second.closed_as == closed_as) {
        recent_.erase(entry);
      }
    }
  }
  live_.erase(found);
}

bool SessionDirectory::identify(std::uint32_t server_conn_id, Common& common) const {
  std::lock_guard lock(mutex_);
  const Identity* identity = nullptr;
  if (const auto live = live_.find(server_conn_id); live != live_.end()) {
    identity = &live->second;
  } else if (const auto recent = recent_.find(server_conn_id); recent != recent_.end()) {
    identity = &recent->second.identity;
  } else {
    return false;
  }
  common.session = identity->session;
  common.client = identity->client;
  common.user = identity->user;
  common.program = identity->program;
  return true;
}

void SessionDirectory::command_sent(std::uint32_t server_conn_id) {
  std::lock_guard lock(mutex_);
  const std::uint64_t number = ++commands_sent_;
  auto [entry, added] = unanswered_.try_emplace(server_conn_id, number);
  if (!added) {
    unanswered_numbers_.erase(entry->second);
    entry->second = number;
  }
  unanswered_numbers_.insert(number);
}

void SessionDirectory::command_answered(std::uint32_t server_conn_id,
                                        const std::vector<std::string>& gtids) {
  {
    std::lock_guard lock(mutex_);
    record_answer(server_conn_id, gtids);
  }
  answered();
}

void SessionDirectory::record_answer(std::uint32_t server_conn_id,
                                     const std::vector<std::string>& gtids) {
  if (const auto command = unanswered_.find(server_conn_id); command != unanswered_.end()) {
    unanswered_numbers_.erase(command->second);
    unanswered_.erase(command);
  }
  for (const auto& gtid : gtids) {
    if (gtid_limit_ == 0) break;
    auto [entry, added] = committers_.insert_or_assign(gtid, server_conn_id);
    if (!added) continue;  // already in the order (a re-reported GTID keeps its place)
    committer_order_.push_back(gtid);
    while (committer_order_.size() > gtid_limit_) {
      committers_.erase(committer_order_.front());
      committer_order_.pop_front();
    }
  }
}

void SessionDirectory::answered() const {
  std::lock_guard lock(callback_mutex_);
  if (on_answer_) on_answer_();
}

void SessionDirectory::on_answer(std::function<void()> callback) {
  {
    std::lock_guard lock(callback_mutex_);
    on_answer_.swap(callback);
  }
  // `callback` now holds the old one: destroyed here, outside the lock.
}

std::optional<std::uint32_t> SessionDirectory::committer(const std::string& gtid) const {
  std::lock_guard lock(mutex_);
  const auto found = committers_.find(gtid);
  if (found == committers_.end()) return std::nullopt;
  return found->second;
}

std::uint64_t SessionDirectory::commands_sent() const {
  std::lock_guard lock(mutex_);
  return commands_sent_;
}

bool SessionDirectory::command_unanswered(std::uint64_t after, std::uint64_t up_to) const {
  std::lock_guard lock(mutex_);
  const auto first = unanswered_numbers_.upper_bound(after);
  return first != unanswered_numbers_.end() && *first <= up_to;
}

std::size_t SessionDirectory::live() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

std::size_t SessionDirectory::recent() const {
  std::lock_guard lock(mutex_);
  return recent_.size();
}

}  // namespace gw::eventlog
