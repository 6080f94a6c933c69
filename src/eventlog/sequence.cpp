#include "eventlog/sequence.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

namespace gw::eventlog {
namespace {

constexpr std::string_view kSequenceKey = R"(,"seq":)";
constexpr std::string_view kSealKey = R"(,"prev_hash":")";  // hash_chain.h
// The longest line tail read back: only the end of the last line matters, and a sealed line's
// end (sequence and hashes) is far shorter.
constexpr std::size_t kTailBytes = 4096;

}  // namespace

void append_sequence(std::string& json, std::uint64_t sequence) {
  json.pop_back();  // the object's closing '}'
  json += kSequenceKey;
  char digits[20];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), sequence).ptr;
  json.append(digits, end);
  json += '}';
}

std::optional<std::uint64_t> sequence_of(std::string_view line) {
  const auto at = line.rfind(kSequenceKey);
  if (at == std::string_view::npos) return std::nullopt;
  const char* first = line.data() + at + kSequenceKey.size();
  const char* last = line.data() + line.size();
  std::uint64_t sequence = 0;
  const auto [end, error] = std::from_chars(first, last, sequence);
  // Ours ends the line or is followed by the seal; anything else (a row's column named seq,
  // in a line from before sequences) is not ours.
  const std::string_view rest(end, static_cast<std::size_t>(last - end));
  if (error != std::errc{} || end == first || (rest != "}" && !rest.starts_with(kSealKey))) {
    return std::nullopt;
  }
  return sequence;
}

std::optional<std::string> last_line_in_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would wait for a writer; only a regular file holds
  // lines to continue from.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat info {};
  std::string tail;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
    const auto size = static_cast<std::size_t>(info.st_size);
    const std::size_t length = std::min(size, kTailBytes);
    tail.resize(length);
    const auto got = ::pread(fd, tail.data(), length, static_cast<off_t>(size - length));
    tail.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  }
  ::close(fd);
  // Only a complete line counts: a torn last line (a crash mid-write) is not a record.
  const auto last_newline = tail.rfind('\n');
  if (last_newline == std::string::npos) return std::nullopt;
  tail.resize(last_newline);
  const auto start = tail.rfind('\n');
  if (start != std::string::npos) tail.erase(0, start + 1);
  return tail;
}

std::uint64_t last_sequence_on_disk(const std::string& path) {
  for (const std::string& file : {path, path + ".1"}) {
    if (const auto line = last_line_in_file(file)) return sequence_of(*line).value_or(0);
  }
  return 0;
}

}  // namespace gw::eventlog
