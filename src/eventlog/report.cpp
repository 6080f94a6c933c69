#include "eventlog/report.h"

#include <algorithm>
#include <array>
#include <ostream>
#include <unordered_map>

#include "eventlog/close_kinds.h"
#include "eventlog/duration_histogram.h"
#include "eventlog/json_scan.h"
#include "eventlog/line_reader.h"
#include "eventlog/report_output.h"
#include "eventlog/rotated_files.h"

namespace gw::eventlog {
namespace {

constexpr std::string_view kNone = "(none)";
constexpr std::string_view kUnknownLibrary = "(unknown)";

constexpr std::array<std::pair<ReportBy, std::string_view>, 4> kByNames = {{
    {ReportBy::Program, "program"},
    {ReportBy::Library, "library"},
    {ReportBy::User, "user"},
    {ReportBy::Address, "address"},
}};

// Lets the group map be searched with a string_view, without building a key per record.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

struct Group {
  std::uint64_t sessions = 0;
  std::uint64_t left_without_quit = 0;
  std::vector<std::pair<std::string, std::uint64_t>> kinds;
  DurationHistogram durations;

  void add(std::string_view kind, std::int64_t duration_ms) {
    ++sessions;
    durations.add(duration_ms);
    if (std::find(close_kind::kLeftWithoutQuit.begin(), close_kind::kLeftWithoutQuit.end(), kind) !=
        close_kind::kLeftWithoutQuit.end()) {
      ++left_without_quit;
    }
    for (auto& [name, count] : kinds) {
      if (name == kind) {
        ++count;
        return;
      }
    }
    kinds.emplace_back(kind, 1);
  }
};

// "127.0.0.1:5000" -> "127.0.0.1", "[::1]:5000" -> "::1"; anything else as it is.
std::string_view host_of(std::string_view client) {
  if (client.starts_with('[')) {
    const auto close = client.find(']');
    if (close != std::string_view::npos) return client.substr(1, close - 1);
  }
  const auto colon = client.rfind(':');
  if (colon != std::string_view::npos && client.find(':') == colon) return client.substr(0, colon);
  return client;
}

// The record type, found where the writer puts it (right after ts) without parsing the line.
std::string_view type_of(std::string_view line) {
  constexpr std::string_view kKey = R"(,"type":")";
  const auto at = line.substr(0, 64).find(kKey);
  if (at == std::string_view::npos) return {};
  const auto start = at + kKey.size();
  const auto end = line.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : line.substr(start, end - start);
}

}  // namespace

struct ReportBuilder::State {
  ReportBy by;
  ReportSummary summary;
  std::unordered_map<std::string, Group, KeyHash, std::equal_to<>> groups;
  std::unordered_map<std::uint64_t, std::string> library_of_session;

  void add_line(std::string_view line);
  bool add_close(std::string_view line);
  bool add_auth(std::string_view line);
  bool forget_session(std::string_view line);
  bool add_dropped(std::string_view line);
};

void ReportBuilder::State::add_line(std::string_view line) {
  ++summary.lines;
  const std::string_view type = type_of(line);
  bool ok = !type.empty() && line.starts_with('{');
  if (ok && type == "close") {
    ok = add_close(line);
  } else if (ok && type == "auth" && by == ReportBy::Library) {
    ok = add_auth(line);
  } else if (ok && type == "connect" && by == ReportBy::Library) {
    ok = forget_session(line);
  } else if (ok && type == "dropped") {
    ok = add_dropped(line);
  }
  ++(ok ? summary.records : summary.skipped_lines);
}

bool ReportBuilder::State::add_close(std::string_view line) {
  std::optional<std::int64_t> session, duration;
  std::string_view kind, client, user, program;
  const bool parsed = scan_object(line, [&](std::string_view key, const JsonValue& value) {
    if (key == "session") session = json_integer(value);
    if (key == "duration_ms") duration = json_integer(value);
    if (value.kind != JsonValue::Kind::String) return true;
    if (key == "close_kind") kind = value.raw;
    if (key == "client") client = value.raw;
    if (key == "user") user = value.raw;
    if (key == "program") program = value.raw;
    return true;
  });
  if (!parsed || !session || !duration) return false;

  std::string library;
  std::string_view group_key;
  switch (by) {
    case ReportBy::Program:
      group_key = program;
      break;
    case ReportBy::User:
      group_key = user;
      break;
    case ReportBy::Address:
      group_key = host_of(client);
      break;
    case ReportBy::Library:
      if (auto it = library_of_session.find(static_cast<std::uint64_t>(*session));
          it != library_of_session.end()) {
        library = std::move(it->second);
        library_of_session.erase(it);
      }
      group_key = library.empty() ? kUnknownLibrary : std::string_view(library);
      break;
  }
  // Escaped text is rare; decode it only then.
  std::string decoded_key, decoded_kind;
  if (by != ReportBy::Library && group_key.find('\\') != std::string_view::npos) {
    decoded_key = json_unescape(group_key);
    group_key = decoded_key;
  }
  if (kind.find('\\') != std::string_view::npos) {
    decoded_kind = json_unescape(kind);
    kind = decoded_kind;
  }
  if (group_key.empty()) group_key = kNone;
  auto it = groups.find(group_key);
  if (it == groups.end()) it = groups.emplace(std::string(group_key), Group{}).first;
  it->second.add(kind, *duration);
  ++summary.sessions;
  return true;
}

bool ReportBuilder::State::add_auth(std::string_view line) {
  std::optional<std::int64_t> session;
  std::string name, version;
  const bool parsed = scan_object(line, [&](std::string_view key, const JsonValue& value) {
    if (key == "session") session = json_integer(value);
    if (key == "attributes" && value.kind == JsonValue::Kind::Object) {
      scan_object(value.raw, [&](std::string_view attribute, const JsonValue& text) {
        if (text.kind != JsonValue::Kind::String) return true;
        if (attribute == "_client_name") name = json_unescape(text.raw);
        if (attribute == "_client_version") version = json_unescape(text.raw);
        return true;
      });
    }
    return true;
  });
  if (!parsed || !session) return false;
  if (!name.empty()) {
    library_of_session[static_cast<std::uint64_t>(*session)] =
        version.empty() ? name : name + " " + version;
  }
  return true;
}

// A connect record starts a session: whatever a previous run left under its id is stale.
bool ReportBuilder::State::forget_session(std::string_view line) {
  std::optional<std::int64_t> session;
  const bool parsed = scan_object(line, [&](std::string_view key, const JsonValue& value) {
    if (key != "session") return true;
    session = json_integer(value);
    return false;
  });
  if (!parsed || !session) return false;
  library_of_session.erase(static_cast<std::uint64_t>(*session));
  return true;
}

// Lost records may have been close records: the report says so rather than look complete.
bool ReportBuilder::State::add_dropped(std::string_view line) {
  std::optional<std::int64_t> count;
  const bool parsed = scan_object(line, [&](std::string_view key, const JsonValue& value) {
    if (key == "count") count = json_integer(value);
    return true;
  });
  if (!parsed || !count || *count < 0) return false;
  summary.dropped += static_cast<std::uint64_t>(*count);
  return true;
}

std::optional<ReportBy> parse_report_by(std::string_view word) {
  for (const auto& [by, name] : kByNames) {
    if (name == word) return by;
  }
  return std::nullopt;
}

std::string_view to_string(ReportBy by) {
  for (const auto& [value, name] : kByNames) {
    if (value == by) return name;
  }
  return "?";
}

ReportBuilder::ReportBuilder(ReportBy by) : state_(std::make_unique<State>()) {
  state_->by = by;
  state_->summary.by = by;
}

ReportBuilder::~ReportBuilder() = default;

void ReportBuilder::add_line(std::string_view line) { state_->add_line(line); }

void ReportBuilder::add_too_long(std::string where) {
  constexpr std::size_t kNamed = 10;  // the rest are counted only
  ReportSummary& summary = state_->summary;
  ++summary.lines;
  ++summary.skipped_lines;
  if (summary.too_long_lines++ < kNamed) summary.too_long.push_back(std::move(where));
}

ReportSummary ReportBuilder::finish(std::vector<std::string> files) {
  ReportSummary summary = std::move(state_->summary);
  summary.files = std::move(files);
  for (auto& [key, group] : state_->groups) {
    GroupSummary out{.key = key,
                     .sessions = group.sessions,
                     .left_without_quit = group.left_without_quit,
                     .median_ms = group.durations.percentile(50),
                     .p99_ms = group.durations.percentile(99),
                     .close_kinds = std::move(group.kinds)};
    std::stable_sort(out.close_kinds.begin(), out.close_kinds.end(),
                     [](const auto& a, const auto& b) {
                       return a.second != b.second ? a.second > b.second : a.first < b.first;
                     });
    summary.groups.push_back(std::move(out));
  }
  std::sort(summary.groups.begin(), summary.groups.end(),
            [](const GroupSummary& a, const GroupSummary& b) {
              return a.sessions != b.sessions ? a.sessions > b.sessions : a.key < b.key;
            });
  state_->groups.clear();
  return summary;
}

std::expected<ReportSummary, std::string> build_report(const std::vector<std::string>& files,
                                                       ReportBy by) {
  ReportBuilder builder(by);
  for (const auto& file : files) {
    auto reader = LineReader::open(file);
    if (!reader) return std::unexpected(reader.error());
    while (auto line = reader->next()) {
      if (reader->too_long()) {
        builder.add_too_long(file + ":" + std::to_string(reader->line_number()));
      } else {
        builder.add_line(*line);
      }
    }
    if (!reader->error().empty()) return std::unexpected(reader->error());
  }
  return builder.finish(files);
}

int run_report(const std::vector<std::string>& paths, ReportBy by, bool json, std::ostream& out,
               std::ostream& err) {
  auto summary = build_report(with_rotated(paths), by);
  if (!summary) {
    err << "report: " << summary.error() << '\n';
    return 1;
  }
  for (const auto& where : summary->too_long) {
    err << "report: " << where << ": line longer than " << (LineReader::kMaxLineBytes >> 20)
        << " MiB (not a record gracewire writes); skipped\n";
  }
  if (summary->too_long_lines > summary->too_long.size()) {
    err << "report: " << summary->too_long_lines - summary->too_long.size()
        << " more over-long lines skipped\n";
  }
  if (json) {
    print_report_json(*summary, out);
  } else {
    print_report_table(*summary, out);
  }
  return 0;
}

}  // namespace gw::eventlog
