// gracewire verify: an intact chain passes; any edit, removal, insertion or cut is named by
// file and line.

#include "eventlog/verify.h"

#include <gtest/gtest.h>

#include <sstream>

#include "eventlog/hash_chain.h"
#include "eventlog/json.h"
#include "eventlog/line_reader.h"
#include "eventlog/report.h"
#include "test_support.h"

namespace gw::eventlog {
namespace {

using test::read_lines;
using test::TempDir;
using test::write_file;

// `count` sealed close records, one per line, continuing from `chain`.
std::vector<std::string> sealed_lines(HashChain& chain, int count, int first_session = 0) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    CloseRecord record;
    record.common.session =
        static_cast<std::uint64_t>(first_session) + static_cast<std::uint64_t>(i);
    record.close_kind = "com_quit";
    std::string line = to_json(record);
    chain.seal(line);
    lines.push_back(line);
  }
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

TEST(HashChain, SealAddsPrevHashAndHashOverTheExactBytes) {
  HashChain chain;
  std::string line = R"({"type":"reset"})";
  chain.seal(line);
  const std::string genesis(kGenesisHash);
  const std::string body = R"({"type":"reset","prev_hash":")" + genesis + "\"}";
  Sha256 sha;
  const std::string hash = sha.hex(genesis, body, "");
  EXPECT_EQ(line, body.substr(0, body.size() - 1) + ",\"hash\":\"" + hash + "\"}");
  EXPECT_EQ(chain.last_hash(), hash);
  // SHA-256("abc"), FIPS 180-2.
  EXPECT_EQ(sha.hex("a", "b", "c"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Verify, AnIntactChainPasses) {
  TempDir dir;
  HashChain chain;
  write_file(dir.file("events.log"), joined(sealed_lines(chain, 5)));
  const auto outcome = verify_chain({dir.file("events.log")});
  EXPECT_TRUE(outcome.ok) << outcome.problem;
  EXPECT_EQ(outcome.records, 5u);
  EXPECT_EQ(outcome.last_hash, chain.last_hash());
  EXPECT_EQ(outcome.first_prev_hash, std::string(kGenesisHash));
}

TEST(Verify, AnEditedLineIsNamed) {
  TempDir dir;
  HashChain chain;
  auto lines = sealed_lines(chain, 5);
  const auto at = lines[2].find("com_quit");
  lines[2].replace(at, 8, "rst_quit");  // same length, still valid JSON
  write_file(dir.file("events.log"), joined(lines));
  const auto outcome = verify_chain({dir.file("events.log")});
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.problem,
            dir.file("events.log") + ":3: hash does not match the line (the line was changed)");
  EXPECT_EQ(outcome.records, 2u);
}

TEST(Verify, ARemovedLineIsNamedAtTheLineAfterIt) {
  TempDir dir;
  HashChain chain;
  auto lines = sealed_lines(chain, 5);
  lines.erase(lines.begin() + 1);
  write_file(dir.file("events.log"), joined(lines));
  const auto outcome = verify_chain({dir.file("events.log")});
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.problem, dir.file("events.log") +
                                 ":2: prev_hash is not the previous record's hash (a record was "
                                 "removed, inserted or moved before this line)");
}

TEST(Verify, AnUnsealedOrBlankOrTornLineIsNamed) {
  TempDir dir;
  HashChain chain;
  auto lines = sealed_lines(chain, 3);
  auto unsealed = lines;
  unsealed[1] = R"({"type":"close"})";
  write_file(dir.file("a.log"), joined(unsealed));
  EXPECT_EQ(verify_chain({dir.file("a.log")}).problem,
            dir.file("a.log") + ":2: no hash at the end of the line (was hash_chain on?)");

  auto blank = lines;
  blank.insert(blank.begin() + 2, "");
  write_file(dir.file("b.log"), joined(blank));
  EXPECT_EQ(verify_chain({dir.file("b.log")}).problem, dir.file("b.log") + ":3: empty line");

  write_file(dir.file("c.log"), joined(lines) + lines[0].substr(0, 20));
  EXPECT_EQ(verify_chain({dir.file("c.log")}).problem,
            dir.file("c.log") + ":4: the file ends in an incomplete line (a write was cut short)");
}

TEST(Verify, TheChainRunsAcrossFilesInOrder) {
  TempDir dir;
  HashChain chain;
  const auto older = sealed_lines(chain, 3, 0);
  const auto newer = sealed_lines(chain, 3, 3);
  write_file(dir.file("events.log.1"), joined(older));
  write_file(dir.file("events.log"), joined(newer));
  EXPECT_TRUE(verify_chain({dir.file("events.log.1"), dir.file("events.log")}).ok);

  const auto swapped = verify_chain({dir.file("events.log"), dir.file("events.log.1")});
  EXPECT_FALSE(swapped.ok);
  EXPECT_EQ(swapped.problem, dir.file("events.log.1") +
                                 ":1: prev_hash does not continue the last record of " +
                                 dir.file("events.log"));

  // The newest file alone continues a chain whose start is not there: accepted, and said.
  const auto alone = verify_chain({dir.file("events.log")});
  EXPECT_TRUE(alone.ok);
  EXPECT_NE(alone.first_prev_hash, std::string(kGenesisHash));
}

TEST(Verify, RunVerifyFindsRotatedFilesAndSetsTheExitCode) {
  TempDir dir;
  HashChain chain;
  write_file(dir.file("events.log.2"), joined(sealed_lines(chain, 2, 0)));
  write_file(dir.file("events.log.1"), joined(sealed_lines(chain, 2, 2)));
  write_file(dir.file("events.log"), joined(sealed_lines(chain, 2, 4)));
  std::ostringstream out, err;
  EXPECT_EQ(run_verify({dir.file("events.log")}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("verify: OK, 6 records in 3 files"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("last hash: " + chain.last_hash()), std::string::npos);

  auto lines = read_lines(dir.file("events.log.1"));
  lines[1][lines[1].find("\"session\":3") + 10] = '9';
  write_file(dir.file("events.log.1"), joined(lines));
  std::ostringstream out2, err2;
  EXPECT_EQ(run_verify({dir.file("events.log")}, out2, err2), 1);
  EXPECT_EQ(err2.str().rfind(dir.file("events.log.1") + ":2: hash does not match", 0), 0u)
      << err2.str();

  std::ostringstream out3, err3;
  EXPECT_EQ(run_verify({dir.file("missing.log")}, out3, err3), 1);
  EXPECT_NE(err3.str().find("cannot open"), std::string::npos);
}

// A "dropped" record sealed the way the writer seals it.
std::string sealed_notice(HashChain& chain, std::string_view reason,
                          std::string_view last_written_hash) {
  DroppedNotice notice{.count = 2, .reason = reason, .last_written_hash = last_written_hash};
  std::string line;
  append_json(line, notice);
  chain.seal(line);
  return line;
}

TEST(Verify, OnlyAWriteFailureNoticeThatNamesTheLineBeforeItMayBreakTheChain) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  HashChain chain;
  auto lines = sealed_lines(chain, 2, 0);
  const std::string written = chain.last_hash();
  sealed_lines(chain, 2, 2);  // sealed, then lost
  lines.push_back(sealed_notice(chain, "write_failed", written));
  for (const auto& line : sealed_lines(chain, 2, 4)) lines.push_back(line);
  write_file(path, joined(lines));
  const auto outcome = verify_chain({path});
  ASSERT_TRUE(outcome.ok) << outcome.problem;
  ASSERT_EQ(outcome.losses.size(), 1u);
  EXPECT_EQ(outcome.losses[0].where, path + ":3");
  EXPECT_TRUE(outcome.losses[0].gap);

  // The same break behind a queue_full notice (those records were never sealed): tampering.
  HashChain other;
  auto queue_full = sealed_lines(other, 2, 0);
  sealed_lines(other, 1, 2);
  queue_full.push_back(sealed_notice(other, "queue_full", ""));
  write_file(path, joined(queue_full));
  EXPECT_EQ(verify_chain({path}).problem,
            path +
                ":3: prev_hash is not the previous record's hash (a record was removed, "
                "inserted or moved before this line)");

  // A write_failed notice that does not start where the file left off: a record was removed.
  auto removed = lines;
  removed.erase(removed.begin() + 1);
  write_file(path, joined(removed));
  EXPECT_EQ(verify_chain({path}).problem,
            path +
                ":2: an announced loss whose last_written_hash is not the previous record's "
                "hash (a record was removed before it)");
}

TEST(Verify, AnOverlongLineIsNamedWithoutBeingHeld) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  HashChain chain;
  const auto lines = sealed_lines(chain, 2);
  const std::string huge(LineReader::kMaxLineBytes + 4096, 'x');
  write_file(path, lines[0] + "\n" + huge + "\n" + lines[1] + "\n");
  EXPECT_EQ(verify_chain({path}).problem,
            path + ":2: line longer than 16 MiB (not a line gracewire writes); not read");

  auto reader = LineReader::open(path, 1000);
  ASSERT_TRUE(reader);
  ASSERT_TRUE(reader->next());
  EXPECT_FALSE(reader->too_long());
  ASSERT_TRUE(reader->next());
  EXPECT_TRUE(reader->too_long());
  EXPECT_EQ(reader->line_number(), 2u);
  const auto third = reader->next();
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, lines[1]);
  EXPECT_EQ(reader->line_number(), 3u);
  EXPECT_FALSE(reader->next());

  // A line over the limit but inside one block is refused the same way.
  write_file(path, std::string(2000, 'y') + "\nshort\n");
  auto small = LineReader::open(path, 1000);
  ASSERT_TRUE(small);
  ASSERT_TRUE(small->next());
  EXPECT_TRUE(small->too_long());
  EXPECT_EQ(small->next(), "short");
  EXPECT_FALSE(small->too_long());

  write_file(path, lines[0] + "\n" + huge + "\n" + lines[1] + "\n");
  auto whole = LineReader::open(path);
  ASSERT_TRUE(whole);
  while (whole->next()) {
  }
  EXPECT_LE(whole->buffer_bytes(), LineReader::kMaxLineBytes + 1);

  std::ostringstream out, err;
  EXPECT_EQ(run_report({path}, ReportBy::Program, false, out, err), 0);
  EXPECT_EQ(
      err.str(),
      "report: " + path + ":2: line longer than 16 MiB (not a record gracewire writes); skipped\n");
}

}  // namespace
}  // namespace gw::eventlog
