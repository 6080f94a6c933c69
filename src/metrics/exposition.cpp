#include "metrics/exposition.h"

#include <fmt/format.h>

#include <cmath>

namespace gw::metrics {
namespace {

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// Integers as integers (counters are counts), anything else in the shortest exact form.
void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    out += fmt::format("{}", static_cast<std::int64_t>(value));
  } else {
    out += fmt::format("{}", value);
  }
}

}  // namespace

void Exposition::header(std::string_view name, std::string_view help, std::string_view type) {
  text_ += "# HELP ";
  text_ += kPrefix;
  text_ += name;
  text_ += ' ';
  append_escaped(text_, help, /*quote=*/false);
  text_ += "\n# TYPE ";
  text_ += kPrefix;
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void Exposition::sample(std::string_view name, std::string_view suffix, std::string_view label_name,
                        std::string_view label, double value) {
  text_ += kPrefix;
  text_ += name;
  text_ += suffix;
  if (!label_name.empty()) {
    text_ += '{';
    text_ += label_name;
    text_ += "=\"";
    append_escaped(text_, label, /*quote=*/true);
    text_ += "\"}";
  }
  text_ += ' ';
  append_value(text_, value);
  text_ += '\n';
}

void Exposition::counter(std::string_view name, std::string_view help, double value) {
  header(name, help, "counter");
  sample(name, "", "", "", value);
}

void Exposition::gauge(std::string_view name, std::string_view help, double value) {
  header(name, help, "gauge");
  sample(name, "", "", "", value);
}

void Exposition::counters(std::string_view name, std::string_view help, std::string_view label_name,
                          std::span<const LabeledValue> values) {
  header(name, help, "counter");
  for (const LabeledValue& v : values) sample(name, "", label_name, v.label, v.value);
}

void Exposition::gauges(std::string_view name, std::string_view help, std::string_view label_name,
                        std::span<const LabeledValue> values) {
  header(name, help, "gauge");
  for (const LabeledValue& v : values) sample(name, "", label_name, v.label, v.value);
}

void Exposition::histogram(std::string_view name, std::string_view help,
                           const Histogram& histogram) {
  header(name, help, "histogram");
  const auto counts = histogram.cumulative_counts();
  const auto bounds = histogram.bounds();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    std::string le;
    if (i < bounds.size()) {
      append_value(le, bounds[i]);
    } else {
      le = "+Inf";
    }
    sample(name, "_bucket", "le", le, static_cast<double>(counts[i]));
  }
  sample(name, "_sum", "", "", histogram.sum());
  sample(name, "_count", "", "", static_cast<double>(histogram.count()));
}

}  // namespace gw::metrics
