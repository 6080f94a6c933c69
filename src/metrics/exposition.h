#pragma once
// The Prometheus text exposition format (version 0.0.4), written family by family. Every
// metric name gets the "gracewire_" prefix here, once; callers name what they count in
// Prometheus's conventions: a counter ends in "_total", units are base units ("_seconds",
// "_bytes").
//
//   # HELP gracewire_client_connections_accepted_total Client connections accepted.
//   # TYPE gracewire_client_connections_accepted_total counter
//   gracewire_client_connections_accepted_total 42

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "metrics/histogram.h"

namespace gw::metrics {

inline constexpr std::string_view kPrefix = "gracewire_";
// The content type a scrape is answered with.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

struct LabeledValue {
  std::string_view label;  // the label's value
  double value;
};

class Exposition {
 public:
  void counter(std::string_view name, std::string_view help, double value);
  void gauge(std::string_view name, std::string_view help, double value);
  // One family with one label (`label_name`), one sample per value, in the given order.
  void counters(std::string_view name, std::string_view help, std::string_view label_name,
                std::span<const LabeledValue> values);
  void gauges(std::string_view name, std::string_view help, std::string_view label_name,
              std::span<const LabeledValue> values);
  void histogram(std::string_view name, std::string_view help, const Histogram& histogram);

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  void header(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, std::string_view suffix, std::string_view label_name,
              std::string_view label, double value);

  std::string text_;
};

}  // namespace gw::metrics
