#pragma once
// SessionDirectory: which gracewire session a server connection belongs to, so that a change
// record from the binlog (which names only the server's connection id) can say who made the
// change, from which program and address. The proxy fills it as sessions authenticate and
// end; the binlog follower reads it. Ended sessions stay findable for a while (a bounded list
// of the most recent ones), since a transaction's rows can reach the follower after its client
// has gone. Loop thread only.
//
// A transaction on a transactional table names no connection in the binlog (MariaDB writes no
// QUERY BEGIN with a thread id for it), so the proxy also reports each command it sends and the
// GTIDs the server said it committed (MariaDB's last_gtid session tracker): the follower finds
// the session by GTID, and waits briefly while a command that may have committed it is still
// unanswered (binlog/attribution_gate.h).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "eventlog/record.h"

namespace gw::eventlog {

class SessionDirectory {
 public:
  static constexpr std::size_t kDefaultRecent = 4096;
  static constexpr std::size_t kDefaultGtids = 65536;

  explicit SessionDirectory(std::size_t recent_limit = kDefaultRecent,
                            std::size_t gtid_limit = kDefaultGtids)
      : recent_limit_(recent_limit), gtid_limit_(gtid_limit) {}

  // A session authenticated (or changed user) on `common.server_conn_id`: session, client,
  // user and program are kept.
  void opened(const Common& common);
  // The session on `server_conn_id` ended; it stays findable among the recent ones.
  void closed(std::uint32_t server_conn_id);
  // Fills session, client, user and program for a known connection; false otherwise (`common`
  // is then untouched).
  bool identify(std::uint32_t server_conn_id, Common& common) const;

  // A command went to the server on `server_conn_id` (one at a time per connection).
  void command_sent(std::uint32_t server_conn_id);
  // Its answer came; `gtids` are the transactions it committed. Runs the on_answer callback.
  void command_answered(std::uint32_t server_conn_id, const std::vector<std::string>& gtids);
  // The connection that committed `gtid` ("0-1-42"), among the last gtid_limit reported.
  std::optional<std::uint32_t> committer(const std::string& gtid) const;
  // Commands sent so far: a sequence number for command_unanswered.
  std::uint64_t commands_sent() const { return commands_sent_; }
  // Whether a command numbered in (after, up_to] is still unanswered.
  bool command_unanswered(std::uint64_t after, std::uint64_t up_to) const;
  // Runs after every command_answered, on the loop thread (the follower waits on it).
  void on_answer(std::function<void()> callback) { on_answer_ = std::move(callback); }

  std::size_t live() const { return live_.size(); }
  std::size_t recent() const { return recent_.size(); }

 private:
  struct Identity {
    std::uint64_t session = 0;
    std::string client, user, program;
  };
  std::size_t recent_limit_;
  std::unordered_map<std::uint32_t, Identity> live_;
  struct Recent {
    Identity identity;
    std::uint64_t closed_as = 0;  // which close put it here (an id can close more than once)
  };
  std::unordered_map<std::uint32_t, Recent> recent_;
  // Oldest first. An entry whose number no longer matches recent_ is stale (the id was
  // reopened, or closed again later) and is skipped when it comes out.
  std::deque<std::pair<std::uint32_t, std::uint64_t>> recent_order_;
  std::uint64_t closes_ = 0;

  std::size_t gtid_limit_;
  std::unordered_map<std::string, std::uint32_t> committers_;
  std::deque<std::string> committer_order_;  // oldest first
  std::uint64_t commands_sent_ = 0;
  std::unordered_map<std::uint32_t, std::uint64_t> unanswered_;  // connection -> command number
  std::set<std::uint64_t> unanswered_numbers_;
  std::function<void()> on_answer_;
};

}  // namespace gw::eventlog
