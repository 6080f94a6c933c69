#include "eventlog/line_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace gw::eventlog {

std::expected<LineReader, std::string> LineReader::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected("cannot open " + path + ": " + std::strerror(errno));
  return LineReader(path, fd);
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
}

LineReader::LineReader(LineReader&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      begin_(other.begin_),
      end_(other.end_),
      eof_(other.eof_),
      complete_(other.complete_),
      line_number_(other.line_number_),
      error_(std::move(other.error_)) {}

// Moves the unread bytes to the front and reads more after them, growing the buffer only when
// a single line fills it.
bool LineReader::fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() < kBlockBytes) buffer_.resize(kBlockBytes);
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  for (;;) {
    const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = "cannot read " + path_ + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) eof_ = true;
    end_ += static_cast<std::size_t>(n);
    return n > 0;
  }
}

std::optional<std::string_view> LineReader::next() {
  std::size_t searched = begin_;
  for (;;) {
    const void* newline = std::memchr(buffer_.data() + searched, '\n', end_ - searched);
    if (newline != nullptr) {
      const auto at = static_cast<std::size_t>(static_cast<const char*>(newline) - buffer_.data());
      const std::string_view line(buffer_.data() + begin_, at - begin_);
      begin_ = at + 1;
      ++line_number_;
      complete_ = true;
      return line;
    }
    if (eof_ || !error_.empty()) break;
    const std::size_t scanned = end_ - begin_;
    if (!fill() && !eof_) return std::nullopt;
    searched = begin_ + scanned;
  }
  if (begin_ == end_) return std::nullopt;
  const std::string_view rest(buffer_.data() + begin_, end_ - begin_);
  begin_ = end_;
  ++line_number_;
  complete_ = false;
  return rest;
}

}  // namespace gw::eventlog
