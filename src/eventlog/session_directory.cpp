#include "eventlog/session_directory.h"

namespace gw::eventlog {

void SessionDirectory::opened(const Common& common) {
  if (common.server_conn_id == 0) return;
  recent_.erase(common.server_conn_id);  // a server restart reuses ids
  live_[common.server_conn_id] =
      Identity{common.session, common.client, common.user, common.program};
}

void SessionDirectory::closed(std::uint32_t server_conn_id) {
  if (const auto command = unanswered_.find(server_conn_id); command != unanswered_.end()) {
    unanswered_numbers_.erase(command->second);  // it will never be answered now
    unanswered_.erase(command);
    if (on_answer_) on_answer_();
  }
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
  if (on_answer_) on_answer_();
}

std::optional<std::uint32_t> SessionDirectory::committer(const std::string& gtid) const {
  const auto found = committers_.find(gtid);
  if (found == committers_.end()) return std::nullopt;
  return found->second;
}

bool SessionDirectory::command_unanswered(std::uint64_t after, std::uint64_t up_to) const {
  const auto first = unanswered_numbers_.upper_bound(after);
  return first != unanswered_numbers_.end() && *first <= up_to;
}

}  // namespace gw::eventlog
