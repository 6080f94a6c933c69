// The event log's JSON encoding (eventlog/json_string.h, json.h, value_json.h) read back with its
// own scanner (eventlog/json_scan.h). Properties: any bytes round trip exactly, through the
// string itself when they are UTF-8 and through the `<field>_base64` sibling when they are not
// (for a row's column values: the same column in `before_base64` / `after_base64`); binary
// column values round trip through base64; the string written is always valid UTF-8; a whole
// record, lifecycle or change, is one well-formed object on one line.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eventlog/json.h"
#include "eventlog/json_scan.h"
#include "eventlog/json_string.h"
#include "fuzz_support.h"

using namespace gw;
using namespace gw::eventlog;

namespace {

std::optional<std::string> unbase64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad != 0 || (v[k] = value(c)) < 0) return std::nullopt;
      }
    }
    const unsigned n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>(n >> 16);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

// The members of one object as key -> value (raw for non-strings, unescaped for strings).
std::map<std::string, std::string> members_of(std::string_view object) {
  std::map<std::string, std::string> out;
  const bool ok = scan_object(object, [&](std::string_view key, const JsonValue& value) {
    out[std::string(key)] =
        value.kind == JsonValue::Kind::String ? json_unescape(value.raw) : std::string(value.raw);
    return true;
  });
  FUZZ_CHECK(ok);
  return out;
}

// The exact bytes of a text field, the way a reader of the log gets them back.
std::string field(const std::map<std::string, std::string>& members, const std::string& name) {
  auto exact = members.find(name + "_base64");
  if (exact != members.end()) {
    auto bytes = unbase64(exact->second);
    FUZZ_CHECK(bytes.has_value());
    return *bytes;
  }
  auto it = members.find(name);
  FUZZ_CHECK(it != members.end());
  return it->second;
}

void check_string(std::string_view bytes) {
  std::string literal;
  const bool well_formed = append_json_string(literal, bytes);
  FUZZ_CHECK(well_formed == is_valid_utf8(bytes));
  FUZZ_CHECK(is_valid_utf8(literal));
  FUZZ_CHECK(literal.find('\n') == std::string::npos);
  const auto members = members_of("{\"k\":" + literal + "}");
  FUZZ_CHECK(members.size() == 1);
  const std::string& back = members.at("k");
  FUZZ_CHECK(is_valid_utf8(back));
  if (well_formed) FUZZ_CHECK(back == bytes);
  auto decoded = unbase64(base64(bytes));
  FUZZ_CHECK(decoded && *decoded == bytes);
}

void check_record(std::string_view a, std::string_view b, std::string_view c) {
  CloseRecord close;
  close.common.user = std::string(a);
  close.common.db = std::string(b);
  close.common.program = std::string(c);
  close.common.client = std::string(b);
  close.detail = std::string(a);
  close.last_command = std::string(c);
  close.close_kind = "rst";
  close.upstream_close = "dropped";
  const std::string line = to_json(Record(close));
  FUZZ_CHECK(line.find('\n') == std::string::npos);
  FUZZ_CHECK(is_valid_utf8(line));
  const auto members = members_of(line);
  FUZZ_CHECK(field(members, "user") == a);
  FUZZ_CHECK(field(members, "db") == b);
  FUZZ_CHECK(field(members, "program") == c);
  FUZZ_CHECK(field(members, "client") == b);
  FUZZ_CHECK(field(members, "detail") == a);
  FUZZ_CHECK(field(members, "last_command") == c);
}

// A text column's exact bytes from a row image object and its `_base64` sibling (or none).
std::string column(const std::map<std::string, std::string>& image,
                   const std::map<std::string, std::string>* exact, const std::string& name) {
  if (exact != nullptr) {
    if (auto it = exact->find(name); it != exact->end()) {
      auto bytes = unbase64(it->second);
      FUZZ_CHECK(bytes.has_value());
      return *bytes;
    }
  }
  auto it = image.find(name);
  FUZZ_CHECK(it != image.end());
  return it->second;
}

void check_change(std::string_view a, std::string_view b, std::string_view c) {
  RowRecord row;
  row.common.user = std::string(a);
  row.table = std::string(b);
  row.op = RowRecord::Op::Update;
  row.columns = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"text", "", "binary", "decimal", "gone"});
  row.before = protocol::binlog::RowImage{protocol::String{std::string(a)}, std::int64_t{-1},
                                          protocol::Binary{std::string(b)},
                                          protocol::Decimal{"1.5"}, std::nullopt};
  row.after = protocol::binlog::RowImage{protocol::String{std::string(c)}, protocol::NullValue{},
                                         protocol::Binary{std::string(a)}, protocol::Decimal{"-0"},
                                         std::nullopt};
  row.statement = std::string(c);
  row.position.gtid = std::string(b);
  const std::string line = to_json(Record(row));
  FUZZ_CHECK(line.find('\n') == std::string::npos);
  FUZZ_CHECK(is_valid_utf8(line));
  const auto members = members_of(line);
  FUZZ_CHECK(members.at("type") == "row");
  FUZZ_CHECK(field(members, "user") == a);
  FUZZ_CHECK(field(members, "table") == b);
  FUZZ_CHECK(field(members, "gtid") == b);
  if (!c.empty()) FUZZ_CHECK(field(members, "statement") == c);
  for (const char* side : {"before", "after"}) {
    const auto image = members_of(members.at(side));
    std::optional<std::map<std::string, std::string>> exact;
    if (auto it = members.find(std::string(side) + "_base64"); it != members.end()) {
      exact = members_of(it->second);
    }
    const bool before = std::string_view(side) == "before";
    FUZZ_CHECK(column(image, exact ? &*exact : nullptr, "text") == (before ? a : c));
    FUZZ_CHECK(unbase64(image.at("binary")) == std::string(before ? b : a));
    FUZZ_CHECK(image.at("@2") == (before ? "-1" : "null"));
    FUZZ_CHECK(image.count("gone") == 0);
  }

  DdlRecord ddl;
  ddl.statement = std::string(a);
  ddl.common.db = std::string(c);
  const std::string ddl_line = to_json(Record(ddl));
  FUZZ_CHECK(is_valid_utf8(ddl_line));
  const auto ddl_members = members_of(ddl_line);
  FUZZ_CHECK(field(ddl_members, "statement") == a);
  FUZZ_CHECK(field(ddl_members, "db") == c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::size_t cut_a = in.u8(), cut_b = in.u8();
  const std::string_view all = as_chars(in.rest());
  check_string(all);
  const std::string_view a = all.substr(0, std::min(cut_a, all.size()));
  const std::string_view rest = all.substr(a.size());
  const std::string_view b = rest.substr(0, std::min(cut_b, rest.size()));
  check_record(a, b, rest.substr(b.size()));
  check_change(a, b, rest.substr(b.size()));
  return 0;
}
