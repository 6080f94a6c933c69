#pragma once
// How an EventLog is set up. settings_from() (from_config.h) builds this from the [event_log]
// table; tests and tools fill it directly.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gw::eventlog {

struct EventLogSettings {
  std::string path{};                        // "-" = stdout, empty = disabled
  std::uint64_t rotate_bytes = 64ULL << 20;  // 0 = never rotate
  std::uint32_t rotate_keep = 8;             // path.1 … path.N; 0 = drop the old file
  std::chrono::milliseconds flush_interval{1000};
  enum class Loss {
    Block,  // submit() waits for room: nothing is lost, forwarding may stall
    Drop,   // submit() drops the record and counts it: forwarding never waits
  } loss = Loss::Block;
  std::size_t queue_records = 65536;  // records waiting for the writer thread
  bool hash_chain = false;            // add prev_hash/hash to every record
  bool audit = true;                  // command records
  bool lifecycle = true;              // connect, auth, change_user, reset, close records
  // Audit filters; empty = all. Users and schemas match exactly (both are case-sensitive on a
  // Linux server); command_classes take the words of command_class.h.
  std::vector<std::string> users{}, schemas{}, command_classes{};
  bool params = false;  // whether the proxy should render bound parameters into records
  std::size_t statement_limit = 64 * 1024;  // longer statements are cut (statement_truncated)
};

}  // namespace gw::eventlog
