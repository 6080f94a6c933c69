#pragma once
// Explained<T>: a value, or a sentence saying what is wrong with the input. Config parsing uses
// it instead of Result<T> because its errors end up in front of a person, who needs the why.

#include <expected>
#include <string>
#include <string_view>

namespace gw::config {

template <typename T>
using Explained = std::expected<T, std::string>;

inline std::unexpected<std::string> problem(std::string text) {
  return std::unexpected(std::move(text));
}

// How messages show a value the user wrote: "64 apples".
inline std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace gw::config
