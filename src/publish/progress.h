#pragma once
// How far the stream has an event log's lifecycle and audit records, kept beside the log as
// "<event_log.path>.published", so that a gracewire that stopped (or was killed) with records
// in flight publishes them at its next start (backlog.h), under the same message ids.
//
//   {"lineage":1764763200000000,"seq":1234}
//
// seq: every line up to this one is in the stream, or was dropped and reported (loss =
// "drop"). lineage: which run of the log's line sequence these numbers belong to; it is part
// of every message id (subjects.h) and changes whenever the sequence cannot be continued (the
// log was removed, or replaced by one with fewer lines), so that a sequence that starts over
// never reuses an id the stream still remembers.
//
// The file is rewritten (a new file renamed over it) at most every 250 ms while records are
// acknowledged, and at the stop. It lags what the stream has by that much: after a crash, the
// next start sends those records again, and the stream's duplicate window keeps one copy.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

namespace gw::publish {

struct PublishedUpTo {
  std::uint64_t lineage = 0;
  std::uint64_t sequence = 0;

  bool operator==(const PublishedUpTo&) const = default;
};

// "<event log path>.published"
std::string progress_path(const std::string& event_log_path);

// nullopt when there is no file (publishing starts with this log); an error sentence when the
// file is unreadable or not what we write.
std::expected<std::optional<PublishedUpTo>, std::string> read_progress(const std::string& path);

// Writes a new file and renames it over the old one: a crash leaves one or the other whole.
std::expected<void, std::string> write_progress(const std::string& path, PublishedUpTo value);

// Removes the file, for a log that is written without being published: its lines are not
// owed to the stream, and publishing them all when publishing is turned on again would flood
// it (and hold the start). True when there was one to remove.
bool forget_progress(const std::string& path);

}  // namespace gw::publish
