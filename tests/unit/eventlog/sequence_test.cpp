// The line sequence (sequence.h): written as the last member before the seal, read back from
// the end of a line, and resumed from the newest line on disk.

#include "eventlog/sequence.h"

#include <gtest/gtest.h>

#include "eventlog/hash_chain.h"
#include "test_support.h"

namespace gw::eventlog {
namespace {

using test::TempDir;

TEST(Sequence, IsTheLastMemberBeforeTheSeal) {
  std::string line = R"({"type":"close","session":7})";
  append_sequence(line, 42);
  EXPECT_EQ(line, R"({"type":"close","session":7,"seq":42})");
  HashChain chain;
  chain.seal(line);
  EXPECT_TRUE(line.starts_with(R"({"type":"close","session":7,"seq":42,"prev_hash":")"));
  EXPECT_EQ(sequence_of(line), 42u);
}

TEST(Sequence, IsReadFromTheEndSoARecordsOwnSeqColumnDoesNotCount) {
  // A row of a table with a column named seq, in a log with sequences.
  EXPECT_EQ(sequence_of(R"({"type":"row","after":{"id":1,"seq":5},"seq":9})"), 9u);
  EXPECT_EQ(
      sequence_of(std::to_string(18446744073709551615ULL).insert(0, R"({"type":"close","seq":)") +
                  "}"),
      18446744073709551615ULL);
}

TEST(Sequence, ALineWithoutOneOrWithSomethingElseHasNone) {
  EXPECT_EQ(sequence_of(R"({"type":"close","session":7})"), std::nullopt);  // an older line
  EXPECT_EQ(sequence_of(R"({"type":"row","after":{"id":1,"seq":5}})"), std::nullopt);
  EXPECT_EQ(sequence_of(R"({"type":"close","seq":"9"})"), std::nullopt);
  EXPECT_EQ(sequence_of(R"({"type":"close","seq":-9})"), std::nullopt);
  EXPECT_EQ(sequence_of(R"({"type":"close","seq":9)"), std::nullopt);  // torn
  EXPECT_EQ(sequence_of(R"({"type":"close","seq":9x})"), std::nullopt);
  EXPECT_EQ(sequence_of(R"({"type":"close","seq":9,"hash":"00"})"), std::nullopt);
  EXPECT_EQ(sequence_of(R"({"type":"close","seq":18446744073709551616})"), std::nullopt);
  EXPECT_EQ(sequence_of(""), std::nullopt);
}

TEST(Sequence, GoesOnFromTheNewestCompleteLineOnDisk) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  EXPECT_EQ(last_sequence_on_disk(path), 0u) << "no file";
  test::write_file(path + ".1", "{\"type\":\"close\",\"seq\":6}\n{\"type\":\"close\",\"seq\":7}\n");
  EXPECT_EQ(last_sequence_on_disk(path), 7u) << "rotated, the new file not made yet";
  test::write_file(path, "");
  EXPECT_EQ(last_sequence_on_disk(path), 7u) << "rotated, the new file empty";
  test::write_file(path, "{\"type\":\"close\",\"seq\":8}\n{\"type\":\"close\",\"seq\":9");
  EXPECT_EQ(last_sequence_on_disk(path), 8u) << "a torn last line is not a record";
  test::write_file(path, "{\"text\":\"" + std::string(10000, 'x') + "\",\"seq\":8}\n");
  EXPECT_EQ(last_sequence_on_disk(path), 8u) << "a line longer than the tail read";
  test::write_file(path, "{\"type\":\"close\"}\n");
  EXPECT_EQ(last_sequence_on_disk(path), 0u) << "a log from before sequences starts again at 1";
}

}  // namespace
}  // namespace gw::eventlog
