#pragma once
// SessionDirectory: which gracewire session a server connection belongs to, so that a change
// record from the binlog (which names only the server's connection id) can say who made the
// change, from which program and address. The proxy fills it as sessions authenticate and
// end; the binlog follower reads it. Ended sessions stay findable for a while (a bounded list
// of the most recent ones), since a transaction's rows can reach the follower after its client
// has gone.
//
// A transaction on a transactional table names no connection in the binlog (MariaDB writes no
// QUERY BEGIN with a thread id for it), so the proxy also reports each command it sends and the
// GTIDs the server said it committed (MariaDB's last_gtid session tracker): the follower finds
// the session by GTID, and waits briefly while a command that may have committed it is still
// unanswered (binlog/attribution_gate.h).
//
// Threads: every call may come from any thread. The sessions write from their own loop threads
// (one per core), the follower reads from the main loop's. Each call takes one lock and sees
// (or makes) one consistent state; nothing holds across calls but what only ever moves one
// way, which is what the follower builds on:
//   - commands_sent() never decreases; a command, once answered (or its connection closed),
//     is never unanswered again. So command_unanswered(after, up_to) with up_to from an
//     earlier commands_sent() can turn from true to false between calls, never back.
//   - A session reports a command before its bytes leave for the server: a transaction the
//     follower reads from the binlog was committed by a command already counted in the
//     commands_sent() it asks for then.
//   - committer(gtid) keeps its answer until gtid_limit newer GTIDs push it out (or the GTID
//     is reported again); identify(id) may change between calls (the session closes and ages
//     out of the recent ones, or a new session reuses the id after a server restart).
//   - live() and recent() are counts of one moment.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
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
  // Its answer came; `gtids` are the transactions it committed. Then runs the on_answer
  // callback.
  void command_answered(std::uint32_t server_conn_id, const std::vector<std::string>& gtids);
  // The connection that committed `gtid` ("0-1-42"), among the last gtid_limit reported.
  std::optional<std::uint32_t> committer(const std::string& gtid) const;
  // Commands sent so far: a sequence number for command_unanswered.
  std::uint64_t commands_sent() const;
  // Whether a command numbered in (after, up_to] is still unanswered.
  bool command_unanswered(std::uint64_t after, std::uint64_t up_to) const;
  // `callback` runs after every command_answered (and after a close that drops an unanswered
  // command), on the thread that made that call — a session's loop thread, not the follower's
  // — and without the directory's lock, so it may call the directory's other methods (not
  // on_answer: that deadlocks). Calls from several threads run one at a time. Replacing or
  // clearing it (on_answer({})) waits for a call of the old one in progress: once on_answer
  // returns, the old callback is not running and never runs again (whoever owns what it
  // touches may then destroy that).
  void on_answer(std::function<void()> callback);

  std::size_t live() const;
  std::size_t recent() const;

 private:
  struct Identity {
    std::uint64_t session = 0;
    std::string client, user, program;
  };
  struct Recent {
    Identity identity;
    std::uint64_t closed_as = 0;  // which close put it here (an id can close more than once)
  };

  // With mutex_ held: a closed session moves to the recent ones; an answer is noted.
  void forget(std::uint32_t server_conn_id);
  void record_answer(std::uint32_t server_conn_id, const std::vector<std::string>& gtids);
  // Runs the on_answer callback; called with mutex_ released.
  void answered() const;

  const std::size_t recent_limit_;
  const std::size_t gtid_limit_;

  // Guards the state below; never held while the callback runs.
  mutable std::mutex mutex_;
  std::unordered_map<std::uint32_t, Identity> live_;
  std::unordered_map<std::uint32_t, Recent> recent_;
  // Oldest first. An entry whose number no longer matches recent_ is stale (the id was
  // reopened, or closed again later) and is skipped when it comes out.
  std::deque<std::pair<std::uint32_t, std::uint64_t>> recent_order_;
  std::uint64_t closes_ = 0;
  std::unordered_map<std::string, std::uint32_t> committers_;
  std::deque<std::string> committer_order_;  // oldest first
  std::uint64_t commands_sent_ = 0;
  std::unordered_map<std::uint32_t, std::uint64_t> unanswered_;  // connection -> command number
  std::set<std::uint64_t> unanswered_numbers_;

  // Held while the callback runs and while on_answer replaces it: that is how a replaced
  // callback is known to have finished. Apart from mutex_ so that the callback may call in.
  mutable std::mutex callback_mutex_;
  std::function<void()> on_answer_;
};

}  // namespace gw::eventlog
