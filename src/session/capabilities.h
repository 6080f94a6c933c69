#pragma once
// Which capabilities gracewire lets both ends agree on. Anything outside this mask changes the
// wire format in ways the decoder does not follow yet, so it is removed from the server's
// greeting (the client never sees it offered) and from the client's response (defence against
// clients that set bits they were not offered).

#include <cstdint>

#include "protocol/constants.h"

namespace gw::session {

namespace cap = protocol::cap;

// Removed, and why:
//   kCompress, kZstdCompression  compressed framing: not decoded yet
//   kSsl                         TLS termination: not built yet; a client that insists gets an ERR
//   kQueryAttributes             MySQL 8 query attributes change COM_QUERY's layout
//   kOptionalResultsetMetadata   MySQL 8 may omit column definitions
//   kMultiFactorAuth             MySQL 8 multi-factor auth adds auth rounds
//   kMariadbCacheMetadata        MariaDB may omit column definitions of prepared statements
//   kMariadbComMulti             removed from MariaDB itself
inline constexpr std::uint64_t kUnsupportedCapabilities =
    cap::kCompress | cap::kZstdCompression | cap::kSsl | cap::kQueryAttributes |
    cap::kOptionalResultsetMetadata | cap::kMultiFactorAuth | cap::kMariadbCacheMetadata |
    cap::kMariadbComMulti;

inline constexpr std::uint64_t supported(std::uint64_t capabilities) {
  return capabilities & ~kUnsupportedCapabilities;
}

}  // namespace gw::session
