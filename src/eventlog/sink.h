#pragma once
// Where the writer thread puts finished lines. FileSink (file_sink.h) is the real one; tests
// plug in slow or failing ones. Only the writer thread calls a sink.
//
// Contract: a tally that reports lost lines accounts for every line handed before it; the sink
// then holds nothing back. The writer relies on this to put its "dropped" record right after
// the gap (writer.h), and `gracewire verify` to accept the gap it announces.

#include <cstdint>
#include <string_view>

namespace gw::eventlog {

// What one call achieved: lines and bytes that reached the OS, lines that were lost, and how
// many write or open attempts failed along the way.
struct SinkTally {
  std::uint64_t lines = 0, bytes = 0, lost = 0, errors = 0;

  SinkTally& operator+=(const SinkTally& other) {
    lines += other.lines;
    bytes += other.bytes;
    lost += other.lost;
    errors += other.errors;
    return *this;
  }
};

class Sink {
 public:
  virtual ~Sink() = default;

  // One complete line, ending in '\n'. The sink may hold it back until flush().
  virtual SinkTally write(std::string_view line) = 0;
  // Hands everything held back to the OS.
  virtual SinkTally flush() = 0;
  // Flushes, then closes and reopens the destination (logrotate's create mode). A sink with
  // nothing to reopen just flushes.
  virtual SinkTally reopen() { return flush(); }
  // True while the last attempt to write failed; the writer waits for a good write before it
  // records what was lost, so that record has a chance to land.
  virtual bool failing() const = 0;
};

}  // namespace gw::eventlog
