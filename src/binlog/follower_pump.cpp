// The follower's streaming half: events to records, backpressure from the event log, and the
// checkpoint that follows what the event log has written (follower.h).

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "binlog/follower.h"
#include "net/timer.h"

namespace gw::binlog {

namespace {

// Positions noted and not yet covered by written records; past this the oldest are merged
// (the checkpoint then moves in larger steps, never ahead of what is written).
constexpr std::size_t kMaxPendingCheckpoints = 4096;

}  // namespace

void Follower::pump() {
  // Asked once here, then told by each submit: a lock per record fewer.
  bool room = changes_.has_room();
  while (state_ == State::Streaming) {
    const auto event = session_->event();
    if (!event) break;
    if (!event_begun_) {
      if (auto begun = stream_decoder_->begin_event(*event); !begun) {
        lost(
            fmt::format("cannot decode a binlog event ({}); resuming from the last committed "
                        "transaction",
                        begun.error().message()));
        return;
      }
      event_begun_ = true;
    }
    while (true) {
      if (!room) {
        pause_reading();
        return;
      }
      if (gate_) {
        const std::string* gtid = stream_decoder_->awaiting_identity();
        if (gtid != nullptr && !gate_->ready(*gtid, std::chrono::steady_clock::now())) {
          pause_reading();
          return;
        }
      }
      auto record = stream_decoder_->next_record();
      if (!record) {
        lost(
            fmt::format("cannot decode a row ({}); resuming from the last committed "
                        "transaction",
                        record.error().message()));
        return;
      }
      if (!*record) break;
      room = changes_.submit(std::move(**record)) != eventlog::Submitted::OverLimit;
      ++submitted_;
      ++stats_.records;
    }
    event_begun_ = false;
    if (stream_decoder_->take_committed_moved()) note_position();
    session_->release_event();
  }
  if (state_ == State::Streaming && session_->state() == session::DumpSession::State::Failed) {
    session_failed();  // what came after the released events ended the dump
    return;
  }
  if (paused_) {
    paused_ = false;
    if (stream_ && !stream_->reading()) stream_->start_reading();
    timer_->start(read_deadline());
  }
}

void Follower::pause_reading() {
  if (paused_) return;
  paused_ = true;
  if (stream_) stream_->stop_reading();
}

void Follower::resume_if_ready() {
  if (paused_ && state_ == State::Streaming && changes_.has_room()) {
    pump();
    send();
  }
}

void Follower::on_poll() {
  resume_if_ready();
  if (std::chrono::steady_clock::now() - last_checkpoint_at_ >= settings_.checkpoint_interval) {
    flush_checkpoint();
  }
}

bool reached(const StreamPosition& position, const StreamPosition& target) {
  if (!target.gtid.empty()) {
    for (const auto& want : target.gtid) {
      const auto have = std::find_if(position.gtid.begin(), position.gtid.end(),
                                     [&](const auto& g) { return g.domain == want.domain; });
      if (have == position.gtid.end() || have->sequence < want.sequence) return false;
    }
    return true;
  }
  if (position.binlog_file != target.binlog_file) return position.binlog_file > target.binlog_file;
  return position.binlog_pos >= target.binlog_pos;
}

void Follower::note_position() {
  if (settings_.stop_at && on_reached_ &&
      reached(stream_decoder_->committed(), *settings_.stop_at)) {
    auto callback = std::move(on_reached_);
    on_reached_ = nullptr;
    callback();
  }
  PendingCheckpoint noted{submitted_, stream_decoder_->committed()};
  if (!pending_checkpoints_.empty() && pending_checkpoints_.back().records == submitted_) {
    pending_checkpoints_.back() = std::move(noted);  // heartbeats: nothing new to wait for
    return;
  }
  if (pending_checkpoints_.size() >= kMaxPendingCheckpoints) {
    // Merge the two oldest: the checkpoint waits for the later one's records.
    auto oldest = std::move(pending_checkpoints_.front());
    pending_checkpoints_.pop_front();
    pending_checkpoints_.front().records =
        std::max(pending_checkpoints_.front().records, oldest.records);
  }
  pending_checkpoints_.push_back(std::move(noted));
}

void Follower::flush_checkpoint() {
  last_checkpoint_at_ = std::chrono::steady_clock::now();
  const auto progress = changes_.change_progress();
  if (progress.lost > 0) {
    // A change record did not reach the file: the checkpoint stays where it is, so that a
    // restart emits everything after it again. Nothing is skipped silently.
    if (state_ == State::Streaming) {
      failed(
          fmt::format("{} change records could not be written (see the event log's "
                      "errors); the checkpoint stays before them",
                      progress.lost));
    }
    return;
  }
  std::optional<StreamPosition> safe;
  while (!pending_checkpoints_.empty() &&
         pending_checkpoints_.front().records <= progress.written) {
    safe = std::move(pending_checkpoints_.front().position);
    pending_checkpoints_.pop_front();
  }
  if (!safe || safe == last_offered_) return;
  last_offered_ = safe;
  if (checkpoint_writer_) {
    checkpoint_writer_->offer(checkpoint_of(*safe));
    ++stats_.checkpoints;
    last_checkpoint_ = std::chrono::system_clock::now();
  }
}

Checkpoint Follower::checkpoint_of(const StreamPosition& position) const {
  Checkpoint checkpoint;
  checkpoint.gtid = position.gtid;
  checkpoint.binlog_file = position.binlog_file;
  checkpoint.binlog_pos = position.binlog_pos;
  checkpoint.server_id = facts_ ? facts_->server_id : 0;
  checkpoint.written_at = std::chrono::system_clock::now();
  if (position.open) {
    checkpoint.open =
        Checkpoint::Open{position.open->gtid, position.open->event_index, position.open->row_index};
  }
  return checkpoint;
}

void Follower::write_final_checkpoint() {
  if (!checkpoint_writer_) return;
  flush_checkpoint();
  if (auto stopped = checkpoint_writer_->stop(settings_.close_timeout); !stopped) {
    log_->error("binlog checkpoint: {}", stopped.error());
  } else if (const auto error = checkpoint_writer_->last_error()) {
    log_->error("binlog checkpoint: {}", *error);
  } else if (last_offered_) {
    log_->info("binlog checkpoint at gtid '{}' ({}:{})",
               protocol::binlog::format_gtid_list(last_offered_->gtid), last_offered_->binlog_file,
               last_offered_->binlog_pos);
  }
}

}  // namespace gw::binlog
