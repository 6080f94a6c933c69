#include "eventlog/line_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace gw::eventlog {

std::expected<LineReader, std::string> LineReader::open(const std::string& path,
                                                        std::size_t max_line) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected("cannot open " + path + ": " + std::strerror(errno));
  return LineReader(path, fd, std::max<std::size_t>(max_line, 1));
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
}

LineReader::LineReader(LineReader&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      max_line_(other.max_line_),
      buffer_(std::move(other.buffer_)),
      begin_(other.begin_),
      end_(other.end_),
      eof_(other.eof_),
      complete_(other.complete_),
      too_long_(other.too_long_),
      line_number_(other.line_number_),
      error_(std::move(other.error_)) {}

// Moves the unread bytes to the front and reads more after them, growing the buffer only when
// a single line fills it, and never past what a line of max_line_ bytes and its '\n' need.
bool LineReader::fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() < kBlockBytes) buffer_.resize(kBlockBytes);
  if (end_ == buffer_.size()) buffer_.resize(std::min(buffer_.size() * 2, max_line_ + 1));
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
  too_long_ = false;
  std::size_t searched = begin_;
  for (;;) {
    const void* newline = std::memchr(buffer_.data() + searched, '\n', end_ - searched);
    if (newline != nullptr) {
      const auto at = static_cast<std::size_t>(static_cast<const char*>(newline) - buffer_.data());
      const std::string_view line(buffer_.data() + begin_, at - begin_);
      begin_ = at + 1;
      ++line_number_;
      complete_ = true;
      too_long_ = line.size() > max_line_;  // possible when max_line_ is below a block
      return too_long_ ? std::string_view{} : line;
    }
    if (end_ - begin_ > max_line_) return skip_long_line();
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

namespace gw::eventlog {

// Drops what is buffered of the current line and reads on to its end, holding one block at a
// time.
std::optional<std::string_view> LineReader::skip_long_line() {
  begin_ = end_ = 0;
  for (;;) {
    if (eof_) {
      complete_ = false;
      break;
    }
    if (!fill()) {
      if (!error_.empty()) return std::nullopt;
      continue;  // end of file: the line was the last one, with no '\n'
    }
    const void* newline = std::memchr(buffer_.data(), '\n', end_);
    if (newline != nullptr) {
      begin_ = static_cast<std::size_t>(static_cast<const char*>(newline) - buffer_.data()) + 1;
      complete_ = true;
      break;
    }
    end_ = 0;
  }
  ++line_number_;
  too_long_ = true;
  return std::string_view{};
}

}  // namespace gw::eventlog
