// A minimal implementation written alongside the [binlog] configuration, which validates `start`
// with parse_gtid_list(). The binlog protocol helper owns this file; keep one implementation.
#include "protocol/binlog/gtid.h"

#include <algorithm>
#include <charconv>

#include "core/errors.h"

namespace gw::protocol::binlog {
namespace {

// A decimal field: digits only, no sign, no leading spaces, and it fits `T`.
template <typename T>
bool parse_field(std::string_view text, T& out) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(' ');
  return text.substr(first, last - first + 1);
}

}  // namespace

std::string format_gtid(const Gtid& gtid) {
  return std::to_string(gtid.domain) + "-" + std::to_string(gtid.server_id) + "-" +
         std::to_string(gtid.sequence);
}

std::string format_gtid_list(const GtidList& list) {
  std::string out;
  for (const auto& gtid : list) out += (out.empty() ? "" : ",") + format_gtid(gtid);
  return out;
}

Result<Gtid> parse_gtid(std::string_view text) {
  const auto first = text.find('-');
  if (first == std::string_view::npos) return fail(codec_errc::invalid_value);
  const auto second = text.find('-', first + 1);
  if (second == std::string_view::npos) return fail(codec_errc::invalid_value);
  Gtid gtid;
  if (!parse_field(text.substr(0, first), gtid.domain) ||
      !parse_field(text.substr(first + 1, second - first - 1), gtid.server_id) ||
      !parse_field(text.substr(second + 1), gtid.sequence)) {
    return fail(codec_errc::invalid_value);
  }
  return gtid;
}

Result<GtidList> parse_gtid_list(std::string_view text) {
  GtidList list;
  if (trimmed(text).empty()) return list;
  while (true) {
    const auto comma = text.find(',');
    auto gtid = parse_gtid(trimmed(text.substr(0, comma)));
    if (!gtid) return fail(gtid.error());
    const bool duplicate = std::any_of(list.begin(), list.end(),
                                       [&](const Gtid& g) { return g.domain == gtid->domain; });
    if (duplicate) return fail(codec_errc::invalid_value);
    list.push_back(*gtid);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  std::sort(list.begin(), list.end(),
            [](const Gtid& a, const Gtid& b) { return a.domain < b.domain; });
  return list;
}

void advance(GtidList& list, const Gtid& gtid) {
  const auto at =
      std::lower_bound(list.begin(), list.end(), gtid.domain,
                       [](const Gtid& g, std::uint32_t domain) { return g.domain < domain; });
  if (at != list.end() && at->domain == gtid.domain) {
    *at = gtid;
  } else {
    list.insert(at, gtid);
  }
}

}  // namespace gw::protocol::binlog
