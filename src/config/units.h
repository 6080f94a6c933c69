#pragma once
// Durations and sizes written as text with a unit. Integers without a unit are handled by the
// caller (they mean milliseconds or bytes); a quoted number without a unit is an error, because
// "30" could mean seconds as easily as milliseconds.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/explained.h"

namespace gw::config {

// "250ms", "2s", "1m", "1h". Whole numbers only: "1.5s" is written "1500ms".
[[nodiscard]] Explained<std::chrono::milliseconds> parse_duration(std::string_view text);
// "512B", "64KiB", "16MiB", "1GiB" (binary units: 1KiB = 1024 bytes).
[[nodiscard]] Explained<std::uint64_t> parse_size(std::string_view text);

// The largest unit that divides exactly, in the form the parsers accept: 65536 -> "64KiB".
std::string format_size(std::uint64_t bytes);
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace gw::config
