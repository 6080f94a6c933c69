#pragma once
// MariaDB global transaction ids: "domain-server-sequence", a position per replication domain.
// The follower's `start` setting, its checkpoint, @slave_connect_state and GTID_LIST events all
// speak in lists of them ("0-1-42,1-2-7": at most one entry per domain).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gw::protocol::binlog {

struct Gtid {
  std::uint32_t domain = 0;
  std::uint32_t server_id = 0;
  std::uint64_t sequence = 0;
  friend bool operator==(const Gtid&, const Gtid&) = default;
};

// A replication position: the last transaction applied in each domain, sorted by domain.
using GtidList = std::vector<Gtid>;

// "0-1-42"
std::string format_gtid(const Gtid& gtid);
// "0-1-42,1-2-7" (sorted by domain); "" for an empty list.
std::string format_gtid_list(const GtidList& list);

// Parses one GTID: three decimal fields that fit their widths, nothing else (no spaces, no
// signs). codec_errc::invalid_value otherwise.
[[nodiscard]] Result<Gtid> parse_gtid(std::string_view text);
// Parses a comma-separated list ("" is the empty list; spaces around commas are allowed, as
// the server allows them in @@gtid_binlog_state). Two entries for one domain are invalid. The
// result is sorted by domain.
[[nodiscard]] Result<GtidList> parse_gtid_list(std::string_view text);
// Parses @@gtid_binlog_state, which holds one entry per (domain, server_id) that ever wrote in
// a domain, the domain's most recent last (MariaDB 10.11 after writes with server_id 2 then 1
// in domain 0: "0-2-14,0-1-15,1-1-2"), so parse_gtid_list refuses it. A later entry of a
// domain replaces an earlier one, as in a GTID_LIST event; the result is sorted by domain.
[[nodiscard]] Result<GtidList> parse_gtid_binlog_state(std::string_view text);

// Replaces or adds the entry for gtid.domain, keeping the list sorted.
void advance(GtidList& list, const Gtid& gtid);

}  // namespace gw::protocol::binlog
