#pragma once
// `gracewire verify FILE...`: checks the hash chain (hash_chain.h) of event log files and names
// the first line that breaks it, as file:line and why.
//
// Files are checked in the order rotated_files.h gives (oldest first) as one chain: each
// record's prev_hash must be the hash of the record before it, also across files, and each
// record's hash must match its bytes. The first record checked may continue a chain whose
// earlier part is gone (rotated away); that is reported, not failed.
//
// Announced losses: a "dropped" record is gracewire saying records were lost. Each is listed
// with its count. When the writer lost lines it had already sealed (disk full), the "dropped"
// record it writes right after the gap does not continue the previous hash; verify accepts
// that break there and only there (reason write_failed), provided the record's
// last_written_hash is the hash of the line before it (so nothing else went missing there),
// checks the record's own hash and goes on from it. A record removed anywhere else still
// breaks the chain, and so does a forged "dropped" record unless every line after it is
// rewritten too. What a chain cannot show:
// records cut from the end of the newest file. Keep the last hash printed here elsewhere to
// catch that.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace gw::eventlog {

// A "dropped" record met on the way.
struct AnnouncedLoss {
  std::string where;  // "x.log:17"
  std::uint64_t count = 0;
  std::string reason;             // "write_failed", "queue_full"
  bool gap = false;               // the chain breaks here (lines were sealed, then lost)
  std::string last_written_hash;  // where the writer says the gap starts
};

struct VerifyOutcome {
  bool ok = false;
  std::uint64_t records = 0;  // records whose hash checked out
  std::uint64_t files = 0;
  std::string problem;          // "x.log.1:17: hash does not match ..."; empty when ok
  std::string first_prev_hash;  // where the checked chain starts (64 zeros: the very beginning)
  std::string last_hash;
  std::vector<AnnouncedLoss> losses;  // in file order
};

// Checks `files` in the order given.
VerifyOutcome verify_chain(const std::vector<std::string>& files);

// The whole command: expands rotated files, prints a verdict to `out` (or the problem to
// `err`) and returns the exit code, 0 for an intact chain and 1 otherwise.
int run_verify(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err);

}  // namespace gw::eventlog
