#include "protocol/binlog/gtid.h"

#include <algorithm>
#include <charconv>

#include "core/errors.h"

namespace gw::protocol::binlog {
namespace {

// One decimal field: digits only (from_chars alone would take a leading '-' for signed types
// and stops quietly at the first non-digit), and it must fit T.
template <typename T>
bool parse_field(std::string_view text, T& value) {
  if (text.empty()) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool domain_less(const Gtid& a, const Gtid& b) { return a.domain < b.domain; }

// The entries of a comma-separated list, in their written order.
Result<GtidList> parse_entries(std::string_view text) {
  GtidList list;
  if (trim(text).empty()) return list;
  while (true) {
    const std::size_t comma = text.find(',');
    auto gtid = parse_gtid(trim(text.substr(0, comma)));
    if (!gtid) return fail(gtid.error());
    list.push_back(*gtid);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return list;
}

}  // namespace

std::string format_gtid(const Gtid& gtid) {
  return std::to_string(gtid.domain) + '-' + std::to_string(gtid.server_id) + '-' +
         std::to_string(gtid.sequence);
}

std::string format_gtid_list(const GtidList& list) {
  std::string out;
  for (const Gtid& gtid : list) {
    if (!out.empty()) out += ',';
    out += format_gtid(gtid);
  }
  return out;
}

Result<Gtid> parse_gtid(std::string_view text) {
  const std::size_t first = text.find('-');
  if (first == std::string_view::npos) return fail(codec_errc::invalid_value);
  const std::size_t second = text.find('-', first + 1);
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
  auto list = parse_entries(text);
  if (!list) return list;
  std::sort(list->begin(), list->end(), domain_less);
  const auto duplicate =
      std::adjacent_find(list->begin(), list->end(),
                         [](const Gtid& a, const Gtid& b) { return a.domain == b.domain; });
  if (duplicate != list->end()) return fail(codec_errc::invalid_value);
  return list;
}

Result<GtidList> parse_gtid_binlog_state(std::string_view text) {
  auto entries = parse_entries(text);
  if (!entries) return entries;
  GtidList list;
  for (const Gtid& gtid : *entries) advance(list, gtid);
  return list;
}

void advance(GtidList& list, const Gtid& gtid) {
  const auto at = std::lower_bound(list.begin(), list.end(), gtid, domain_less);
  if (at != list.end() && at->domain == gtid.domain) {
    *at = gtid;
  } else {
    list.insert(at, gtid);
  }
}

}  // namespace gw::protocol::binlog
