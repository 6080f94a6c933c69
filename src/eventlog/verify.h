#pragma once
// `gracewire verify FILE...`: checks the hash chain (hash_chain.h) of event log files and names
// the first line that breaks it, as file:line and why.
//
// Files are checked in the order rotated_files.h gives (oldest first) as one chain: each
// record's prev_hash must be the hash of the record before it, also across files, and each
// record's hash must match its bytes. The first record checked may continue a chain whose
// earlier part is gone (rotated away); that is reported, not failed. What a chain cannot show:
// records cut from the end of the newest file. Keep the last hash printed here elsewhere to
// catch that.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace gw::eventlog {

struct VerifyOutcome {
  bool ok = false;
  std::uint64_t records = 0;  // records whose hash checked out
  std::uint64_t files = 0;
  std::string problem;          // "x.log.1:17: hash does not match ..."; empty when ok
  std::string first_prev_hash;  // where the checked chain starts (64 zeros: the very beginning)
  std::string last_hash;
};

// Checks `files` in the order given.
VerifyOutcome verify_chain(const std::vector<std::string>& files);

// The whole command: expands rotated files, prints a verdict to `out` (or the problem to
// `err`) and returns the exit code, 0 for an intact chain and 1 otherwise.
int run_verify(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err);

}  // namespace gw::eventlog
