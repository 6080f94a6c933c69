#include "eventlog/writer.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <optional>

#include "eventlog/command_class.h"
#include "eventlog/file_sink.h"
#include "eventlog/json.h"
#include "eventlog/line_reader.h"
#include "eventlog/logger.h"
#include "eventlog/redact.h"
#include "eventlog/sequence.h"
#include "eventlog/timestamp.h"

namespace gw::eventlog {
namespace {

// Enough to amortise a wake-up over many records, small enough that a burst finds room.
constexpr std::size_t kMaxWakeBatch = 4096;
// The longest record line before sealing; the seal adds some 160 bytes.
constexpr std::size_t kMaxRecordBytes = LineReader::kMaxLineBytes - 1024;

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

// The statement a record carries, if any, and its truncation mark.
struct StatementField {
  std::string* text = nullptr;
  bool* truncated = nullptr;
};

StatementField statement_of(Record& record) {
  if (auto* command = std::get_if<CommandRecord>(&record)) {
    return {&command->statement, &command->statement_truncated};
  }
  if (auto* row = std::get_if<RowRecord>(&record))
    return {&row->statement, &row->statement_truncated};
  if (auto* ddl = std::get_if<DdlRecord>(&record))
    return {&ddl->statement, &ddl->statement_truncated};
  return {};
}

std::size_t wake_at(const EventLogSettings& settings) {
  if (settings.flush_interval.count() <= 0) return 1;
  return std::clamp<std::size_t>(settings.queue_records / 4, 1, kMaxWakeBatch);
}

}  // namespace

// Everything the writer thread touches. The thread holds a shared_ptr to it, so a thread that
// close() had to abandon (stuck in a write) finds it intact whenever the write returns.
class EventLog::Writer {
 public:
  Writer(const EventLogSettings& settings, std::unique_ptr<Sink> sink, std::string last_hash,
         std::uint64_t last_sequence, std::shared_ptr<Outlet> outlet)
      : queue(settings.queue_records, settings.loss, wake_at(settings)),
        settings_(settings),
        sink_(sink ? std::move(sink) : std::make_unique<NoFile>()),
        outlet_(std::move(outlet)),
        sequence_(last_sequence) {
    if (settings_.hash_chain) {
      last_written_hash_ = last_hash;
      chain_.emplace(std::move(last_hash));
    }
  }

  void run();
  // At close(), on its thread: waits for run() to end; false when `timeout` passed first.
  bool wait_done(std::chrono::milliseconds timeout);
  // At close(), on its thread, when wait_done() failed: counts and reports what is left.
  void abandon(std::chrono::milliseconds timeout);
  Stats stats() const;
  ChangeProgress change_progress() const;
  // Loop threads: submit() took a change record; the queue refused it (closed).
  void count_change_submitted() { changes_submitted_.fetch_add(1); }
  void count_change_refused() { changes_lost_.fetch_add(1); }

  RecordQueue queue;
  std::atomic<bool> reopen_requested{false};

 private:
  // Publishing without a file: every line "reaches" nothing, so file losses never happen and
  // the outlet alone decides what is confirmed.
  class NoFile final : public Sink {
   public:
    SinkTally write(std::string_view /*line*/) override { return {.lines = 1}; }
    SinkTally flush() override { return {}; }
    bool failing() const override { return false; }
  };

  void write_record(Record& record);
  void fit(Record& record);
  // What a line handed to the sink is, for the counts: a "dropped" notice, a lifecycle or audit
  // record, a change record.
  enum class Line : std::uint8_t { Notice, Audit, Change };

  // Seals line_ and hands it to the sink; false when it could not be handed (an unannounced
  // gap is open and its notice failed), which counts as a lost record unless it is a notice.
  bool write_line(Line kind);
  bool close_gap();
  void flush_and_report();
  void write_queue_drops();
  void account(const SinkTally& tally);
  void count_lost(std::uint64_t lines);
  void hand(std::string& line, Line kind);
  // Follows which lines (and their hashes) reached the sink; lines are reported in the order
  // handed.
  void settle(const SinkTally& tally);

  const EventLogSettings settings_;
  const std::unique_ptr<Sink> sink_;
  const std::shared_ptr<Outlet> outlet_;  // null when nothing is published
  const Record* current_ = nullptr;       // the record line_ encodes, for the outlet

  // Writer thread only.
  std::optional<HashChain> chain_;
  std::uint64_t sequence_;  // of the last line handed (sequence.h)
  std::string line_, notice_;
  std::chrono::system_clock::time_point lost_since_;
  bool gap_open_ = false;        // lines were lost and no "dropped" record has followed them
  bool gap_tried_ = false;       // a "dropped" record failed in this batch: do not retry yet
  std::uint64_t unflushed_ = 0;  // records handed to the sink since the last flush
  std::deque<std::string> unsettled_hashes_;  // of sealed lines handed, fate not yet known
  std::string last_written_hash_;             // of the last sealed line that reached the sink
  std::deque<bool> unsettled_changes_;        // per line handed, fate not yet known: a change?
  std::uint64_t changes_accepted_ = 0;        // change lines in the OS, not yet flushed

  std::atomic<std::uint64_t> lost_{0};  // lines the sink lost, not yet reported in the log
  std::atomic<std::uint64_t> written_{0}, dropped_{0}, write_errors_{0}, bytes_{0};
  std::atomic<std::uint64_t> taken_{0}, flushed_{0}, reopened_{0};
  std::atomic<bool> abandoned_{false};
  // ChangeProgress: submitted on the loop threads, written and lost on the writer thread (lost
  // also by the thread that calls close()).
  std::atomic<std::uint64_t> changes_submitted_{0}, changes_written_{0}, changes_lost_{0};

  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
};

void EventLog::Writer::run() {
  using Clock = std::chrono::steady_clock;
  std::vector<Record> batch;
  auto deadline = Clock::now() + settings_.flush_interval;
  for (;;) {
    const bool stopping = queue.take(batch, deadline);
    gap_tried_ = false;
    taken_.fetch_add(batch.size(), std::memory_order_relaxed);
    if (reopen_requested.exchange(false)) {
      account(sink_->reopen());
      reopened_.fetch_add(1, std::memory_order_relaxed);
    }
    for (Record& record : batch) write_record(record);
    unflushed_ += batch.size();
    batch.clear();
    if (stopping || Clock::now() >= deadline) {
      flush_and_report();
      deadline = Clock::now() + settings_.flush_interval;
    }
    if (stopping) break;
  }
  if (const auto lost = lost_.load(); lost > 0 && !abandoned_) {
    diagnostics()->error("event log: {} records could not be written since {}", lost,
                         rfc3339(lost_since_));
  }
  {
    std::lock_guard lock(done_mutex_);
    done_ = true;
  }
  done_cv_.notify_all();
}

bool EventLog::Writer::wait_done(std::chrono::milliseconds timeout) {
  std::unique_lock lock(done_mutex_);
  return done_cv_.wait_for(lock, timeout, [&] { return done_; });
}

void EventLog::Writer::abandon(std::chrono::milliseconds timeout) {
  abandoned_ = true;
  // Records taken by the writer but not flushed, and records never taken.
  const std::uint64_t left = taken_.load() - flushed_.load() + queue.depth();
  const QueueDrops drops = queue.take_drops();
  dropped_.fetch_add(left, std::memory_order_relaxed);
  // Every change record not confirmed written is lost: the abandoned thread may still write
  // some, but the follower must not count on them.
  const std::uint64_t changes = changes_submitted_.load();
  const std::uint64_t settled = changes_written_.load() + changes_lost_.load();
  if (changes > settled) changes_lost_.fetch_add(changes - settled);
  const double seconds = std::chrono::duration<double>(timeout).count();
  diagnostics()->error(
      "event log: {} records could not be written within {:.1f}s (the event log does not "
      "accept writes); lost",
      left, seconds);
  if (drops.count > 0) {
    diagnostics()->error("event log: {} more records were dropped since {} and not recorded",
                         drops.count, rfc3339(drops.since));
  }
  if (const auto lost = lost_.load(); lost > 0) {
    diagnostics()->error("event log: {} earlier records could not be written", lost);
  }
}

void EventLog::Writer::write_record(Record& record) {
  // Redact before cutting, so a cut can never leave half a secret outside a string.
  redact_record(record);
  if (const StatementField statement = statement_of(record);
      statement.text != nullptr && statement.text->size() > settings_.statement_limit) {
    truncate_utf8(*statement.text, settings_.statement_limit);
    *statement.truncated = true;
  }
  line_.clear();
  append_json(line_, record);
  if (line_.size() > kMaxRecordBytes) fit(record);
  current_ = &record;
  write_line(is_change_record(record) ? Line::Change : Line::Audit);
  current_ = nullptr;
}

// A line longer than the tools read (line_reader.h) would be a record nobody can check: cut the
// statement (marked statement_truncated), then a command's parameters (each becomes "<cut>"),
// until it fits (statement_limit allows up to 1 GiB). A row's values are never cut: a row
// whose values alone pass the limit (a LONGBLOB) is written whole, and the tools name its line
// as too long.
void EventLog::Writer::fit(Record& record) {
  const StatementField statement = statement_of(record);
  if (statement.text == nullptr) return;
  while (line_.size() > kMaxRecordBytes && !statement.text->empty()) {
    truncate_utf8(*statement.text, statement.text->size() / 2);
    *statement.truncated = true;
    line_.clear();
    append_json(line_, record);
  }
  auto* command = std::get_if<CommandRecord>(&record);
  if (command != nullptr && line_.size() > kMaxRecordBytes) {
    for (auto& param : command->params) param = "<cut>";
    line_.clear();
    append_json(line_, record);
  }
}

bool EventLog::Writer::write_line(Line kind) {
  if (gap_open_ && !close_gap()) {
    if (kind != Line::Notice) count_lost(1);
    if (kind == Line::Change) changes_lost_.fetch_add(1);
    return false;
  }
  hand(line_, kind);
  return true;
}

void EventLog::Writer::hand(std::string& line, Line kind) {
  append_sequence(line, ++sequence_);
  if (chain_) {
    chain_->seal(line);
    unsettled_hashes_.push_back(chain_->last_hash());
  }
  unsettled_changes_.push_back(kind == Line::Change);
  // The outlet gets the same sealed line as the file, handed first: a file that fails does not
  // keep a record from the stream.
  if (outlet_) outlet_->take(kind == Line::Notice ? nullptr : current_, line, sequence_);
  line += '\n';
  account(sink_->write(line));
}

void EventLog::Writer::settle(const SinkTally& tally) {
  for (std::uint64_t i = 0; i < tally.lines && !unsettled_changes_.empty(); ++i) {
    if (unsettled_changes_.front()) ++changes_accepted_;
    unsettled_changes_.pop_front();
  }
  for (std::uint64_t i = 0; i < tally.lost && !unsettled_changes_.empty(); ++i) {
    if (unsettled_changes_.front()) changes_lost_.fetch_add(1);
    unsettled_changes_.pop_front();
  }
  if (!chain_) return;
  for (std::uint64_t i = 0; i < tally.lines && !unsettled_hashes_.empty(); ++i) {
    last_written_hash_ = std::move(unsettled_hashes_.front());
    unsettled_hashes_.pop_front();
  }
  for (std::uint64_t i = 0; i < tally.lost && !unsettled_hashes_.empty(); ++i) {
    unsettled_hashes_.pop_front();
  }
}

// Puts the "dropped" record for lost lines in front of everything that follows them, so the
// gap in the hash chain is announced where it is. The sink holds nothing back once it has
// reported a loss (sink.h), so the notice is the first line after the gap. One try per batch
// while the sink keeps failing; the records of that batch count as lost meanwhile.
bool EventLog::Writer::close_gap() {
  if (gap_tried_) return false;
  gap_tried_ = true;
  const auto now = std::chrono::system_clock::now();
  const std::uint64_t lost = lost_.load();
  const DroppedNotice notice{.ts = now,
                             .count = lost,
                             .since = lost_since_,
                             .until = now,
                             .reason = kDroppedWriteFailed,
                             .last_written_hash = last_written_hash_};
  notice_.clear();
  append_json(notice_, notice);
  append_sequence(notice_, ++sequence_);
  if (chain_) {
    chain_->seal(notice_);
    unsettled_hashes_.push_back(chain_->last_hash());
  }
  unsettled_changes_.push_back(false);
  notice_ += '\n';
  SinkTally tally = sink_->write(notice_);
  tally += sink_->flush();
  settle(tally);
  // The notice is not a record: its own loss is not counted among the records lost.
  written_.fetch_add(tally.lines, std::memory_order_relaxed);
  bytes_.fetch_add(tally.bytes, std::memory_order_relaxed);
  write_errors_.fetch_add(tally.errors, std::memory_order_relaxed);
  if (tally.lost > 0 || tally.lines == 0) return false;
  diagnostics()->warn("event log: {} records could not be written between {} and {}", lost,
                      rfc3339(notice.since), rfc3339(notice.until));
  lost_.fetch_sub(lost);
  gap_open_ = false;
  return true;
}

void EventLog::Writer::flush_and_report() {
  write_queue_drops();
  account(sink_->flush());
  // The sink has handed every line to the OS or reported it lost (sink.h): the change lines
  // it accepted are now where a crash of gracewire cannot take them.
  if (!abandoned_) changes_written_.fetch_add(std::exchange(changes_accepted_, 0));
  // Lost lines are announced even when no record follows them.
  if (gap_open_) close_gap();
  flushed_.fetch_add(std::exchange(unflushed_, 0), std::memory_order_relaxed);
}

void EventLog::Writer::write_queue_drops() {
  const QueueDrops drops = queue.take_drops();
  if (drops.count == 0) return;
  const auto now = std::chrono::system_clock::now();
  diagnostics()->warn(
      "event log: dropped {} records between {} and {}: the writer fell behind and {}", drops.count,
      rfc3339(drops.since), rfc3339(now),
      settings_.loss == EventLogSettings::Loss::Drop
          ? "event_log.loss is \"drop\""
          : "the queue passed its ceiling of 2 x event_log.queue_records");
  line_.clear();
  append_json(line_, DroppedNotice{.ts = now,
                                   .count = drops.count,
                                   .since = drops.since,
                                   .until = now,
                                   .reason = kDroppedQueueFull});
  // Already counted as dropped; if their notice cannot go out, the write_failed notice that
  // ends the gap carries them.
  if (!write_line(Line::Notice)) lost_.fetch_add(drops.count);
}

void EventLog::Writer::account(const SinkTally& tally) {
  settle(tally);
  written_.fetch_add(tally.lines, std::memory_order_relaxed);
  bytes_.fetch_add(tally.bytes, std::memory_order_relaxed);
  write_errors_.fetch_add(tally.errors, std::memory_order_relaxed);
  if (tally.lost > 0) count_lost(tally.lost);
}

void EventLog::Writer::count_lost(std::uint64_t lines) {
  dropped_.fetch_add(lines, std::memory_order_relaxed);
  if (lost_.fetch_add(lines) == 0) lost_since_ = std::chrono::system_clock::now();
  gap_open_ = true;
}

Stats EventLog::Writer::stats() const {
  return {.written = written_.load(std::memory_order_relaxed),
          .dropped = dropped_.load(std::memory_order_relaxed) + queue.dropped_total(),
          .write_errors = write_errors_.load(std::memory_order_relaxed),
          .bytes = bytes_.load(std::memory_order_relaxed),
          .over_limit = queue.over_limit_total(),
          .queue_depth = queue.depth(),
          .reopened = reopened_.load(std::memory_order_relaxed)};
}

EventLog::ChangeProgress EventLog::Writer::change_progress() const {
  // Written and lost first: a record is counted submitted before it can be written, so the
  // answer never shows more written than submitted.
  ChangeProgress progress;
  progress.written = changes_written_.load();
  progress.lost = changes_lost_.load();
  if (outlet_) {
    // Both settle change records in the order handed: the shorter prefix has reached both.
    const Outlet::ChangeTally published = outlet_->changes();
    progress.written = std::min(progress.written, published.confirmed);
    progress.lost += published.lost;
  }
  progress.submitted = changes_submitted_.load();
  return progress;
}

Filters filters_of(const EventLogSettings& settings) {
  return {.audit = settings.audit,
          .lifecycle = settings.lifecycle,
          .users = settings.users,
          .schemas = settings.schemas,
          .command_classes = settings.command_classes};
}

std::expected<std::unique_ptr<EventLog>, std::string> EventLog::open(
    EventLogSettings settings, std::shared_ptr<Outlet> outlet) {
  if (settings.path.empty()) {
    // Disabled, unless its lines are published: then a writer without a file.
    return std::unique_ptr<EventLog>(
        new EventLog(std::move(settings), nullptr, "", 0, std::move(outlet)));
  }
  std::string last_hash(kGenesisHash);
  const std::uint64_t last_sequence =
      settings.path == "-" ? 0 : last_sequence_on_disk(settings.path);
  if (settings.hash_chain && settings.path != "-") {
    // Continue the chain from the newest record on disk: the file itself, or the newest rotated
    // file when the file has no complete record yet.
    auto resumed = last_hash_in_file(settings.path);
    if (!resumed) resumed = last_hash_in_file(settings.path + ".1");
    if (resumed) last_hash = std::move(*resumed);
  }
  auto sink = FileSink::open(settings.path, settings.rotate_bytes, settings.rotate_keep);
  if (!sink) return std::unexpected(std::move(sink.error()));
  return with_sink(std::move(settings), std::move(*sink), std::move(last_hash), std::move(outlet),
                   last_sequence);
}

std::unique_ptr<EventLog> EventLog::with_sink(EventLogSettings settings, std::unique_ptr<Sink> sink,
                                              std::string last_hash, std::shared_ptr<Outlet> outlet,
                                              std::uint64_t last_sequence) {
  return std::unique_ptr<EventLog>(new EventLog(std::move(settings), std::move(sink),
                                                std::move(last_hash), last_sequence,
                                                std::move(outlet)));
}

EventLog::EventLog(EventLogSettings settings, std::unique_ptr<Sink> sink, std::string last_hash,
                   std::uint64_t last_sequence, std::shared_ptr<Outlet> outlet)
    : settings_(std::move(settings)), filters_(filters_of(settings_)) {
  if (!sink && !outlet) return;
  writer_ = std::make_shared<Writer>(settings_, std::move(sink), std::move(last_hash),
                                     last_sequence, std::move(outlet));
  thread_ = std::thread([writer = writer_] { writer->run(); });
}

EventLog::~EventLog() { close(); }

bool EventLog::wants_audit(std::string_view user, std::string_view db,
                           std::string_view command_name) const {
  if (!enabled()) return false;
  const std::string_view cls = command_class(command_name);
  std::lock_guard lock(filters_mutex_);
  return filters_.audit && listed(filters_.users, user) && listed(filters_.schemas, db) &&
         listed(filters_.command_classes, cls);
}

bool EventLog::wants_lifecycle() const {
  if (!enabled()) return false;
  std::lock_guard lock(filters_mutex_);
  return filters_.lifecycle;
}

Filters EventLog::filters() const {
  std::lock_guard lock(filters_mutex_);
  return filters_;
}

void EventLog::set_filters(Filters filters) {
  std::lock_guard lock(filters_mutex_);
  // The old filters leave with the argument, freed after the lock is released.
  std::swap(filters_, filters);
}

bool EventLog::wanted(const Record& record) const {
  if (is_change_record(record)) return enabled();
  if (const auto* command = std::get_if<CommandRecord>(&record)) {
    return wants_audit(command->common.user, command->common.db, command->command);
  }
  return wants_lifecycle();
}

Submitted EventLog::submit(Record&& record) {
  if (!wanted(record)) return Submitted::Filtered;
  if (!is_change_record(record)) return writer_->queue.push(std::move(record));
  // Counted before the push, so that the writer can never have written more than submitted.
  writer_->count_change_submitted();
  const Submitted result = writer_->queue.push(std::move(record));
  if (result == Submitted::Dropped) writer_->count_change_refused();
  return result;
}

EventLog::ChangeProgress EventLog::change_progress() const {
  return writer_ ? writer_->change_progress() : ChangeProgress{};
}

bool EventLog::has_room() const { return !writer_ || writer_->queue.has_room(); }

RoomSubscription EventLog::on_room(std::function<void()> callback) {
  return writer_ ? writer_->queue.on_room(std::move(callback)) : RoomSubscription{};
}

void EventLog::reopen() {
  if (!writer_) return;
  writer_->reopen_requested = true;
  writer_->queue.wake();
}

Stats EventLog::stats() const { return writer_ ? writer_->stats() : Stats{}; }

void EventLog::close(std::chrono::milliseconds timeout) {
  std::call_once(closed_, [&] {
    if (!thread_.joinable()) return;
    writer_->queue.close();
    if (writer_->wait_done(timeout)) {
      thread_.join();
    } else {
      thread_.detach();
      writer_->abandon(timeout);
    }
    // An abandoned writer may still take a queue later: it must find no loop to wake.
    writer_->queue.clear_room_callbacks();
  });
}

}  // namespace gw::eventlog
