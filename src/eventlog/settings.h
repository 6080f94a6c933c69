#pragma once
// How an EventLog is set up. settings_from() (from_config.h) builds this from the [event_log]
// table; tests and tools fill it directly. The defaults are the configuration's
// (config/defaults.h).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/defaults.h"

namespace gw::eventlog {

struct EventLogSettings {
  std::string path{};                                          // "-" = stdout, empty = disabled
  std::uint64_t rotate_bytes = config::defaults::kRotateSize;  // 0 = never rotate
  std::uint32_t rotate_keep = config::defaults::kRotateKeep;   // path.1 … path.N; 0 = drop it
  std::chrono::milliseconds flush_interval = config::defaults::kFlushInterval;
  // Block: submit() waits for room, nothing is lost, forwarding may stall. Drop: submit() drops
  // the record and counts it, forwarding never waits. The configuration's enum, not a copy.
  using Loss = config::EventLogLoss;
  Loss loss = config::defaults::kEventLogLoss;
  std::size_t queue_records = config::defaults::kQueueRecords;  // waiting for the writer thread
  bool hash_chain = config::defaults::kHashChain;  // add prev_hash/hash to every record
  bool audit = config::defaults::kAudit;           // command records
  bool lifecycle = config::defaults::kLifecycle;   // connect, auth, change_user, reset, close
  // Audit filters; empty = all. Users and schemas match exactly (both are case-sensitive on a
  // Linux server); command_classes take the words of command_class.h.
  std::vector<std::string> users{}, schemas{}, command_classes{};
  bool params = config::defaults::kParams;  // whether the proxy records bound parameters
  // Longer statements are cut (statement_truncated).
  std::size_t statement_limit = config::defaults::kStatementLimit;
};

}  // namespace gw::eventlog
