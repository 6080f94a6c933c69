#pragma once
// Session lengths for the report's median and p99, in bounded memory whatever the number of
// sessions: a log-linear histogram (the HdrHistogram idea). Values below 128 ms have a bucket
// each and are exact; above that each power of two is split into 128 buckets, so a quantile is
// reported as its bucket's midpoint, within 0.4% of the true value. A group holds at most a
// few thousand counters (about 21 KiB for lengths up to a day), grown only as far as its
// longest session needs.

#include <cstdint>
#include <vector>

namespace gw::eventlog {

class DurationHistogram {
 public:
  void add(std::int64_t ms);
  std::uint64_t count() const { return count_; }
  // The nearest-rank percentile (1..100): the smallest recorded value with at least
  // `percent`% of all values at or below it. 0 when empty. Integer arithmetic, so p99 of 100
  // values is the 99th, never the 100th through rounding.
  std::int64_t percentile(unsigned percent) const;

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
};

}  // namespace gw::eventlog
