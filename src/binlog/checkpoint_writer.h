#pragma once
// CheckpointWriter: persists the follower's checkpoint from a thread of its own, so that the
// event loop never waits for a disk.
//
//   event loop                          writer thread
//   ----------                          -------------
//   offer(checkpoint) --> mailbox  -->  takes the mailbox, write_checkpoint() (tmp, fsync,
//     (one slot; a newer checkpoint      rename, fsync dir), counts written/failed, keeps the
//      replaces one not yet taken)       last error; sleeps until the next offer
//   stop(bound) ----------------------> writes what the mailbox holds, then ends
//
// Only the newest position matters, so the mailbox holds one checkpoint: offer() replaces one
// the thread has not taken yet (counted as superseded) and never waits for a write in progress.
// A failed write is not retried by itself; the next offer carries a newer position anyway.
//
// stop() gives the thread `bound` to write the last offered checkpoint and end. A disk that
// does not come back (a hung NFS mount) is abandoned, as the event log abandons a hung sink
// (eventlog/writer.h): the thread is detached, holding everything it uses, and stop() says so.

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "binlog/checkpoint.h"

namespace gw::binlog {

struct CheckpointStats {
  std::uint64_t offered = 0;     // offer() calls
  std::uint64_t superseded = 0;  // offers replaced in the mailbox before the thread took them
  std::uint64_t written = 0;     // checkpoints written and renamed into place
  std::uint64_t failed = 0;      // writes that failed (last_error() says why)
};

class CheckpointWriter {
 public:
  // What writes one checkpoint; write_checkpoint() unless a test stands in for the disk.
  using WriteFn = std::function<std::expected<void, std::string>(const std::string& path,
                                                                 const Checkpoint& checkpoint)>;

  static constexpr std::chrono::milliseconds kDefaultStopBound{5'000};

  // Starts the thread.
  explicit CheckpointWriter(std::string path, WriteFn write = write_checkpoint);
  ~CheckpointWriter();  // stop(kDefaultStopBound)
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;

  // Any thread; never waits for the disk (a short lock shared only with the mailbox's other
  // end). Ignored after stop().
  void offer(Checkpoint checkpoint);

  // The sentence of the last failed write, cleared by the next successful one. Any thread.
  std::optional<std::string> last_error() const;
  CheckpointStats stats() const;

  // Writes the last offered checkpoint (if the thread had not yet) and ends the thread, waiting
  // at most `bound`. An error when that write failed or the thread had to be abandoned.
  // Idempotent: later calls return the first call's answer.
  std::expected<void, std::string> stop(std::chrono::milliseconds bound = kDefaultStopBound);

 private:
  struct State;  // shared with the thread, which may outlive this object (abandoned)

  std::shared_ptr<State> state_;
  std::thread thread_;
  std::optional<std::expected<void, std::string>> stopped_;
};

}  // namespace gw::binlog
