#pragma once
// AttributionGate: whether the follower may hand out the records of a transaction the binlog
// does not attribute (an InnoDB transaction names no connection) or should first let the proxy
// see the OK packet that reports its GTID (eventlog/session_directory.h).
//
// The server writes the binlog before it answers the client, and the dump thread and the
// client's connection race to gracewire, so the transaction can arrive first. It waits only
// while a command that was already sent when the transaction arrived is unanswered — the only
// commands that can have committed it — and at most max_wait; a command that outlasted one wait
// (a long SELECT beside a stream of direct writes) is never waited for again, so the stream is
// delayed once, not at every transaction. A transaction still unknown after that is emitted
// with server_conn_id alone: a late name is never guessed.

#include <chrono>
#include <cstdint>
#include <string>

#include "eventlog/session_directory.h"

namespace gw::binlog {

class AttributionGate {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kDefaultMaxWait{200};

  explicit AttributionGate(const eventlog::SessionDirectory& directory,
                           std::chrono::milliseconds max_wait = kDefaultMaxWait)
      : directory_(directory), max_wait_(max_wait) {}

  // True: hand out the records of the transaction `gtid` now (the directory knows it, or
  // nothing that could have committed it is outstanding, or the wait ran out). False: ask
  // again when a command is answered or a little later.
  bool ready(const std::string& gtid, Clock::time_point now);

  // Waits that ran out: transactions emitted without knowing whether a session made them.
  std::uint64_t timeouts() const { return timeouts_; }

 private:
  const eventlog::SessionDirectory& directory_;
  std::chrono::milliseconds max_wait_;
  std::string waiting_for_;           // the GTID of the transaction held back, if any
  std::uint64_t sent_at_start_ = 0;   // commands_sent() when the wait began
  std::uint64_t waited_through_ = 0;  // commands up to this number are not waited for again
  Clock::time_point deadline_{};
  std::uint64_t timeouts_ = 0;
};

}  // namespace gw::binlog
