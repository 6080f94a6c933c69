#include "protocol/auth.h"

#include <gtest/gtest.h>

#include "codec_test_support.h"
#include "core/errors.h"

namespace gw::protocol::testing {
namespace {

// Captured: MariaDB switching the mariadb CLI (which answered with mysql_native_password) to
// the ed25519 plugin of user gw_ed: 32 bytes of data, no trailing NUL.
const Bytes kSwitchToEd25519 = {
    0xfe, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x65, 0x64, 0x32, 0x35, 0x35, 0x31, 0x39, 0x00,
    0x3e, 0x61, 0x31, 0xfe, 0xca, 0xc1, 0x3a, 0xc8, 0xc5, 0xfe, 0x9d, 0xe8, 0x42, 0x67, 0xd9, 0x54,
    0xad, 0x44, 0x11, 0x2c, 0x4b, 0x57, 0x83, 0x50, 0xc6, 0x0b, 0x84, 0x70, 0xc0, 0x5c, 0x36, 0xda,
};

// Captured: libmariadb's COM_CHANGE_USER to user gw (native password) after gw_ed: the server
// switches back to mysql_native_password and resends the connection's greeting scramble, with
// a trailing NUL that belongs to the data.
const Bytes kSwitchToNativeAfterChangeUser = {
    0xfe, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65, 0x5f, 0x70,
    0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x00, 0x74, 0x5e, 0x59, 0x24, 0x44, 0x6a, 0x68,
    0x4e, 0x2c, 0x30, 0x4a, 0x63, 0x35, 0x7b, 0x2f, 0x74, 0x7c, 0x33, 0x27, 0x67, 0x00,
};

struct SwitchCase {
  const char* name;
  const Bytes& bytes;
  AuthSwitchRequest value;
  Prefixes prefixes = {};
};

TEST(AuthSwitchRequest, DecodesAndEncodesEveryVector) {
  const SwitchCase cases[] = {
      {"captured switch to client_ed25519",
       kSwitchToEd25519,
       {"client_ed25519",
        unhex("3e6131fecac13ac8c5fe9de84267d954ad44112c4b578350c60b8470c05c36da")},
       {.complete_from = 16, .skip = {1}}},
      {"captured switch to mysql_native_password",
       kSwitchToNativeAfterChangeUser,
       {"mysql_native_password", unhex("745e5924446a684e2c304a63357b2f747c33276700")},
       {.complete_from = 23, .skip = {1}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_codec(c.bytes, c.value, decode_auth_switch_request, encode_auth_switch_request,
                 c.prefixes);
  }
}

TEST(AuthSwitchRequest, RejectsOtherMessages) {
  expect_error(decode_auth_switch_request({}), codec_errc::need_more);
  // MySQL's "Old Authentication Method Switch Request": 0xFE alone.
  expect_error(decode_auth_switch_request(Bytes{0xfe}), codec_errc::unsupported);
  expect_error(decode_auth_switch_request(Bytes{0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}),
               codec_errc::unexpected_message);
  expect_error(decode_auth_switch_request(Bytes{0xfe, 'e', 'd'}), codec_errc::need_more);
}

TEST(AuthMoreData, DecodesAndEncodesEveryVector) {
  // Hand-built after MySQL's caching_sha2_password: 0x03 "fast auth succeeded", 0x04 "send the
  // full password". MariaDB 10.11's own plugins never sent one in our captures.
  const struct {
    const char* name;
    Bytes bytes;
    AuthMoreData value;
  } cases[] = {
      {"hand-built fast auth ok", {0x01, 0x03}, {"\x03"}},
      {"hand-built perform full auth", {0x01, 0x04}, {"\x04"}},
      {"hand-built empty", {0x01}, {""}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_codec(c.bytes, c.value, decode_auth_more_data, encode_auth_more_data,
                 {.complete_from = 1});
  }
  expect_error(decode_auth_more_data({}), codec_errc::need_more);
  expect_error(decode_auth_more_data(kSwitchToEd25519), codec_errc::unexpected_message);
}

}  // namespace
}  // namespace gw::protocol::testing
