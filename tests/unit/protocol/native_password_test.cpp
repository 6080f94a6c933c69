#include "protocol/native_password.h"

#include <gtest/gtest.h>

namespace gw::protocol {
namespace {

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// The expected value is what PyMySQL 1.0.2 (pymysql._auth.scramble_native_password) computes
// for the same password and scramble; the integration tests prove it against MariaDB itself.
TEST(NativePassword, MatchesAnIndependentClientImplementation) {
  std::string scramble;
  for (char c = 1; c <= 20; ++c) scramble += c;
  EXPECT_EQ(hex(native_password_response("secret", scramble)),
            "b32bb3a583e1340c0a1108d58b1be49781ad8c2f");
}

TEST(NativePassword, ScrambleIsCutToTwentyBytes) {
  std::string scramble(20, 'a');
  EXPECT_EQ(native_password_response("pw", scramble),
            native_password_response("pw", scramble + std::string(1, '\0')));
}

TEST(NativePassword, EmptyPasswordSendsNothing) {
  EXPECT_EQ(native_password_response("", std::string(20, 'x')), "");
}

}  // namespace
}  // namespace gw::protocol
