#include "binlog/checkpoint_writer.h"

#include <condition_variable>
#include <mutex>

#include "logging/component_logger.h"

namespace gw::binlog {

struct CheckpointWriter::State {
  State(std::string p, WriteFn w)
      : path(std::move(p)), write(std::move(w)), log(logging::component_logger("binlog")) {}

  const std::string path;
  const WriteFn write;
  // Taken on the constructing thread: registering a logger from two threads at once can throw.
  const std::shared_ptr<spdlog::logger> log;

  mutable std::mutex mutex;
  std::condition_variable wake;  // the thread: an offer or stop
  std::condition_variable done;  // stop(): the thread ended
  std::optional<Checkpoint> mailbox;
  bool stopping = false;
  bool finished = false;
  bool abandoned = false;
  bool last_failed = false;  // the most recent write failed
  std::optional<std::string> last_error;
  CheckpointStats stats;

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return mailbox.has_value() || stopping; });
      if (!mailbox) break;  // stopping, and nothing left to write
      Checkpoint checkpoint = std::move(*mailbox);
      mailbox.reset();
      lock.unlock();
      auto written = write(path, checkpoint);
      lock.lock();
      last_failed = !written;
      if (written) {
        ++stats.written;
        last_error.reset();
      } else {
        ++stats.failed;
        if (!abandoned) log->error("{}", written.error());
        last_error = std::move(written.error());
      }
    }
    finished = true;
    done.notify_all();
  }
};

CheckpointWriter::CheckpointWriter(std::string path, WriteFn write)
    : state_(std::make_shared<State>(std::move(path), std::move(write))) {
  thread_ = std::thread([state = state_] { state->run(); });
}

CheckpointWriter::~CheckpointWriter() { (void)stop(); }

void CheckpointWriter::offer(Checkpoint checkpoint) {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) return;
    ++state_->stats.offered;
    if (state_->mailbox) ++state_->stats.superseded;
    state_->mailbox = std::move(checkpoint);
  }
  state_->wake.notify_one();
}

std::optional<std::string> CheckpointWriter::last_error() const {
  std::lock_guard lock(state_->mutex);
  return state_->last_error;
}

CheckpointStats CheckpointWriter::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

std::expected<void, std::string> CheckpointWriter::stop(std::chrono::milliseconds bound) {
  if (stopped_) return *stopped_;
  std::unique_lock lock(state_->mutex);
  state_->stopping = true;
  state_->wake.notify_one();
  const bool finished = state_->done.wait_for(lock, bound, [&] { return state_->finished; });
  if (finished) {
    stopped_ = state_->last_failed
                   ? std::expected<void, std::string>(std::unexpected(*state_->last_error))
                   : std::expected<void, std::string>();
    lock.unlock();
    thread_.join();
    return *stopped_;
  }
  state_->abandoned = true;
  const std::string problem =
      "checkpoint file " + state_->path + ": the last checkpoint was not written within " +
      std::to_string(bound.count()) + "ms (the disk does not answer); the writer is abandoned";
  state_->last_error = problem;
  lock.unlock();
  thread_.detach();
  state_->log->error("{}", problem);
  stopped_ = std::unexpected(problem);
  return *stopped_;
}

}  // namespace gw::binlog
