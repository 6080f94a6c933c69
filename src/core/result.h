#pragma once
// Result<T>: the one error-handling shape on the data path (no exceptions there).

#include <expected>
#include <system_error>

namespace gw {

template <typename T>
using Result = std::expected<T, std::error_code>;

// Shorthand for returning an error from a function that returns Result<T>.
inline std::unexpected<std::error_code> fail(std::error_code ec) { return std::unexpected(ec); }

template <typename E>
  requires std::is_error_code_enum_v<E>
std::unexpected<std::error_code> fail(E e) {
  return std::unexpected(std::error_code(e));
}

}  // namespace gw
