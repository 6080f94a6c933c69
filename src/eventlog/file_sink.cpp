#include "eventlog/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "eventlog/logger.h"

namespace gw::eventlog {
namespace {

std::string numbered(const std::string& path, std::uint32_t n) {
  return path + "." + std::to_string(n);
}

// Writes all of `bytes`, retrying after signals. Returns how many bytes went out and, when
// that is not all of them, the error.
std::size_t write_all(int fd, std::string_view bytes, int& error_number) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_number = errno;
      return done;
    }
    done += static_cast<std::size_t>(n);
  }
  return done;
}

}  // namespace

FileSink::FileSink(std::string path, std::uint64_t rotate_bytes, std::uint32_t rotate_keep)
    : path_(std::move(path)),
      is_stdout_(path_ == "-"),
      rotate_bytes_(is_stdout_ ? 0 : rotate_bytes),
      rotate_keep_(rotate_keep) {}

std::expected<std::unique_ptr<FileSink>, std::string> FileSink::open(std::string path,
                                                                     std::uint64_t rotate_bytes,
                                                                     std::uint32_t rotate_keep) {
  std::unique_ptr<FileSink> sink(new FileSink(std::move(path), rotate_bytes, rotate_keep));
  if (const int error_number = sink->open_file(); error_number != 0) {
    return std::unexpected("cannot open event log " + sink->path_ + ": " +
                           (error_number == ENXIO ? "it is a FIFO with no reader; start the "
                                                    "reader first"
                                                  : std::strerror(error_number)));
  }
  return sink;
}

FileSink::~FileSink() {
  if (fd_ >= 0 && !is_stdout_) ::close(fd_);
}

int FileSink::open_file() {
  if (is_stdout_) {
    fd_ = STDOUT_FILENO;
    return 0;
  }
  // O_NONBLOCK: opening a FIFO for writing would otherwise wait for a reader, before the
  // proxy even listens. Without one the open fails with ENXIO (reported, and retried at the
  // next flush); with one, writes block again as for any file.
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0640);
  if (fd_ < 0) return errno;
  if (const int flags = ::fcntl(fd_, F_GETFL); flags >= 0) {
    ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
  }
  struct stat info {};
  file_size_ = 0;
  needs_newline_ = false;
  if (::fstat(fd_, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
    file_size_ = static_cast<std::uint64_t>(info.st_size);
    // A previous run may have died mid-line; the next record must start on a line of its own.
    // (The append descriptor is write-only, so look through a second one.)
    if (const int reader = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC); reader >= 0) {
      char last = '\n';
      if (::pread(reader, &last, 1, info.st_size - 1) == 1 && last != '\n') needs_newline_ = true;
      ::close(reader);
    }
  }
  return 0;
}

SinkTally FileSink::write(std::string_view line) {
  SinkTally tally;
  const std::uint64_t pending = file_size_ + buffer_.size();
  if (rotate_bytes_ > 0 && pending > 0 && pending + line.size() > rotate_bytes_) {
    tally += flush();
    if (tally.lost > 0) {
      // Nothing may follow lost lines in the same tally (sink.h): this one is lost too, and
      // rotation waits for writing to work.
      ++tally.lost;
      return tally;
    }
    rotate(tally);
  }
  buffer_.append(line);
  ++buffered_lines_;
  if (buffer_.size() >= kFlushBytes) tally += flush();
  return tally;
}

SinkTally FileSink::flush() {
  SinkTally tally;
  if (buffer_.empty()) return tally;
  const std::uint64_t lines = buffered_lines_;
  const auto lose_all = [&](const std::string& what, int error_number) {
    tally.lost += lines;
    ++tally.errors;
    failed(what, error_number);
  };
  if (const int open_error = fd_ < 0 ? open_file() : 0; open_error != 0) {
    lose_all("cannot open", open_error);
  } else if (int error_number = 0; needs_newline_ && write_all(fd_, "\n", error_number) != 1) {
    lose_all("cannot write", error_number);
  } else {
    if (needs_newline_) ++file_size_;
    needs_newline_ = false;
    const std::size_t done = write_all(fd_, buffer_, error_number);
    if (done == buffer_.size()) {
      tally.lines += lines;
      tally.bytes += done;
      file_size_ += done;
      recovered();
    } else {
      // Keep the complete lines that made it; cut off the torn one.
      const auto last_newline = done == 0 ? std::string::npos : buffer_.rfind('\n', done - 1);
      const std::size_t complete = last_newline == std::string::npos ? 0 : last_newline + 1;
      const auto kept = static_cast<std::uint64_t>(std::count(
          buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(complete), '\n'));
      if (done > complete &&
          (is_stdout_ || ::ftruncate(fd_, static_cast<off_t>(file_size_ + complete)) != 0)) {
        needs_newline_ = true;
      }
      file_size_ += complete;
      tally.lines += kept;
      tally.bytes += complete;
      tally.lost += lines - kept;
      ++tally.errors;
      failed("cannot write", error_number);
    }
  }
  buffer_.clear();
  buffered_lines_ = 0;
  return tally;
}

SinkTally FileSink::reopen() {
  SinkTally tally = flush();
  if (is_stdout_) return tally;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (const int error_number = open_file(); error_number != 0) {
    fd_ = -1;
    ++tally.errors;
    failed("cannot reopen", error_number);
  }
  return tally;
}

void FileSink::rotate(SinkTally& tally) {
  const auto rename_failed = [&](const std::string& from) {
    const int error_number = errno;
    ++tally.errors;
    failed("cannot rotate (rename " + from + ")", error_number);
  };
  if (rotate_keep_ == 0) {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return rename_failed(path_);
  } else {
    for (std::uint32_t n = rotate_keep_ - 1; n >= 1; --n) {
      const std::string from = numbered(path_, n);
      if (::rename(from.c_str(), numbered(path_, n + 1).c_str()) != 0 && errno != ENOENT) {
        return rename_failed(from);
      }
    }
    if (::rename(path_.c_str(), numbered(path_, 1).c_str()) != 0) return rename_failed(path_);
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  file_size_ = 0;
  needs_newline_ = false;
  if (const int error_number = open_file(); error_number != 0) {
    ++tally.errors;
    failed("cannot open after rotation", error_number);
  }
}

void FileSink::failed(const std::string& what, int error_number) {
  if (failing_) return;
  failing_ = true;
  diagnostics()->error(
      "event log {}: {}: {}; records that cannot be written are counted as dropped until "
      "writing works again",
      path_, what, std::strerror(error_number));
}

void FileSink::recovered() {
  if (!failing_) return;
  failing_ = false;
  diagnostics()->warn("event log {}: writing again", path_);
}

}  // namespace gw::eventlog
