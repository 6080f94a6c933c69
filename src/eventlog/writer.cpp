#include "eventlog/writer.h"

#include <algorithm>

#include "eventlog/command_class.h"
#include "eventlog/file_sink.h"
#include "eventlog/json.h"
#include "eventlog/logger.h"
#include "eventlog/redact.h"
#include "eventlog/timestamp.h"

namespace gw::eventlog {
namespace {

// Enough to amortise a wake-up over many records, small enough that a burst finds room.
constexpr std::size_t kMaxWakeBatch = 4096;

bool listed(const std::vector<std::string>& filter, std::string_view value) {
  return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
}

// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
void truncate_utf8(std::string& text, std::size_t limit) {
  std::size_t cut = limit;
  for (int back = 0; back < 3 && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80;
       ++back) {
    --cut;
  }
  text.resize(cut);
}

}  // namespace

std::expected<std::unique_ptr<EventLog>, std::string> EventLog::open(EventLogSettings settings) {
  if (settings.path.empty()) {
    return std::unique_ptr<EventLog>(new EventLog(std::move(settings), nullptr, ""));
  }
  std::string last_hash(kGenesisHash);
  if (settings.hash_chain && settings.path != "-") {
    // Continue the chain from the newest record on disk: the file itself, or the newest rotated
    // file when the file has no complete record yet.
    auto resumed = last_hash_in_file(settings.path);
    if (!resumed) resumed = last_hash_in_file(settings.path + ".1");
    if (resumed) last_hash = std::move(*resumed);
  }
  auto sink = FileSink::open(settings.path, settings.rotate_bytes, settings.rotate_keep);
  if (!sink) return std::unexpected(std::move(sink.error()));
  return with_sink(std::move(settings), std::move(*sink), std::move(last_hash));
}

std::unique_ptr<EventLog> EventLog::with_sink(EventLogSettings settings, std::unique_ptr<Sink> sink,
                                              std::string last_hash) {
  return std::unique_ptr<EventLog>(
      new EventLog(std::move(settings), std::move(sink), std::move(last_hash)));
}

EventLog::EventLog(EventLogSettings settings, std::unique_ptr<Sink> sink, std::string last_hash)
    : settings_(std::move(settings)),
      wake_at_(settings_.flush_interval.count() <= 0
                   ? 1
                   : std::clamp<std::size_t>(settings_.queue_records / 4, 1, kMaxWakeBatch)),
      sink_(std::move(sink)) {
  if (!sink_) return;
  if (settings_.hash_chain) chain_.emplace(std::move(last_hash));
  thread_ = std::thread([this] { run(); });
}

EventLog::~EventLog() { close(); }

bool EventLog::wants_audit(std::string_view user, std::string_view db,
                           std::string_view command_name) const {
  return enabled() && settings_.audit && listed(settings_.users, user) &&
         listed(settings_.schemas, db) &&
         listed(settings_.command_classes, command_class(command_name));
}

bool EventLog::wanted(const Record& record) const {
  if (const auto* command = std::get_if<CommandRecord>(&record)) {
    return wants_audit(command->common.user, command->common.db, command->command);
  }
  return wants_lifecycle();
}

void EventLog::submit(Record&& record) {
  if (!wanted(record)) return;
  std::unique_lock lock(mutex_);
  const std::size_t capacity = std::max<std::size_t>(settings_.queue_records, 1);
  if (queue_.size() >= capacity && !closing_) {
    if (settings_.loss == EventLogSettings::Loss::Drop) {
      if (queue_dropped_++ == 0) queue_dropped_since_ = std::chrono::system_clock::now();
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    writer_wake_.notify_one();
    room_.wait(lock, [&] { return queue_.size() < capacity || closing_; });
  }
  if (closing_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  queue_.push_back(std::move(record));
  if (writer_asleep_ && queue_.size() >= wake_at_) {
    writer_asleep_ = false;  // one notification is enough
    writer_wake_.notify_one();
  }
}

void EventLog::run() {
  using Clock = std::chrono::steady_clock;
  std::vector<Record> batch;
  auto deadline = Clock::now() + settings_.flush_interval;
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      writer_asleep_ = true;
      writer_wake_.wait_until(lock, deadline,
                              [&] { return closing_ || queue_.size() >= wake_at_; });
      writer_asleep_ = false;
      batch.swap(queue_);
      stopping = closing_;
    }
    if (!batch.empty()) room_.notify_all();
    for (Record& record : batch) write_record(record);
    batch.clear();
    if (stopping || Clock::now() >= deadline) {
      write_loss_notices();
      account(sink_->flush());
      deadline = Clock::now() + settings_.flush_interval;
    }
    if (stopping) break;
  }
  if (lost_ > 0) {
    diagnostics()->error("event log: {} records could not be written since {}", lost_,
                         rfc3339(lost_since_));
  }
}

void EventLog::write_record(Record& record) {
  if (auto* command = std::get_if<CommandRecord>(&record)) {
    // Redact before cutting, so a cut can never leave half a secret outside a string.
    redact_in_place(command->statement);
    if (command->statement.size() > settings_.statement_limit) {
      truncate_utf8(command->statement, settings_.statement_limit);
      command->statement_truncated = true;
    }
  }
  line_.clear();
  append_json(line_, record);
  write_line();
}

void EventLog::write_line() {
  if (chain_) chain_->seal(line_);
  line_ += '\n';
  account(sink_->write(line_));
}

void EventLog::write_loss_notices() {
  const auto now = std::chrono::system_clock::now();
  DroppedNotice notice;
  notice.ts = now;
  notice.until = now;
  {
    std::lock_guard lock(mutex_);
    notice.count = std::exchange(queue_dropped_, 0);
    notice.since = queue_dropped_since_;
  }
  if (notice.count > 0) {
    notice.reason = kDroppedQueueFull;
    diagnostics()->warn(
        "event log: dropped {} records between {} and {}: the writer fell behind and "
        "event_log.loss is \"drop\"",
        notice.count, rfc3339(notice.since), rfc3339(notice.until));
    line_.clear();
    append_json(line_, notice);
    write_line();
  }
  // Lines the sink lost are reported once it writes again, so the notice can land.
  if (lost_ > 0 && !sink_->failing()) {
    notice.count = std::exchange(lost_, 0);
    notice.since = lost_since_;
    notice.reason = kDroppedWriteFailed;
    diagnostics()->warn("event log: {} records could not be written between {} and {}",
                        notice.count, rfc3339(notice.since), rfc3339(notice.until));
    line_.clear();
    append_json(line_, notice);
    write_line();
  }
}

void EventLog::account(const SinkTally& tally) {
  written_.fetch_add(tally.lines, std::memory_order_relaxed);
  bytes_.fetch_add(tally.bytes, std::memory_order_relaxed);
  write_errors_.fetch_add(tally.errors, std::memory_order_relaxed);
  if (tally.lost == 0) return;
  dropped_.fetch_add(tally.lost, std::memory_order_relaxed);
  if (lost_ == 0) lost_since_ = std::chrono::system_clock::now();
  lost_ += tally.lost;
}

Stats EventLog::stats() const {
  return {.written = written_.load(std::memory_order_relaxed),
          .dropped = dropped_.load(std::memory_order_relaxed),
          .write_errors = write_errors_.load(std::memory_order_relaxed),
          .bytes = bytes_.load(std::memory_order_relaxed)};
}

void EventLog::close() {
  std::call_once(closed_, [this] {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    writer_wake_.notify_one();
    room_.notify_all();
    thread_.join();
  });
}

}  // namespace gw::eventlog
