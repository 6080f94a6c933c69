#pragma once
// mysql_native_password: the client proves it knows the password without sending it.
//   response = SHA1(password) XOR SHA1(scramble[0..20) + SHA1(SHA1(password)))
// (MySQL source docs, "Native Authentication"; MariaDB KB "Authentication Plugin -
// mysql_native_password"). An empty password gives an empty response.

#include <string>
#include <string_view>

namespace gw::protocol {

inline constexpr std::string_view kNativePasswordPlugin = "mysql_native_password";
inline constexpr std::size_t kScrambleLength = 20;

// `scramble` is the server's 20-byte nonce (the greeting's auth data, or an auth switch's data
// without its trailing NUL); longer input is cut to 20 bytes.
std::string native_password_response(std::string_view password, std::string_view scramble);

}  // namespace gw::protocol
