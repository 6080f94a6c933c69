#include "publish/progress.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "eventlog/json_scan.h"

namespace gw::publish {
namespace {

// Ours is one short line; anything longer is not ours, and is not read whole.
constexpr std::size_t kMaxBytes = 256;

std::string system_error(int error) { return std::strerror(error); }

}  // namespace

std::string progress_path(const std::string& event_log_path) {
  return event_log_path + ".published";
}

std::expected<std::optional<PublishedUpTo>, std::string> read_progress(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    return std::unexpected(fmt::format("cannot read {}: {}", path, system_error(errno)));
  }
  char buffer[kMaxBytes + 1];
  const auto got = ::read(fd, buffer, sizeof buffer);
  const int read_error = errno;
  ::close(fd);
  if (got < 0)
    return std::unexpected(fmt::format("cannot read {}: {}", path, system_error(read_error)));
  std::string_view text(buffer, static_cast<std::size_t>(got));
  if (text.size() > kMaxBytes)
    return std::unexpected(fmt::format("{} is not a progress file", path));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);

  std::optional<std::int64_t> lineage, sequence;
  const bool object = eventlog::scan_object(text, [&](std::string_view key, const auto& value) {
    if (key == "lineage") lineage = eventlog::json_integer(value);
    if (key == "seq") sequence = eventlog::json_integer(value);
    return true;
  });
  if (!object || !lineage || !sequence || *lineage <= 0 || *sequence < 0) {
    return std::unexpected(fmt::format("{} is not a progress file gracewire wrote", path));
  }
  return PublishedUpTo{.lineage = static_cast<std::uint64_t>(*lineage),
                       .sequence = static_cast<std::uint64_t>(*sequence)};
}

std::expected<void, std::string> write_progress(const std::string& path, PublishedUpTo value) {
  const std::string temporary = path + ".new";
  const std::string text =
      fmt::format("{{\"lineage\":{},\"seq\":{}}}\n", value.lineage, value.sequence);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    return std::unexpected(fmt::format("cannot write {}: {}", temporary, system_error(errno)));
  }
  const auto put = ::write(fd, text.data(), text.size());
  const int write_error = errno;
  ::close(fd);
  if (put != static_cast<ssize_t>(text.size())) {
    ::unlink(temporary.c_str());
    return std::unexpected(fmt::format("cannot write {}: {}", temporary,
                                       put < 0 ? system_error(write_error) : "short write"));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int rename_error = errno;
    ::unlink(temporary.c_str());
    return std::unexpected(
        fmt::format("cannot rename {} to {}: {}", temporary, path, system_error(rename_error)));
  }
  return {};
}

bool forget_progress(const std::string& path) { return ::unlink(path.c_str()) == 0; }

}  // namespace gw::publish
