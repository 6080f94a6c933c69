#include "config/units.h"

#include <gtest/gtest.h>

namespace gw::config {
namespace {

using std::chrono::milliseconds;

struct DurationCase {
  const char* text;
  milliseconds value;
};

class DurationGood : public ::testing::TestWithParam<DurationCase> {};

TEST_P(DurationGood, Parses) {
  const auto parsed = parse_duration(GetParam().text);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(*parsed, GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(Units, DurationGood,
                         ::testing::Values(DurationCase{"250ms", milliseconds(250)},
                                           DurationCase{"2s", milliseconds(2'000)},
                                           DurationCase{"1m", milliseconds(60'000)},
                                           DurationCase{"1h", milliseconds(3'600'000)},
                                           DurationCase{"0s", milliseconds(0)},
                                           DurationCase{"30 s", milliseconds(30'000)}));

struct BadCase {
  const char* text;
  const char* problem_contains;
};

class DurationBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(DurationBad, ExplainsWhy) {
  const auto parsed = parse_duration(GetParam().text);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find(GetParam().problem_contains), std::string::npos) << parsed.error();
}

INSTANTIATE_TEST_SUITE_P(
    Units, DurationBad,
    ::testing::Values(BadCase{"", "expected a duration like"}, BadCase{"s", "expected a duration"},
                      BadCase{"30", "missing unit"}, BadCase{"2sec", "unknown unit \"sec\""},
                      BadCase{"1.5s", "whole numbers only"}, BadCase{"-1s", "cannot be negative"},
                      BadCase{"99999999999999999999ms", "too large"},
                      BadCase{"9999999999999999h", "too large"}));

struct SizeCase {
  const char* text;
  std::uint64_t value;
};

class SizeGood : public ::testing::TestWithParam<SizeCase> {};

TEST_P(SizeGood, Parses) {
  const auto parsed = parse_size(GetParam().text);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(*parsed, GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(Units, SizeGood,
                         ::testing::Values(SizeCase{"512B", 512}, SizeCase{"64KiB", 65'536},
                                           SizeCase{"16MiB", 16ULL << 20},
                                           SizeCase{"1GiB", 1ULL << 30}, SizeCase{"0B", 0}));

class SizeBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(SizeBad, ExplainsWhy) {
  const auto parsed = parse_size(GetParam().text);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find(GetParam().problem_contains), std::string::npos) << parsed.error();
}

INSTANTIATE_TEST_SUITE_P(Units, SizeBad,
                         ::testing::Values(BadCase{"", "expected a size like \"64KiB\""},
                                           BadCase{"KiB", "expected a size like"},
                                           BadCase{"65536", "missing unit"},
                                           BadCase{"64KB", "unknown unit \"KB\""},
                                           BadCase{"64kib", "unknown unit"},
                                           BadCase{"1.5MiB", "whole numbers only"},
                                           BadCase{"-1KiB", "cannot be negative"},
                                           BadCase{"17179869184GiB", "too large"}));

TEST(Units, FormatPicksTheLargestExactUnitAndRoundTrips) {
  EXPECT_EQ(format_size(65'536), "64KiB");
  EXPECT_EQ(format_size(1'000), "1000B");
  EXPECT_EQ(format_size(3ULL << 30), "3GiB");
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_duration(milliseconds(2'000)), "2s");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(120'000)), "2m");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(0)), "0ms");
  for (std::uint64_t size : {1ULL, 1'024ULL, 1'536ULL, 5ULL << 20}) {
    EXPECT_EQ(parse_size(format_size(size)), size);
  }
}

}  // namespace
}  // namespace gw::config
