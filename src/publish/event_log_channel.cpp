// An event log's channel into the publisher: the lineage of its message ids, the backlog it
// publishes at start, and its progress file (progress.h, backlog.h).

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>

#include "eventlog/sequence.h"
#include "publish/backlog.h"
#include "publish/progress.h"
#include "publish/publisher_state.h"
#include "publish/subjects.h"

namespace gw::publish {
namespace {

using namespace std::chrono_literals;

// The longest the backlog waits for room at start; what does not fit by then is dropped and
// reported (a stream that refuses everything must not keep gracewire from starting).
constexpr auto kBacklogWait = 30s;
// Failures to write a progress file are reported at most this often.
constexpr auto kProgressReportEvery = 10s;

constexpr std::array<std::string_view, 7> kEventTypes = {
    "connect", "auth", "change_user", "reset", "close", "command", "dropped"};

bool is_event_type(std::string_view type) {
  for (const auto known : kEventTypes) {
    if (type == known) return true;
  }
  return false;
}

}  // namespace

std::expected<std::size_t, std::string> Publisher::State::add_log_channel(
    const std::string& log_path) {
  if (log_path.empty() || log_path == "-")
    return add_channel(ChannelState{.lineage = started_us, .progress_file = {}});
  ChannelState channel{.lineage = started_us,
                       .handed = eventlog::last_sequence_on_disk(log_path),
                       .progress_file = progress_path(log_path)};
  std::optional<std::uint64_t> resume_after;
  const auto progress = read_progress(channel.progress_file);
  if (!progress) {
    publish_log()->warn(
        "{}; records in flight at the last stop may be missing from stream {}, and this log's "
        "records are published under a new lineage",
        progress.error(), settings.stream);
  } else if (*progress && channel.handed >= (*progress)->sequence) {
    channel.lineage = (*progress)->lineage;
    resume_after = (*progress)->sequence;
  } else if (*progress) {
    publish_log()->warn(
        "the event log {} ends at line {} but line {} was published: the log was replaced or "
        "cut short, so records in flight at the last stop may be missing from stream {}; this "
        "log's records are published under a new lineage",
        log_path, channel.handed, (*progress)->sequence, settings.stream);
  }
  channel.saved = resume_after.value_or(channel.handed);
  if (auto written = write_progress(channel.progress_file, {channel.lineage, channel.saved});
      !written) {
    return std::unexpected(written.error() + " (publishing keeps it beside the event log)");
  }
  const std::size_t index = add_channel(channel);
  if (resume_after && channel.handed > *resume_after) {
    publish_backlog(index, channel.lineage, log_path, *resume_after);
  }
  return index;
}

void Publisher::State::publish_backlog(std::size_t channel, std::uint64_t lineage,
                                       const std::string& log_path, std::uint64_t after) {
  const auto deadline = Clock::now() + kBacklogWait;
  std::uint64_t queued = 0, dropped = 0;
  const auto scan = read_backlog(log_path, after, [&](const BacklogLine& line) {
    // Change records come again from the binlog checkpoint, under their own ids.
    if (!is_event_type(line.type)) return;
    const bool wanted_type = line.type == "command"   ? settings.audit
                             : line.type == "dropped" ? settings.audit || settings.lifecycle
                                                      : settings.lifecycle;
    if (!wanted_type) return;
    Message message{.subject = fmt::format("{}.events.{}", settings.subject_prefix, line.type),
                    .id = event_message_id(settings.instance, lineage, line.sequence),
                    .type = std::string(line.type),
                    .body = std::string(line.line),
                    .channel = static_cast<int>(channel),
                    .sequence = line.sequence};
    std::unique_lock lock(mutex);
    if (admit(lock, std::move(message), true, deadline)) {
      ++queued;
    } else {
      ++dropped;
    }
  });
  if (!scan) {
    publish_log()->error(
        "cannot read the event log back to publish what stream {} may lack after line {}: {}",
        settings.stream, after, scan.error());
    return;
  }
  publish_log()->info(
      "publishing {} records of {} written after line {} that stream {} had not acknowledged "
      "before the last stop (the stream keeps one copy of any it already has)",
      queued, log_path, after, settings.stream);
  if (scan->first_found_after_gap > 0) {
    publish_log()->warn(
        "lines {} to {} of the event log {} are no longer on disk (rotated away or removed): "
        "the records among them that stream {} had not acknowledged are missing from it",
        after + 1, scan->first_found_after_gap - 1, log_path, settings.stream);
  }
  if (scan->skipped > 0) {
    publish_log()->warn("skipped {} lines of {} after line {} that are not records gracewire wrote",
                        scan->skipped, log_path, after);
  }
  if (dropped > 0) {
    publish_log()->error(
        "dropped {} records of the backlog: stream {} did not make room for them within {} s",
        dropped, settings.stream,
        std::chrono::duration_cast<std::chrono::seconds>(kBacklogWait).count());
  }
}

void Publisher::State::save_progress(std::unique_lock<std::mutex>& lock) {
  for (std::size_t index = 0; index < channels.size(); ++index) {
    ChannelState& channel = channels[index];
    if (channel.progress_file.empty()) continue;
    // Every line before the oldest lifecycle or audit record still held is in the stream, or
    // was dropped and reported; change records are resumed from the binlog checkpoint.
    const Message* oldest = window.oldest_where([&](const Message& message) {
      return message.channel == static_cast<int>(index) && !message.change;
    });
    const std::uint64_t up_to = oldest != nullptr ? oldest->sequence - 1 : channel.handed;
    if (up_to == channel.saved) continue;
    const std::string file = channel.progress_file;
    const PublishedUpTo value{.lineage = channel.lineage, .sequence = up_to};
    lock.unlock();
    std::expected<void, std::string> written;
    {
      // The sender and close() may both get here; one write at a time to the file's ".new".
      std::lock_guard io(progress_io);
      written = write_progress(file, value);
    }
    lock.lock();
    if (written) {
      channel.saved = up_to;
    } else {
      ++counts.errors;
      const auto now = Clock::now();
      if (now - last_progress_report >= kProgressReportEvery) {
        last_progress_report = now;
        publish_log()->error(
            "{}: after a crash, the next start could publish again records the stream already "
            "has, past its duplicate window",
            written.error());
      }
    }
  }
}

}  // namespace gw::publish
