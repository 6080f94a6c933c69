#include "binlog/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "core/errors.h"
#include "eventlog/json_scan.h"
#include "eventlog/json_string.h"
#include "eventlog/timestamp.h"

namespace gw::binlog {
namespace {

constexpr std::size_t kMaxFileName = 255;
constexpr std::uint64_t kFirstEventPos = 4;

std::unexpected<std::string> bad(std::string text) { return std::unexpected(std::move(text)); }

std::string system_error(int error_number) { return std::strerror(error_number); }

// A file descriptor closed on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, to see close()'s own error (NFS reports write errors there).
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

template <typename T>
bool parse_unsigned(std::string_view text, T& out) {
  if (text.empty() || text.size() > 20) return false;
  if (text.size() > 1 && text[0] == '0') return false;  // JSON has no leading zeros
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// Exactly "YYYY-MM-DDTHH:MM:SS.ffffffZ", the shape eventlog::rfc3339() writes.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  if (text.size() != kShape.size()) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return std::nullopt;
  }
  const auto number = [&](std::size_t at, std::size_t width) {
    int value = 0;
    for (std::size_t i = at; i < at + width; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const year_month_day date{year{number(0, 4)}, month{static_cast<unsigned>(number(5, 2))},
                            day{static_cast<unsigned>(number(8, 2))}};
  const int hours = number(11, 2);
  const int minutes = number(14, 2);
  const int seconds_value = number(17, 2);
  if (!date.ok() || hours > 23 || minutes > 59 || seconds_value > 59) return std::nullopt;
  return sys_days{date} + std::chrono::hours{hours} + std::chrono::minutes{minutes} +
         std::chrono::seconds{seconds_value} + microseconds{number(20, 6)};
}

bool valid_file_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxFileName && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

// The members, each seen at most once.
struct Fields {
  std::optional<protocol::binlog::GtidList> gtid;
  std::optional<std::string> binlog_file;
  std::optional<std::uint64_t> binlog_pos;
  std::optional<std::uint32_t> server_id;
  std::optional<std::chrono::system_clock::time_point> written_at;
  std::optional<protocol::binlog::Gtid> open_gtid;
  std::optional<std::uint64_t> open_event_index, open_row_index;
};

// One member into `fields`; a sentence when it is wrong.
std::optional<std::string> take_member(std::string_view key, const eventlog::JsonValue& value,
                                       Fields& fields) {
  using Kind = eventlog::JsonValue::Kind;
  const auto once = [&](const auto& field) -> std::optional<std::string> {
    if (field.has_value()) return "\"" + std::string(key) + "\" appears twice";
    return std::nullopt;
  };
  const auto string_value = [&]() -> std::optional<std::string> {
    if (value.kind != Kind::String) return std::nullopt;
    return eventlog::json_unescape(value.raw);
  };
  if (key == "gtid") {
    if (auto twice = once(fields.gtid)) return twice;
    const auto text = string_value();
    if (!text) return "\"gtid\" is not a string";
    auto list = protocol::binlog::parse_gtid_list(*text);
    if (!list || text->find(' ') != std::string::npos) return "\"gtid\" is not a GTID list";
    fields.gtid = std::move(*list);
  } else if (key == "binlog_file") {
    if (auto twice = once(fields.binlog_file)) return twice;
    auto text = string_value();
    if (!text) return "\"binlog_file\" is not a string";
    if (!text->empty() && !valid_file_name(*text)) {
      return "\"binlog_file\" is not a binlog file name";
    }
    fields.binlog_file = std::move(*text);
  } else if (key == "binlog_pos") {
    if (auto twice = once(fields.binlog_pos)) return twice;
    std::uint64_t pos = 0;
    if (value.kind != Kind::Number || !parse_unsigned(value.raw, pos)) {
      return "\"binlog_pos\" is not an unsigned integer";
    }
    fields.binlog_pos = pos;
  } else if (key == "server_id") {
    if (auto twice = once(fields.server_id)) return twice;
    std::uint32_t id = 0;
    if (value.kind != Kind::Number || !parse_unsigned(value.raw, id)) {
      return "\"server_id\" is not an integer 0..4294967295";
    }
    fields.server_id = id;
  } else if (key == "written_at") {
    if (auto twice = once(fields.written_at)) return twice;
    const auto text = string_value();
    auto when = text ? parse_rfc3339(*text) : std::nullopt;
    if (!when) return "\"written_at\" is not a UTC timestamp like 2026-12-01T10:00:00.000000Z";
    fields.written_at = *when;
  } else if (key == "open_gtid") {
    if (auto twice = once(fields.open_gtid)) return twice;
    const auto text = string_value();
    auto gtid = text ? protocol::binlog::parse_gtid(*text) : fail(codec_errc::invalid_value);
    if (!gtid) return "\"open_gtid\" is not a GTID";
    fields.open_gtid = *gtid;
  } else if (key == "open_event_index" || key == "open_row_index") {
    auto& field = key == "open_event_index" ? fields.open_event_index : fields.open_row_index;
    if (auto twice = once(field)) return twice;
    std::uint64_t index = 0;
    if (value.kind != Kind::Number || !parse_unsigned(value.raw, index)) {
      return "\"" + std::string(key) + "\" is not an unsigned integer";
    }
    field = index;
  } else {
    return "unknown member \"" + eventlog::json_unescape(key).substr(0, 64) + "\"";
  }
  return std::nullopt;
}

}  // namespace

std::string format_checkpoint(const Checkpoint& checkpoint) {
  std::string out = R"({"gtid":)";
  eventlog::append_json_string(out, protocol::binlog::format_gtid_list(checkpoint.gtid));
  out += R"(,"binlog_file":)";
  eventlog::append_json_string(out, checkpoint.binlog_file);
  out += R"(,"binlog_pos":)" + std::to_string(checkpoint.binlog_pos);
  out += R"(,"server_id":)" + std::to_string(checkpoint.server_id);
  out += R"(,"written_at":")";
  eventlog::append_rfc3339(out, checkpoint.written_at);
  out += '"';
  if (checkpoint.open) {
    out += R"(,"open_gtid":)";
    eventlog::append_json_string(out, protocol::binlog::format_gtid(checkpoint.open->gtid));
    out += R"(,"open_event_index":)" + std::to_string(checkpoint.open->event_index);
    out += R"(,"open_row_index":)" + std::to_string(checkpoint.open->row_index);
  }
  out += '}';
  return out;
}

std::expected<Checkpoint, std::string> parse_checkpoint(std::string_view text) {
  // One line: the newline the writer adds, nothing else around the object.
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.empty()) return bad("it is empty");
  if (text.find('\n') != std::string_view::npos) return bad("it holds more than one line");
  Fields fields;
  std::optional<std::string> problem;
  const bool well_formed =
      eventlog::scan_object(text, [&](std::string_view key, const eventlog::JsonValue& value) {
        problem = take_member(key, value, fields);
        return !problem.has_value();
      });
  if (problem) return bad(*problem);
  if (!well_formed) return bad("it is not one JSON object (cut short or corrupt)");
  const std::array<std::pair<const char*, bool>, 5> required = {{
      {"gtid", fields.gtid.has_value()},
      {"binlog_file", fields.binlog_file.has_value()},
      {"binlog_pos", fields.binlog_pos.has_value()},
      {"server_id", fields.server_id.has_value()},
      {"written_at", fields.written_at.has_value()},
  }};
  for (const auto& [name, present] : required) {
    if (!present) return bad(std::string("\"") + name + "\" is missing");
  }
  Checkpoint checkpoint{.gtid = std::move(*fields.gtid),
                        .binlog_file = std::move(*fields.binlog_file),
                        .binlog_pos = *fields.binlog_pos,
                        .server_id = *fields.server_id,
                        .written_at = *fields.written_at,
                        .open = std::nullopt};
  if (checkpoint.binlog_file.empty() ? checkpoint.binlog_pos != 0
                                     : checkpoint.binlog_pos < kFirstEventPos) {
    return bad("\"binlog_pos\" " + std::to_string(checkpoint.binlog_pos) +
               (checkpoint.binlog_file.empty() ? " without a binlog_file"
                                               : " is before the first event (4)"));
  }
  if (checkpoint.gtid.empty() && checkpoint.binlog_file.empty()) {
    return bad("it holds neither a GTID position nor a binlog file position");
  }
  const int open_members = fields.open_gtid.has_value() + fields.open_event_index.has_value() +
                           fields.open_row_index.has_value();
  if (open_members == 3) {
    checkpoint.open =
        Checkpoint::Open{*fields.open_gtid, *fields.open_event_index, *fields.open_row_index};
  } else if (open_members != 0) {
    return bad(R"("open_gtid", "open_event_index" and "open_row_index" go together)");
  }
  return checkpoint;
}

std::expected<std::optional<Checkpoint>, std::string> read_checkpoint(const std::string& path) {
  const std::string where = "checkpoint file " + path + ": ";
  // O_NONBLOCK: a FIFO put at the path must not hang start-up waiting for a writer.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<Checkpoint>{};
    return bad(where + "cannot open: " + system_error(errno));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return bad(where + "cannot stat: " + system_error(errno));
  if (!S_ISREG(info.st_mode)) return bad(where + "not a regular file");
  if (static_cast<std::uint64_t>(info.st_size) > kMaxCheckpointFile) {
    return bad(where + std::to_string(info.st_size) + " bytes; a checkpoint is at most 64KiB");
  }
  // Read one byte past the limit, so a file that grew since fstat is still refused.
  std::string text(kMaxCheckpointFile + 1, '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const auto n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return bad(where + "cannot read: " + system_error(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > kMaxCheckpointFile) return bad(where + "larger than 64KiB; a checkpoint is smaller");
  text.resize(got);
  auto checkpoint = parse_checkpoint(text);
  if (!checkpoint) return bad(where + checkpoint.error());
  return std::optional<Checkpoint>{std::move(*checkpoint)};
}

std::expected<void, std::string> write_checkpoint(const std::string& path,
                                                  const Checkpoint& checkpoint) {
  const std::string tmp = path + ".tmp";
  const std::string where = "checkpoint file " + path + ": ";
  const std::string line = format_checkpoint(checkpoint) + "\n";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return bad(where + "cannot create " + tmp + ": " + system_error(errno));
  const auto fail_removing_tmp = [&](const std::string& what, int error_number) {
    ::unlink(tmp.c_str());
    return bad(where + what + ": " + system_error(error_number));
  };
  std::size_t written = 0;
  while (written < line.size()) {
    const auto n = ::write(fd.get(), line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_removing_tmp("cannot write " + tmp, errno);
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail_removing_tmp("cannot fsync " + tmp, errno);
  if (fd.close() != 0) return fail_removing_tmp("cannot close " + tmp, errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail_removing_tmp("cannot rename " + tmp + " over it", errno);
  }
  // The rename itself is durable only once the directory is.
  auto directory = std::filesystem::path(path).parent_path();
  if (directory.empty()) directory = ".";
  Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    return bad(where + "cannot open directory " + directory.string() + ": " + system_error(errno));
  }
  if (::fsync(dir.get()) != 0) {
    return bad(where + "cannot fsync directory " + directory.string() + ": " + system_error(errno));
  }
  return {};
}

}  // namespace gw::binlog
