// The publisher's memory across restarts: the progress file beside an event log, and the
// backlog read back from the log's files (rotated ones included) after that point.

#include "publish/backlog.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "../eventlog/test_support.h"
#include "eventlog/rotated_files.h"
#include "eventlog/sequence.h"
#include "eventlog/writer.h"
#include "publish/progress.h"

namespace gw::publish {
namespace {

using eventlog::test::TempDir;
using eventlog::test::write_file;

struct Seen {
  std::vector<std::uint64_t> sequences;
  std::vector<std::string> types;
};

Seen backlog_of(const std::string& path, std::uint64_t after, BacklogScan* scan_out = nullptr) {
  Seen seen;
  auto scan = read_backlog(path, after, [&](const BacklogLine& line) {
    seen.sequences.push_back(line.sequence);
    seen.types.emplace_back(line.type);
    EXPECT_EQ(eventlog::sequence_of(line.line), line.sequence);
  });
  EXPECT_TRUE(scan) << scan.error();
  if (scan && scan_out != nullptr) *scan_out = *scan;
  return seen;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (auto s = first; s <= last; ++s) out.push_back(s);
  return out;
}

// 60 close records written by a real event log that rotates every few records.
std::string rotated_log(const TempDir& dir) {
  const std::string path = dir.file("events.log");
  auto log = eventlog::EventLog::open(
      {.path = path, .rotate_bytes = 2000, .rotate_keep = 100, .hash_chain = true});
  EXPECT_TRUE(log);
  for (std::uint64_t s = 0; s < 60; ++s) (*log)->submit(eventlog::test::close_record(s));
  (*log)->close();
  EXPECT_GT(eventlog::with_rotated({path}).size(), 3u);
  return path;
}

TEST(Backlog, StartsRightAfterThePointAcrossRotatedFiles) {
  TempDir dir;
  const std::string path = rotated_log(dir);
  BacklogScan scan;
  const Seen seen = backlog_of(path, 7, &scan);
  EXPECT_EQ(seen.sequences, range(8, 60));
  EXPECT_EQ(seen.types, std::vector<std::string>(53, "close"));
  EXPECT_EQ(scan.lines, 53u);
  EXPECT_EQ(scan.first_found_after_gap, 0u);
  EXPECT_EQ(backlog_of(path, 60).sequences, std::vector<std::uint64_t>{}) << "all published";
  EXPECT_EQ(backlog_of(path, 0).sequences, range(1, 60)) << "from the first line ever";
}

TEST(Backlog, NamesTheLinesThatAreNoLongerOnDisk) {
  TempDir dir;
  const std::string path = rotated_log(dir);
  const auto files = eventlog::with_rotated({path});
  std::filesystem::remove(files[0]);  // the oldest, as rotate_keep would
  BacklogScan scan;
  const Seen seen = backlog_of(path, 0, &scan);
  ASSERT_FALSE(seen.sequences.empty());
  EXPECT_GT(seen.sequences.front(), 1u);
  EXPECT_EQ(scan.first_found_after_gap, seen.sequences.front());
  EXPECT_EQ(seen.sequences.back(), 60u);
}

TEST(Backlog, SkipsAndCountsLinesThatAreNotOurRecords) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  write_file(path,
             "{\"type\":\"close\",\"seq\":1}\n"
             "{\"type\":\"close\",\"seq\":2}\n"
             "not json at all\n"
             "{\"type\":\"close\"}\n"    // no sequence
             "{\"seq\":3}\n"             // not ours: no member before it
             "{\"type\":7,\"seq\":4}\n"  // a type that is no string
             "{\"type\":\"command\",\"seq\":5}\n"
             "{\"type\":\"close\",\"seq\":6");  // torn: a crash mid-write
  BacklogScan scan;
  const Seen seen = backlog_of(path, 1, &scan);
  EXPECT_EQ(seen.sequences, (std::vector<std::uint64_t>{2, 5}));
  EXPECT_EQ(seen.types, (std::vector<std::string>{"close", "command"}));
  EXPECT_EQ(scan.skipped, 5u);
}

TEST(Backlog, AMissingLogIsAnError) {
  TempDir dir;
  auto scan = read_backlog(dir.file("gone.log"), 0, [](const BacklogLine&) {});
  ASSERT_FALSE(scan);
  EXPECT_NE(scan.error().find("gone.log"), std::string::npos) << scan.error();
}

TEST(Progress, IsWrittenAndReadBack) {
  TempDir dir;
  const std::string path = progress_path(dir.file("events.log"));
  EXPECT_EQ(path, dir.file("events.log.published"));
  auto none = read_progress(path);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, std::nullopt) << "publishing starts with this log";
  const PublishedUpTo value{.lineage = 1764763200000000, .sequence = 1234};
  ASSERT_TRUE(write_progress(path, value));
  EXPECT_EQ(eventlog::test::read_file(path), "{\"lineage\":1764763200000000,\"seq\":1234}\n");
  auto read = read_progress(path);
  ASSERT_TRUE(read && *read);
  EXPECT_EQ(**read, value);
  EXPECT_FALSE(std::filesystem::exists(path + ".new"));
}

TEST(Progress, AFileWeDidNotWriteIsAClearError) {
  TempDir dir;
  const std::string path = dir.file("events.log.published");
  for (const std::string& text : std::vector<std::string>{
           "", "garbage", "{\"lineage\":1}", "{\"seq\":5}", "{\"lineage\":0,\"seq\":5}",
           "{\"lineage\":1,\"seq\":-5}", "{\"lineage\":\"1\",\"seq\":5}",
           "{\"lineage\":1,\"seq\":5}" + std::string(300, ' ')}) {
    write_file(path, text);
    auto read = read_progress(path);
    ASSERT_FALSE(read) << text;
    EXPECT_NE(read.error().find(path), std::string::npos) << read.error();
  }
}

TEST(Progress, AnUnwritableDirectoryIsAClearError) {
  TempDir dir;
  auto written = write_progress(dir.file("no/such/dir/events.log.published"), {1, 1});
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().find("No such file or directory"), std::string::npos)
      << written.error();
}

}  // namespace
}  // namespace gw::publish
