#include "eventlog/duration_histogram.h"

#include <algorithm>
#include <bit>

namespace gw::eventlog {
namespace {

constexpr unsigned kSubBits = 7;
constexpr std::uint64_t kSub = 1u << kSubBits;  // 128 buckets per power of two

std::size_t bucket_of(std::uint64_t value) {
  if (value < kSub) return static_cast<std::size_t>(value);
  // Keep the top kSubBits + 1 bits: value >> shift lies in [128, 256).
  const unsigned shift = static_cast<unsigned>(std::bit_width(value)) - (kSubBits + 1);
  return static_cast<std::size_t>(kSub + shift * kSub + ((value >> shift) - kSub));
}

// The value a bucket stands for: itself when exact, else the middle of its range.
std::int64_t value_of(std::size_t bucket) {
  if (bucket < kSub) return static_cast<std::int64_t>(bucket);
  const std::uint64_t shift = (bucket - kSub) / kSub;
  const std::uint64_t low = (kSub + (bucket - kSub) % kSub) << shift;
  const std::uint64_t width = std::uint64_t{1} << shift;
  return static_cast<std::int64_t>(low + (width - 1) / 2);
}

}  // namespace

void DurationHistogram::add(std::int64_t ms) {
  const std::size_t bucket = bucket_of(ms < 0 ? 0 : static_cast<std::uint64_t>(ms));
  if (bucket >= buckets_.size()) buckets_.resize(bucket + 1);
  ++buckets_[bucket];
  ++count_;
}

std::int64_t DurationHistogram::percentile(unsigned percent) const {
  if (count_ == 0) return 0;
  const std::uint64_t rank = std::max<std::uint64_t>(1, (percent * count_ + 99) / 100);
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
    seen += buckets_[bucket];
    if (seen >= rank) return value_of(bucket);
  }
  return value_of(buckets_.size() - 1);
}

}  // namespace gw::eventlog
