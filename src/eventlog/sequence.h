#pragma once
// The line sequence: every line an event log writes carries "seq", one more than the line
// before it, continued across restarts and rotation like the hash chain (hash_chain.h):
//
//   {…record…,"seq":N,"prev_hash":"…","hash":"…"}      (the seal follows when hash_chain is on)
//
// It numbers the lines of one log, notices included, so that a reader (a consumer of the NATS
// stream, the publisher resuming after a crash) can name a line and see a gap without the
// file. The publisher's message ids for lifecycle and audit records are built on it
// (publish/subjects.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw::eventlog {

// `json` holds one record object: "seq" becomes its last member.
void append_sequence(std::string& json, std::uint64_t sequence);

// The "seq" of a line this writer wrote, sealed or not; nullopt when it has none (a line
// written before sequences existed, or not ours). The member is found from the end: a record's
// own values (a row's column named seq) come before it.
std::optional<std::uint64_t> sequence_of(std::string_view line);

// The last complete line of a regular file (a torn last line is skipped), without its '\n';
// nullopt when there is none, or the path is not a regular file (a FIFO, standard output).
std::optional<std::string> last_line_in_file(const std::string& path);

// Where a log goes on: the sequence of the newest line on disk, in the file itself or, when it
// has no complete line yet, in the newest rotated file (path.1); 0 when there is none.
std::uint64_t last_sequence_on_disk(const std::string& path);

}  // namespace gw::eventlog
