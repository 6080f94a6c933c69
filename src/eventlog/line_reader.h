#pragma once
// Reads a file line by line through one growing block buffer, so that the tools handle logs of
// any size in bounded memory (one block, or the longest line if that is longer).

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace gw::eventlog {

class LineReader {
 public:
  static constexpr std::size_t kBlockBytes = 1 << 20;

  // The error names the file: "cannot open x.log: No such file or directory".
  static std::expected<LineReader, std::string> open(const std::string& path);
  ~LineReader();
  LineReader(LineReader&& other) noexcept;
  LineReader& operator=(LineReader&&) = delete;
  LineReader(const LineReader&) = delete;

  // The next line without its '\n', valid until the next call; nullopt at the end or on a read
  // error (see error()).
  std::optional<std::string_view> next();
  // 1-based number of the line next() returned last.
  std::uint64_t line_number() const { return line_number_; }
  // False when the last line returned had no '\n' (the file ends mid-line).
  bool complete() const { return complete_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  LineReader(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  bool fill();

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  std::size_t begin_ = 0, end_ = 0;  // unread bytes of buffer_
  bool eof_ = false;
  bool complete_ = true;
  std::uint64_t line_number_ = 0;
  std::string error_;
};

}  // namespace gw::eventlog
