#include "eventlog/verify.h"

#include <optional>
#include <ostream>

#include "eventlog/hash_chain.h"
#include "eventlog/json_scan.h"
#include "eventlog/line_reader.h"
#include "eventlog/rotated_files.h"

namespace gw::eventlog {
namespace {

// The record type, where the writer puts it (right after ts), without parsing the line.
bool is_dropped_record(std::string_view line) {
  return line.substr(0, 64).find(R"(,"type":"dropped")") != std::string_view::npos;
}

// The count and reason of a "dropped" record; nullopt when it is not a well-formed one.
std::optional<AnnouncedLoss> read_loss(std::string_view line) {
  std::optional<std::int64_t> count;
  AnnouncedLoss loss;
  const bool parsed = scan_object(line, [&](std::string_view key, const JsonValue& value) {
    if (key == "count") count = json_integer(value);
    if (value.kind != JsonValue::Kind::String) return true;
    if (key == "reason") loss.reason = value.raw;
    if (key == "last_written_hash") loss.last_written_hash = value.raw;
    return true;
  });
  if (!parsed || !count || *count < 0) return std::nullopt;
  loss.count = static_cast<std::uint64_t>(*count);
  return loss;
}

class ChainChecker {
 public:
  // False, with outcome.problem set, at the first bad line.
  bool check_file(const std::string& path, VerifyOutcome& outcome) {
    auto reader = LineReader::open(path);
    if (!reader) return fail(outcome, reader.error());
    ++outcome.files;
    bool first_in_file = true;
    while (auto line = reader->next()) {
      const std::string at = path + ":" + std::to_string(reader->line_number());
      const std::string where = at + ": ";
      if (reader->too_long()) {
        return fail(outcome, where + "line longer than " +
                                 std::to_string(reader->max_line() >> 20) +
                                 " MiB (not a line gracewire writes); not read");
      }
      if (!reader->complete()) {
        return fail(outcome, where + "the file ends in an incomplete line (a write was cut short)");
      }
      if (line->empty()) return fail(outcome, where + "empty line");
      auto sealed = split_sealed(*line);
      if (!sealed) return fail(outcome, where + sealed.error());
      std::optional<AnnouncedLoss> loss;
      if (is_dropped_record(*line)) {
        loss = read_loss(*line);
        if (!loss) return fail(outcome, where + "a \"dropped\" record without a valid count");
        loss->where = at;
      }
      const bool breaks = !last_hash_.empty() && sealed->prev_hash != last_hash_;
      if (breaks && loss && loss->reason == "write_failed") {
        if (loss->last_written_hash != last_hash_) {
          return fail(outcome, where +
                                   "an announced loss whose last_written_hash is not the "
                                   "previous record's hash (a record was removed before it)");
        }
        loss->gap = true;  // the announced gap: the chain resumes at this record
      } else if (breaks) {
        return fail(outcome, where + (first_in_file ? "prev_hash does not continue the last "
                                                      "record of " +
                                                          previous_file_
                                                    : "prev_hash is not the previous record's "
                                                      "hash (a record was removed, inserted or "
                                                      "moved before this line)"));
      }
      if (last_hash_.empty()) outcome.first_prev_hash = std::string(sealed->prev_hash);
      if (expected_hash(sha_, *sealed) != sealed->hash) {
        return fail(outcome, where + "hash does not match the line (the line was changed)");
      }
      last_hash_ = std::string(sealed->hash);
      if (loss) outcome.losses.push_back(std::move(*loss));
      ++outcome.records;
      first_in_file = false;
    }
    if (!reader->error().empty()) return fail(outcome, reader->error());
    if (!first_in_file) previous_file_ = path;
    return true;
  }

  const std::string& last_hash() const { return last_hash_; }

 private:
  static bool fail(VerifyOutcome& outcome, std::string problem) {
    outcome.problem = std::move(problem);
    return false;
  }

  Sha256 sha_;
  std::string last_hash_;
  std::string previous_file_;
};

}  // namespace

VerifyOutcome verify_chain(const std::vector<std::string>& files) {
  VerifyOutcome outcome;
  ChainChecker checker;
  for (const auto& file : files) {
    if (!checker.check_file(file, outcome)) return outcome;
  }
  outcome.last_hash = checker.last_hash();
  outcome.ok = true;
  return outcome;
}

int run_verify(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err) {
  const auto files = with_rotated(paths);
  const VerifyOutcome outcome = verify_chain(files);
  if (!outcome.ok) {
    err << outcome.problem << '\n';
    err << "verify: FAILED after " << outcome.records << " good records\n";
    return 1;
  }
  out << "verify: OK, " << outcome.records << " records in " << outcome.files
      << (outcome.files == 1 ? " file" : " files") << '\n';
  if (outcome.records > 0) {
    if (outcome.first_prev_hash == kGenesisHash) {
      out << "chain starts at the beginning (prev_hash 0…0)\n";
    } else {
      out << "chain continues from an earlier record not checked here: " << outcome.first_prev_hash
          << '\n';
    }
    out << "last hash: " << outcome.last_hash << '\n';
  }
  constexpr std::size_t kListed = 20;  // the rest are summed only
  std::uint64_t lost = 0;
  for (std::size_t i = 0; i < outcome.losses.size(); ++i) {
    const auto& loss = outcome.losses[i];
    lost += loss.count;
    if (i < kListed) {
      out << "announced loss at " << loss.where << ": " << loss.count << " records (" << loss.reason
          << (loss.gap ? "; the chain resumes here" : "") << ")\n";
    }
  }
  if (!outcome.losses.empty()) {
    out << "records announced lost: " << lost << " in " << outcome.losses.size()
        << " \"dropped\" records\n";
  }
  return 0;
}

}  // namespace gw::eventlog
