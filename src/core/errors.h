#pragma once
// Project error categories. "Not enough input" (need_more) is never the same as invalid input.

#include <system_error>

namespace gw {

enum class codec_errc {
  need_more = 1,       // the bytes end before the message does; feed more and retry
  invalid_length,      // a length field that cannot be right (too large, or past the payload)
  invalid_value,       // a field holds a value the protocol does not allow
  unexpected_message,  // a well-formed message that does not belong here
  trailing_bytes,      // the payload is longer than the message it carries
  unsupported,         // valid protocol that gracewire does not handle
  checksum_mismatch,   // a binlog event whose CRC32 does not match its bytes
};

enum class session_errc {
  bad_sequence = 1,      // a packet's sequence id is not the one the protocol expects next
  command_out_of_state,  // a client command where none may be sent
  malformed_packet,      // a packet that failed to decode
  unknown_command,       // a command byte gracewire does not know
  message_too_large,     // a message past the configured limit
  out_of_memory,         // holding the message would pass the memory budget shared by all sessions
  upstream_closed,       // the server closed the connection
};

enum class config_errc {
  unknown_key = 1,
  wrong_type,
  invalid_value,
  missing_value,
  parse_error,
};

const std::error_category& codec_category() noexcept;
const std::error_category& session_category() noexcept;
const std::error_category& config_category() noexcept;

inline std::error_code make_error_code(codec_errc e) noexcept {
  return {static_cast<int>(e), codec_category()};
}
inline std::error_code make_error_code(session_errc e) noexcept {
  return {static_cast<int>(e), session_category()};
}
inline std::error_code make_error_code(config_errc e) noexcept {
  return {static_cast<int>(e), config_category()};
}

}  // namespace gw

template <>
struct std::is_error_code_enum<gw::codec_errc> : std::true_type {};
template <>
struct std::is_error_code_enum<gw::session_errc> : std::true_type {};
template <>
struct std::is_error_code_enum<gw::config_errc> : std::true_type {};
