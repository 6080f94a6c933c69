#include "config/binlog_start.h"

#include <charconv>

#include "protocol/binlog/gtid.h"

namespace gw::config {
namespace {

// The server's own limit for a file name (FN_REFLEN is larger, but a binlog base name plus its
// extension never is).
constexpr std::size_t kMaxFileName = 255;
// A binlog file begins with the 4-byte magic; the first event is at offset 4.
constexpr std::uint64_t kFirstEventPos = 4;

constexpr std::string_view kForms =
    "expected \"current\", FILE:POS (e.g. \"binlog.000003:4\") or a GTID list (e.g. "
    "\"0-1-42,1-1-7\")";

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Explained<BinlogStart> parse_file_pos(std::string_view text, std::size_t colon) {
  const std::string_view file = text.substr(0, colon);
  const std::string_view pos_text = text.substr(colon + 1);
  if (file.empty()) return problem(in_quotes(text) + ": the binlog file name is empty");
  if (file.size() > kMaxFileName) {
    return problem("the binlog file name is " + std::to_string(file.size()) +
                   " bytes long; at most 255 are allowed");
  }
  if (file.find('/') != std::string_view::npos || file.find('\0') != std::string_view::npos) {
    return problem(in_quotes(text) + ": a binlog file name has no directory (no '/')");
  }
  std::uint64_t pos = 0;
  const auto [end, ec] = std::from_chars(pos_text.data(), pos_text.data() + pos_text.size(), pos);
  if (!all_digits(pos_text) || ec != std::errc{} || end != pos_text.data() + pos_text.size()) {
    return problem(in_quotes(text) + ": the position after ':' must be a decimal number");
  }
  if (pos < kFirstEventPos) {
    return problem(in_quotes(text) + ": the position must be at least 4 (the first event)");
  }
  return BinlogStart{
      .kind = BinlogStart::Kind::FilePos, .file = std::string(file), .pos = pos, .gtid = {}};
}

Explained<BinlogStart> parse_gtid(std::string_view text) {
  auto list = protocol::binlog::parse_gtid_list(text);
  if (!list || list->empty()) {
    return problem(in_quotes(text) + " is not a position: " + std::string(kForms));
  }
  return BinlogStart{.kind = BinlogStart::Kind::Gtid,
                     .file = {},
                     .pos = 0,
                     .gtid = protocol::binlog::format_gtid_list(*list)};
}

}  // namespace

Explained<BinlogStart> parse_binlog_position(std::string_view text) {
  if (text.empty()) return problem("empty; " + std::string(kForms));
  // A GTID has no ':'; a file name may, so the position is after the last one.
  if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    return parse_file_pos(text, colon);
  }
  return parse_gtid(text);
}

Explained<BinlogStart> parse_binlog_start(std::string_view text) {
  if (text == "current") return BinlogStart{};
  return parse_binlog_position(text);
}

std::string format_binlog_start(const BinlogStart& start) {
  switch (start.kind) {
    case BinlogStart::Kind::Current:
      return "current";
    case BinlogStart::Kind::FilePos:
      return start.file + ":" + std::to_string(start.pos);
    case BinlogStart::Kind::Gtid:
      return start.gtid;
  }
  return "current";
}

}  // namespace gw::config
