#pragma once
// SessionDirectory: which gracewire session a server connection belongs to, so that a change
// record from the binlog (which names only the server's connection id) can say who made the
// change, from which program and address. The proxy fills it as sessions authenticate and
// end; the binlog follower reads it. Ended sessions stay findable for a while (a bounded list
// of the most recent ones), since a transaction's rows can reach the follower after its client
// has gone. Loop thread only.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

#include "eventlog/record.h"

namespace gw::eventlog {

class SessionDirectory {
 public:
  static constexpr std::size_t kDefaultRecent = 4096;

  explicit SessionDirectory(std::size_t recent_limit = kDefaultRecent)
      : recent_limit_(recent_limit) {}

  // A session authenticated (or changed user) on `common.server_conn_id`: session, client,
  // user and program are kept.
  void opened(const Common& common);
  // The session on `server_conn_id` ended; it stays findable among the recent ones.
  void closed(std::uint32_t server_conn_id);
  // Fills session, client, user and program for a known connection; false otherwise (`common`
  // is then untouched).
  bool identify(std::uint32_t server_conn_id, Common& common) const;

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
};

}  // namespace gw::eventlog
