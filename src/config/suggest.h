#pragma once
// "Did you mean ...?" for misspelt keys.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gw::config {

// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. Counting a swap
// as one edit matters: "lsitener" is one slip of the fingers, not two.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is at most `max_distance` edits away. Ties go to the
// earlier candidate, so callers list candidates in a sensible order.
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string> candidates,
                                         std::size_t max_distance = 2);

}  // namespace gw::config
