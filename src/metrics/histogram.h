#pragma once
// A Prometheus histogram with fixed bucket bounds, kept by the one thread that observes it (an
// event loop; a scrape copies it on that same thread, then adds the loops' copies up): plain
// integers, nothing shared.

#include <cstdint>
#include <span>
#include <vector>

namespace gw::metrics {

// Upper bounds in seconds for latencies from a fraction of a millisecond (a point select on a
// local server) to minutes (a report, a long transaction's commit).
inline constexpr double kLatencyBounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                            1,      2.5,     5,      10,    30,     60};
// Upper bounds in seconds for session lifetimes, from a connect-query-quit to a day.
inline constexpr double kLifetimeBounds[] = {0.001, 0.01, 0.1,  1,     10,   60,
                                             300,   900,  3600, 14400, 86400};

class Histogram {
 public:
  // `bounds`, ascending, must outlive the histogram (the constants above).
  explicit Histogram(std::span<const double> bounds);

  void observe(double seconds);
  // Adds another loop's observations; both must have the same bounds.
  Histogram& operator+=(const Histogram& other);

  std::span<const double> bounds() const { return bounds_; }
  // Observations at or below bounds()[i]; one more entry, the last, counts all (+Inf).
  std::vector<std::uint64_t> cumulative_counts() const;
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::span<const double> bounds_;
  std::vector<std::uint64_t> per_bucket_;  // not cumulative; the last is above every bound
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace gw::metrics
