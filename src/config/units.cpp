#include "config/units.h"

#include <array>
#include <charconv>
#include <limits>

namespace gw::config {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

// Largest first, so the formatters pick the biggest exact unit.
constexpr std::array<Unit, 4> kDurationUnits = {{
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};
constexpr std::array<Unit, 4> kSizeUnits = {{
    {"GiB", 1ULL << 30},
    {"MiB", 1ULL << 20},
    {"KiB", 1ULL << 10},
    {"B", 1},
}};

constexpr std::string_view kDurationExample = R"(a duration like "250ms", "2s" or "1m")";
constexpr std::string_view kSizeExample = R"(a size like "64KiB")";

template <std::size_t N>
std::string unit_list(const std::array<Unit, N>& units) {
  std::string out;
  for (std::size_t i = units.size(); i-- > 0;) {
    out += units[i].name;
    if (i > 1) out += ", ";
    if (i == 1) out += " or ";
  }
  return out;
}

// Number and unit, shared by durations and sizes. `limit` keeps the result representable.
template <std::size_t N>
Explained<std::uint64_t> parse_with_unit(std::string_view text, const std::array<Unit, N>& units,
                                         std::string_view example, std::uint64_t limit) {
  const auto expected = [&] {
    return "expected " + std::string(example) + ", got " + in_quotes(text);
  };
  if (!text.empty() && text.front() == '-')
    return problem("cannot be negative, got " + in_quotes(text));
  std::uint64_t number = 0;
  const char* const end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, number);
  if (ec == std::errc::invalid_argument) return problem(expected());
  if (ec == std::errc::result_out_of_range) return problem("too large: " + in_quotes(text));

  auto unit = std::string_view(stop, static_cast<std::size_t>(end - stop));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (unit.empty()) {
    return problem("missing unit in " + in_quotes(text) + " (use " + unit_list(units) +
                   "; an unquoted integer also works)");
  }
  if (unit.front() == '.') {
    return problem("whole numbers only, got " + in_quotes(text) + "; use a smaller unit instead");
  }
  for (const auto& u : units) {
    if (unit != u.name) continue;
    if (number > limit / u.factor) return problem("too large: " + in_quotes(text));
    return number * u.factor;
  }
  return problem("unknown unit " + in_quotes(unit) + " in " + in_quotes(text) + " (use " +
                 unit_list(units) + ")");
}

template <std::size_t N>
std::string format_with_unit(std::uint64_t value, const std::array<Unit, N>& units) {
  for (const auto& u : units) {
    if (value != 0 && value % u.factor == 0)
      return std::to_string(value / u.factor) + std::string(u.name);
  }
  return "0" + std::string(units.back().name);
}

}  // namespace

Explained<std::chrono::milliseconds> parse_duration(std::string_view text) {
  constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  auto ms = parse_with_unit(text, kDurationUnits, kDurationExample, kLimit);
  if (!ms) return std::unexpected(ms.error());
  return std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
}

Explained<std::uint64_t> parse_size(std::string_view text) {
  return parse_with_unit(text, kSizeUnits, kSizeExample, std::numeric_limits<std::uint64_t>::max());
}

std::string format_size(std::uint64_t bytes) { return format_with_unit(bytes, kSizeUnits); }

std::string format_duration(std::chrono::milliseconds duration) {
  if (duration.count() <= 0) return std::to_string(duration.count()) + "ms";
  return format_with_unit(static_cast<std::uint64_t>(duration.count()), kDurationUnits);
}

}  // namespace gw::config
