// The checkpoint file: round trip, the file as hostile input, atomic replacement, and the
// writer thread's latest-wins mailbox and bounded stop.

#include "binlog/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "binlog/checkpoint_writer.h"

namespace gw::binlog {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class CheckpointFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("gracewire_checkpoint_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path() const { return (dir_ / "binlog.checkpoint").string(); }
  void put(const std::string& content, const std::string& name = "binlog.checkpoint") const {
    std::ofstream out(dir_ / name, std::ios::binary | std::ios::trunc);
    out << content;
  }
  std::string error_of(const std::string& content) const {
    put(content);
    const auto read = read_checkpoint(path());
    EXPECT_FALSE(read) << content;
    return read ? std::string() : read.error();
  }

  fs::path dir_;
};

// The checkpoint read from `path`, failing the test on an error.
std::optional<Checkpoint> read_ok(const std::string& path) {
  auto read = read_checkpoint(path);
  EXPECT_TRUE(read) << read.error();
  return read ? *read : std::nullopt;
}

Checkpoint sample() {
  return Checkpoint{
      .gtid = {{.domain = 0, .server_id = 1, .sequence = 42},
               {.domain = 1, .server_id = 1, .sequence = 7}},
      .binlog_file = "binlog.000003",
      .binlog_pos = 1234,
      .server_id = 1,
      .written_at = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 10h + 123456us,
      .open = std::nullopt};
}

TEST(CheckpointFormat, IsOneJsonLineInTheDocumentedShape) {
  EXPECT_EQ(format_checkpoint(sample()),
            R"({"gtid":"0-1-42,1-1-7","binlog_file":"binlog.000003","binlog_pos":1234,)"
            R"("server_id":1,"written_at":"2026-12-01T10:00:00.123456Z"})");
}

TEST(CheckpointFormat, AStopInsideATransactionKeepsTheLastRecordsKey) {
  Checkpoint checkpoint = sample();
  checkpoint.open = Checkpoint::Open{{.domain = 0, .server_id = 1, .sequence = 43}, 17, 250};
  const std::string line = format_checkpoint(checkpoint);
  EXPECT_NE(line.find(R"("open_gtid":"0-1-43","open_event_index":17,"open_row_index":250})"),
            std::string::npos)
      << line;
  auto parsed = parse_checkpoint(line);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(*parsed, checkpoint);
  // The three go together.
  const std::string without_row = line.substr(0, line.find(R"(,"open_row_index")")) + "}";
  EXPECT_FALSE(parse_checkpoint(without_row));
  std::string bad_gtid = line;
  bad_gtid.replace(bad_gtid.find("0-1-43"), 6, "0-1-x3");
  EXPECT_FALSE(parse_checkpoint(bad_gtid));
}

TEST_F(CheckpointFile, RoundTrip) {
  ASSERT_TRUE(write_checkpoint(path(), sample()));
  const auto read = read_checkpoint(path());
  ASSERT_TRUE(read) << read.error();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ(**read, sample());
  EXPECT_FALSE(fs::exists(path() + ".tmp"));

  // Extremes of every field survive too.
  Checkpoint wide{.gtid = {{.domain = 4294967295,
                            .server_id = 4294967295,
                            .sequence = 18446744073709551615ULL}},
                  .binlog_file = std::string(255, 'f'),
                  .binlog_pos = 18446744073709551615ULL,
                  .server_id = 4294967295,
                  .written_at = std::chrono::sys_days{std::chrono::year{2100} / 2 / 28} + 23h +
                                59min + 59s + 999999us,
                  .open = std::nullopt};
  ASSERT_TRUE(write_checkpoint(path(), wide));
  EXPECT_EQ(read_ok(path()), wide);

  // A file name with characters JSON must escape.
  wide.binlog_file = "odd\"name\\.000001";
  wide.gtid.clear();
  ASSERT_TRUE(write_checkpoint(path(), wide));
  EXPECT_EQ(read_ok(path()), wide);
}

TEST_F(CheckpointFile, GtidOnlyAndFileOnlyAreBothAccepted) {
  put(R"({"gtid":"0-1-5","binlog_file":"","binlog_pos":0,"server_id":3,)"
      R"("written_at":"2026-01-01T00:00:00.000000Z"})");
  const auto gtid_only = read_checkpoint(path());
  ASSERT_TRUE(gtid_only) << gtid_only.error();
  EXPECT_EQ((*gtid_only)->gtid.size(), 1u);
  put(R"({"gtid":"","binlog_file":"b.000001","binlog_pos":4,"server_id":3,)"
      R"("written_at":"2026-01-01T00:00:00.000000Z"})"
      "\n");
  const auto file_only = read_checkpoint(path());
  ASSERT_TRUE(file_only) << file_only.error();
  EXPECT_EQ((*file_only)->binlog_pos, 4u);
}

TEST_F(CheckpointFile, AMissingFileIsNoCheckpoint) {
  const auto read = read_checkpoint(path());
  ASSERT_TRUE(read) << read.error();
  EXPECT_FALSE(read->has_value());
}

TEST_F(CheckpointFile, ALeftoverTmpNeverHidesTheRealFile) {
  ASSERT_TRUE(write_checkpoint(path(), sample()));
  put("{\"gtid\":\"0-1-9", "binlog.checkpoint.tmp");  // a crash mid-write of the next one
  EXPECT_EQ(read_ok(path()), sample());
  // The next write replaces the leftover.
  auto next = sample();
  next.binlog_pos = 5000;
  ASSERT_TRUE(write_checkpoint(path(), next));
  EXPECT_EQ(read_ok(path()), next);
  EXPECT_FALSE(fs::exists(path() + ".tmp"));
  // And a leftover with no real file is not taken for one.
  fs::remove(path());
  put("{}", "binlog.checkpoint.tmp");
  EXPECT_EQ(read_ok(path()), std::nullopt);
}

TEST_F(CheckpointFile, AFailedWriteLeavesTheOldFile) {
  ASSERT_TRUE(write_checkpoint(path(), sample()));
  // A directory where the temporary file goes: the write fails before touching the real file
  // (and does so for root too, unlike a read-only directory).
  fs::create_directory(path() + ".tmp");
  auto next = sample();
  next.binlog_pos = 9999;
  const auto written = write_checkpoint(path(), next);
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().find("checkpoint file " + path() + ": cannot create " + path() +
                                 ".tmp: Is a directory"),
            std::string::npos)
      << written.error();
  EXPECT_EQ(read_ok(path()), sample());
}

TEST_F(CheckpointFile, AMissingDirectoryIsAClearWriteError) {
  const auto written = write_checkpoint((dir_ / "no" / "such" / "file").string(), sample());
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().find("cannot create"), std::string::npos) << written.error();
}

TEST_F(CheckpointFile, OversizedFilesAreRefusedUnread) {
  const std::string valid = format_checkpoint(sample());
  // Valid JSON padded with spaces past the limit: refused for its size alone.
  const std::string padded = valid + std::string(kMaxCheckpointFile - valid.size() + 1, ' ');
  const auto error = error_of(padded);
  EXPECT_NE(error.find(path()), std::string::npos) << error;
  EXPECT_NE(error.find("at most 64KiB"), std::string::npos) << error;
  // Exactly at the limit is read (and then parsed on its merits).
  const std::string at_limit = valid + std::string(kMaxCheckpointFile - valid.size(), ' ');
  put(at_limit);
  EXPECT_TRUE(read_checkpoint(path()));
}

TEST_F(CheckpointFile, ADirectoryOrFifoAtThePathIsRefusedWithoutHanging) {
  fs::create_directory(path());
  EXPECT_NE(read_checkpoint(path()).error().find("not a regular file"), std::string::npos);
  fs::remove(path());
  ASSERT_EQ(::mkfifo(path().c_str(), 0600), 0);
  const auto read = read_checkpoint(path());
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().find("not a regular file"), std::string::npos) << read.error();
}

TEST_F(CheckpointFile, EveryStrictPrefixIsACutShortError) {
  const std::string line = format_checkpoint(sample());
  for (std::size_t n = 0; n < line.size(); ++n) {
    const auto error = error_of(line.substr(0, n));
    EXPECT_EQ(error.rfind("checkpoint file " + path() + ": ", 0), 0u) << n << ": " << error;
  }
}

struct Hostile {
  std::string content;
  std::string problem_contains;
};

class CheckpointHostile : public CheckpointFile, public ::testing::WithParamInterface<Hostile> {};

TEST_P(CheckpointHostile, IsAClearErrorNamingTheFile) {
  const auto error = error_of(GetParam().content);
  EXPECT_EQ(error.rfind("checkpoint file " + path() + ": ", 0), 0u) << error;
  EXPECT_NE(error.find(GetParam().problem_contains), std::string::npos) << error;
}

// The valid line with one member's text replaced.
std::string with(const std::string& from, const std::string& to) {
  std::string line = format_checkpoint(sample());
  const auto at = line.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return line.replace(at, from.size(), to);
}

INSTANTIATE_TEST_SUITE_P(
    Checkpoint, CheckpointHostile,
    ::testing::Values(
        Hostile{"", "empty"}, Hostile{"\n", "empty"}, Hostile{"null", "not one JSON object"},
        Hostile{"[]", "not one JSON object"}, Hostile{"{}", "\"gtid\" is missing"},
        Hostile{std::string("\0\0\0\0", 4), "not one JSON object"},
        Hostile{format_checkpoint(sample()) + "\n" + format_checkpoint(sample()),
                "more than one line"},
        Hostile{format_checkpoint(sample()) + "x", "not one JSON object"},
        Hostile{with(R"("server_id":1,)", ""), "\"server_id\" is missing"},
        Hostile{with(R"("server_id":1)", R"("server_id":1,"server_id":2)"), "appears twice"},
        Hostile{with(R"("server_id":1)", R"("server_id":1,"extra":true)"),
                "unknown member \"extra\""},
        Hostile{with(R"("server_id":1)", R"("server_id":4294967296)"), "\"server_id\" is not"},
        Hostile{with(R"("server_id":1)", R"("server_id":-1)"), "\"server_id\" is not"},
        Hostile{with(R"("server_id":1)", R"("server_id":"1")"), "\"server_id\" is not"},
        Hostile{with(R"("server_id":1)", R"("server_id":1.0)"), "\"server_id\" is not"},
        Hostile{with(R"("server_id":1)", R"("server_id":01)"), "\"server_id\" is not"},
        Hostile{with(R"("binlog_pos":1234)", R"("binlog_pos":18446744073709551616)"),
                "\"binlog_pos\" is not"},
        Hostile{with(R"("binlog_pos":1234)", R"("binlog_pos":3)"), "before the first event"},
        Hostile{with(R"("binlog_file":"binlog.000003")", R"("binlog_file":"../etc/passwd")"),
                "not a binlog file name"},
        Hostile{with(R"("binlog_file":"binlog.000003")", R"("binlog_file":"a\u0000b")"),
                "not a binlog file name"},
        Hostile{with(R"("binlog_file":"binlog.000003")",
                     "\"binlog_file\":\"" + std::string(256, 'f') + "\""),
                "not a binlog file name"},
        Hostile{with(R"("binlog_file":"binlog.000003")", R"("binlog_file":"")"),
                "without a binlog_file"},
        Hostile{with(R"("gtid":"0-1-42,1-1-7")", R"("gtid":"0-1-42,0-1-43")"), "not a GTID list"},
        Hostile{with(R"("gtid":"0-1-42,1-1-7")", R"("gtid":"0-1-42, 1-1-7")"), "not a GTID list"},
        Hostile{with(R"("gtid":"0-1-42,1-1-7")", R"("gtid":42)"), "\"gtid\" is not a string"},
        Hostile{with("2026-12-01T10:00:00.123456Z", "2026-02-30T10:00:00.123456Z"),
                "\"written_at\" is not"},
        Hostile{with("2026-12-01T10:00:00.123456Z", "2026-12-01T24:00:00.123456Z"),
                "\"written_at\" is not"},
        Hostile{with("2026-12-01T10:00:00.123456Z", "2026-12-01T10:00:00Z"),
                "\"written_at\" is not"},
        Hostile{R"({"gtid":"","binlog_file":"","binlog_pos":0,"server_id":1,)"
                R"("written_at":"2026-12-01T10:00:00.000000Z"})",
                "neither a GTID position nor a binlog file position"}));

// A disk that the test controls: each write is recorded, and writes wait while it is held.
class FakeDisk {
 public:
  CheckpointWriter::WriteFn writer() {
    return [this](const std::string&, const Checkpoint& checkpoint) {
      std::unique_lock lock(mutex_);
      positions_.push_back(checkpoint.binlog_pos);
      changed_.notify_all();
      changed_.wait(lock, [&] { return !held_; });
      if (fail_) return std::expected<void, std::string>(std::unexpected("disk full"));
      return std::expected<void, std::string>();
    };
  }
  void hold() {
    set([&] { held_ = true; });
  }
  void release() {
    set([&] { held_ = false; });
  }
  void fail() {
    set([&] { fail_ = true; });
  }
  // Waits until `count` writes have begun.
  void wait_for_writes(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return positions_.size() >= count; });
  }
  std::vector<std::uint64_t> positions() {
    std::lock_guard lock(mutex_);
    return positions_;
  }

 private:
  template <typename F>
  void set(F change) {
    {
      std::lock_guard lock(mutex_);
      change();
    }
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  bool fail_ = false;
  std::vector<std::uint64_t> positions_;
};

Checkpoint at(std::uint64_t pos) {
  auto checkpoint = sample();
  checkpoint.binlog_pos = pos;
  return checkpoint;
}

TEST(CheckpointWriterTest, LatestWinsWhileTheDiskIsBusy) {
  FakeDisk disk;
  CheckpointWriter writer("unused", disk.writer());
  disk.hold();
  writer.offer(at(100));
  disk.wait_for_writes(1);  // the thread is inside the first write, which waits
  writer.offer(at(200));    // these return at once although the disk is held
  writer.offer(at(300));
  writer.offer(at(400));
  disk.release();
  ASSERT_TRUE(writer.stop(5s));
  EXPECT_EQ(disk.positions(), (std::vector<std::uint64_t>{100, 400}));
  const auto stats = writer.stats();
  EXPECT_EQ(stats.offered, 4u);
  EXPECT_EQ(stats.superseded, 2u);
  EXPECT_EQ(stats.written, 2u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(writer.last_error(), std::nullopt);
  writer.offer(at(500));  // after stop: ignored
  EXPECT_EQ(writer.stats().offered, 4u);
}

TEST(CheckpointWriterTest, StopWritesTheLastOfferNotYetTaken) {
  FakeDisk disk;
  CheckpointWriter writer("unused", disk.writer());
  disk.hold();
  writer.offer(at(100));
  disk.wait_for_writes(1);
  writer.offer(at(200));
  disk.release();
  ASSERT_TRUE(writer.stop(5s));
  EXPECT_EQ(disk.positions().back(), 200u);
}

TEST(CheckpointWriterTest, FailuresAreCountedAndReported) {
  FakeDisk disk;
  disk.fail();
  CheckpointWriter writer("unused", disk.writer());
  writer.offer(at(100));
  const auto stopped = writer.stop(5s);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error(), "disk full");
  EXPECT_EQ(writer.last_error(), "disk full");
  EXPECT_EQ(writer.stats().failed, 1u);
  EXPECT_EQ(writer.stats().written, 0u);
  EXPECT_FALSE(writer.stop(5s));  // idempotent, same answer
}

TEST(CheckpointWriterTest, AHungDiskIsAbandonedWithinTheBound) {
  // Shared with the abandoned thread, which finishes once the test releases the disk.
  auto disk = std::make_shared<FakeDisk>();
  auto writer = std::make_unique<CheckpointWriter>(
      "/var/lib/gw/binlog.checkpoint",
      [disk, write = disk->writer()](const std::string& p, const Checkpoint& c) {
        return write(p, c);
      });
  disk->hold();
  writer->offer(at(100));
  disk->wait_for_writes(1);
  const auto started = std::chrono::steady_clock::now();
  const auto stopped = writer->stop(50ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  ASSERT_FALSE(stopped);
  EXPECT_NE(stopped.error().find("/var/lib/gw/binlog.checkpoint"), std::string::npos);
  EXPECT_NE(stopped.error().find("not written within 50ms"), std::string::npos) << stopped.error();
  writer.reset();   // destroying it does not wait either
  disk->release();  // let the detached thread end
}

TEST_F(CheckpointFile, TheWriterWritesTheRealFile) {
  {
    CheckpointWriter writer(path());
    writer.offer(at(4));
    writer.offer(at(8));
    ASSERT_TRUE(writer.stop(5s));
    EXPECT_GE(writer.stats().written, 1u);
  }
  EXPECT_EQ(read_ok(path()), at(8));
}

}  // namespace
}  // namespace gw::binlog
