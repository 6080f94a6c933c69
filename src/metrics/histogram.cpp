#include "metrics/histogram.h"

#include <algorithm>

namespace gw::metrics {

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds), per_bucket_(bounds.size() + 1, 0) {}

void Histogram::observe(double seconds) {
  // The first bound not below the value: Prometheus buckets are "less than or equal".
  const auto bucket = std::ranges::lower_bound(bounds_, seconds) - bounds_.begin();
  ++per_bucket_[static_cast<std::size_t>(bucket)];
  ++count_;
  sum_ += seconds;
}

Histogram& Histogram::operator+=(const Histogram& other) {
  // Different bounds would be a programming error; adding them up would publish nonsense.
  if (!std::ranges::equal(bounds_, other.bounds_)) return *this;
  for (std::size_t i = 0; i < per_bucket_.size(); ++i) per_bucket_[i] += other.per_bucket_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  return *this;
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out(per_bucket_.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < per_bucket_.size(); ++i) {
    total += per_bucket_[i];
    out[i] = total;
  }
  return out;
}

}  // namespace gw::metrics
