// The Prometheus text format as Prometheus parses it (version 0.0.4): HELP and TYPE lines, label
// escaping, integer counts without a decimal point, and histogram buckets that are cumulative
// and end in +Inf.

#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <array>
#include <limits>

#include "metrics/histogram.h"

namespace gw::metrics {
namespace {

TEST(Exposition, ACounterHasHelpTypeAndOneSample) {
  Exposition out;
  out.counter("client_connections_accepted_total", "Client connections accepted.", 42);
  EXPECT_EQ(out.text(),
            "# HELP gracewire_client_connections_accepted_total Client connections accepted.\n"
            "# TYPE gracewire_client_connections_accepted_total counter\n"
            "gracewire_client_connections_accepted_total 42\n");
}

TEST(Exposition, AGaugeKeepsItsFraction) {
  Exposition out;
  out.gauge("lag_seconds", "Lag.", 0.25);
  EXPECT_EQ(out.text(),
            "# HELP gracewire_lag_seconds Lag.\n# TYPE gracewire_lag_seconds gauge\n"
            "gracewire_lag_seconds 0.25\n");
}

TEST(Exposition, LabelValuesAndHelpAreEscaped) {
  Exposition out;
  const std::array<LabeledValue, 2> values = {LabeledValue{"a\"b\\c\nd", 1},
                                              LabeledValue{"plain", 0}};
  out.counters("x_total", "Help with a \\ and a\nnewline.", "kind", values);
  EXPECT_EQ(out.text(),
            "# HELP gracewire_x_total Help with a \\\\ and a\\nnewline.\n"
            "# TYPE gracewire_x_total counter\n"
            "gracewire_x_total{kind=\"a\\\"b\\\\c\\nd\"} 1\n"
            "gracewire_x_total{kind=\"plain\"} 0\n");
}

TEST(Exposition, SpecialValuesAreSpelledAsPrometheusReadsThem) {
  Exposition out;
  out.gauge("a", "A.", std::numeric_limits<double>::infinity());
  out.gauge("b", "B.", std::numeric_limits<double>::quiet_NaN());
  EXPECT_NE(out.text().find("gracewire_a +Inf\n"), std::string::npos) << out.text();
  EXPECT_NE(out.text().find("gracewire_b NaN\n"), std::string::npos) << out.text();
}

TEST(Exposition, AHistogramIsCumulativeAndEndsInInf) {
  static constexpr double kBounds[] = {0.001, 0.01, 1};
  Histogram h(kBounds);
  h.observe(0.0005);
  h.observe(0.001);  // on a bound: counted in that bucket ("less than or equal")
  h.observe(0.5);
  h.observe(7);
  Exposition out;
  out.histogram("d_seconds", "D.", h);
  EXPECT_EQ(out.text(),
            "# HELP gracewire_d_seconds D.\n# TYPE gracewire_d_seconds histogram\n"
            "gracewire_d_seconds_bucket{le=\"0.001\"} 2\n"
            "gracewire_d_seconds_bucket{le=\"0.01\"} 2\n"
            "gracewire_d_seconds_bucket{le=\"1\"} 3\n"
            "gracewire_d_seconds_bucket{le=\"+Inf\"} 4\n"
            "gracewire_d_seconds_sum 7.5015\n"
            "gracewire_d_seconds_count 4\n");
}

TEST(Histogram, AnEmptyHistogramCountsNothing) {
  Histogram h(kLatencyBounds);
  const auto counts = h.cumulative_counts();
  EXPECT_EQ(counts.size(), std::size(kLatencyBounds) + 1);
  for (auto c : counts) EXPECT_EQ(c, 0u);
  EXPECT_EQ(h.count(), 0u);
}

}  // namespace
}  // namespace gw::metrics
