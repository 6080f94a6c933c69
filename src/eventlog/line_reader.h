#pragma once
// Reads a file line by line through one block buffer, so that the tools handle logs of any
// size in bounded memory: one block, or the longest line up to max_line bytes. A longer line
// is skipped without being held (too_long() says so), so a hostile or broken file cannot make
// a tool grow with it.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace gw::eventlog {

class LineReader {
 public:
  static constexpr std::size_t kBlockBytes = 1 << 20;
  // The longest line the tools read. The writer keeps every record below it (writer.cpp,
  // fit()); by default records are far shorter: statements are cut at 64 KiB
  // (event_log.statement_limit), which even all-control-character text only grows sixfold.
  static constexpr std::size_t kMaxLineBytes = 16 << 20;

  // The error names the file: "cannot open x.log: No such file or directory".
  static std::expected<LineReader, std::string> open(const std::string& path,
                                                     std::size_t max_line = kMaxLineBytes);
  ~LineReader();
  LineReader(LineReader&& other) noexcept;
  LineReader& operator=(LineReader&&) = delete;
  LineReader(const LineReader&) = delete;

  // The next line without its '\n', valid until the next call; nullopt at the end or on a read
  // error (see error()). An empty view when the line was too long (too_long()).
  std::optional<std::string_view> next();
  // True when the line next() returned last was longer than max_line and was skipped.
  bool too_long() const { return too_long_; }
  std::size_t max_line() const { return max_line_; }
  // Bytes held for reading; at most max(kBlockBytes, max_line + 1).
  std::size_t buffer_bytes() const { return buffer_.size(); }
  // 1-based number of the line next() returned last.
  std::uint64_t line_number() const { return line_number_; }
  // False when the last line returned had no '\n' (the file ends mid-line).
  bool complete() const { return complete_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  LineReader(std::string path, int fd, std::size_t max_line)
      : path_(std::move(path)), fd_(fd), max_line_(max_line) {}
  bool fill();
  std::optional<std::string_view> skip_long_line();

  std::string path_;
  int fd_ = -1;
  std::size_t max_line_;
  std::string buffer_;
  std::size_t begin_ = 0, end_ = 0;  // unread bytes of buffer_
  bool eof_ = false;
  bool complete_ = true;
  bool too_long_ = false;
  std::uint64_t line_number_ = 0;
  std::string error_;
};

}  // namespace gw::eventlog
