#pragma once
// The event log file: appends lines, rotates by size, and survives a full disk or a vanished
// directory without crashing, reporting each failure episode once.
//
// Rotation happens between lines: when the next line would take the file past rotate_bytes,
// path.(N-1) becomes path.N (path.N is overwritten: that is the oldest), ..., path becomes
// path.1 and a new path is started. Renames happen before the old file is closed, so a failed
// rename leaves gracewire writing to the file it had.
//
// Lines are collected in a buffer and written with one write() per flush (or whenever the
// buffer passes kFlushBytes). If a write fails part-way, the file is cut back to the last
// complete line, so a reader never sees half a record, and the lines not written are counted as
// lost. The next flush tries again (reopening the file if needed).

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "eventlog/sink.h"

namespace gw::eventlog {

class FileSink final : public Sink {
 public:
  static constexpr std::size_t kFlushBytes = std::size_t{256} << 10;

  // "-" writes to standard output (never rotated). The error is a sentence for a person:
  // "cannot open event log /var/log/x.log: Permission denied". A FIFO must have its reader
  // already: opening never waits for one.
  static std::expected<std::unique_ptr<FileSink>, std::string> open(std::string path,
                                                                    std::uint64_t rotate_bytes,
                                                                    std::uint32_t rotate_keep);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  SinkTally write(std::string_view line) override;
  SinkTally flush() override;
  // Closes and reopens path_ (created if missing): after logrotate renamed it, the next lines
  // go to a new file. A failure is reported, and the next flush tries again.
  SinkTally reopen() override;
  bool failing() const override { return failing_; }

 private:
  FileSink(std::string path, std::uint64_t rotate_bytes, std::uint32_t rotate_keep);

  // Opens path_ for appending; 0 or the errno.
  int open_file();
  void rotate(SinkTally& tally);
  // Starts a failure episode (logged once) or continues one.
  void failed(const std::string& what, int error_number);
  void recovered();

  std::string path_;
  bool is_stdout_ = false;
  std::uint64_t rotate_bytes_;
  std::uint32_t rotate_keep_;
  int fd_ = -1;
  std::uint64_t file_size_ = 0;  // bytes in the file at a line boundary
  bool needs_newline_ = false;   // the file ends in a torn line, to be closed off first
  std::string buffer_;
  std::uint64_t buffered_lines_ = 0;
  bool failing_ = false;
};

}  // namespace gw::eventlog
