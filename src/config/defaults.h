#pragma once
// Every built-in default, once. The configuration (config.h) starts from these, and so do the
// runtime settings that tests and tools fill directly (proxy::ProxySettings,
// eventlog::EventLogSettings): a default changed here changes everywhere, and conf_file_test
// holds conf/gracewire.toml to it.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace gw::config {

// What the event log does when its writer thread falls behind. Here, with its default, so that
// eventlog::EventLogSettings uses this enum itself rather than a copy to map.
enum class EventLogLoss {
  Block,  // wait for room: no record is lost, but forwarding may stall
  Drop,   // drop the record and count it: forwarding never waits
};

namespace defaults {

using std::chrono::milliseconds;

// [listener]
inline constexpr std::uint16_t kListenPort = 3307;
inline constexpr std::uint32_t kMaxConnections = 1024;
inline constexpr std::uint32_t kLoops = 0;  // one per CPU
inline constexpr std::uint32_t kMaxLoops = 256;
inline constexpr milliseconds kHandshakeTimeout{10'000};
// [upstream]
inline constexpr milliseconds kConnectTimeout{5'000};
inline constexpr milliseconds kGreetingTimeout{10'000};
// [buffers]
inline constexpr std::uint64_t kHighWater = 64ULL << 10;
inline constexpr std::uint64_t kLowWater = 16ULL << 10;
inline constexpr std::uint64_t kHoldLimit = 16ULL << 20;  // clamped to one packet (session.h)
inline constexpr std::uint64_t kHoldBudget = 64ULL << 20;
// [close]
inline constexpr milliseconds kCloseTimeout{2'000};
// The admin endpoint's port (Prometheus's exporter range; loopback unless configured).
inline constexpr std::uint16_t kAdminPort = 9104;
inline constexpr milliseconds kDrainTimeout{30'000};
inline constexpr milliseconds kServeRecent{1'000};
// [event_log]
inline constexpr std::uint64_t kRotateSize = 64ULL << 20;
inline constexpr std::uint32_t kRotateKeep = 8;
inline constexpr milliseconds kFlushInterval{1'000};
inline constexpr std::uint32_t kQueueRecords = 65'536;
inline constexpr bool kHashChain = false;
inline constexpr bool kLifecycle = true;
inline constexpr bool kAudit = true;
inline constexpr bool kParams = false;
inline constexpr std::uint64_t kStatementLimit = 64ULL << 10;
inline constexpr EventLogLoss kEventLogLoss = EventLogLoss::Block;
// [binlog]
inline constexpr bool kBinlogEnabled = false;
inline constexpr milliseconds kBinlogHeartbeat{1'000};
// [publish]
inline constexpr std::string_view kPublishStream = "GRACEWIRE";
inline constexpr std::string_view kSubjectPrefix = "gracewire";
inline constexpr bool kPublishLifecycle = true;
inline constexpr bool kPublishAudit = true;
inline constexpr bool kPublishChanges = true;
inline constexpr std::uint32_t kMaxPending = 4'096;
inline constexpr EventLogLoss kPublishLoss = EventLogLoss::Block;
inline constexpr bool kCreateStream = false;
// JetStream's own default for a new stream.
inline constexpr milliseconds kDuplicateWindow{120'000};

}  // namespace defaults
}  // namespace gw::config
