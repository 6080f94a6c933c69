#include "protocol/binlog/charset.h"

#include <gtest/gtest.h>

namespace gw::protocol::binlog {
namespace {

TEST(Latin1, BecomesUtf8AsTheServerConvertsIt) {
  std::string out;
  // "café" in latin1; 0x80 is the euro sign in MySQL's latin1 (cp1252); 0x81 has no cp1252
  // meaning and becomes U+0081; 0xFF is ÿ.
  append_latin1_as_utf8(out, std::string_view("caf\xe9 \x80\x81\xff", 8));
  EXPECT_EQ(out, "caf\xc3\xa9 \xe2\x82\xac\xc2\x81\xc3\xbf");
}

TEST(Latin1, CollationsAreKnownByTheirIds) {
  EXPECT_TRUE(is_latin1(8));    // latin1_swedish_ci, the default
  EXPECT_TRUE(is_latin1(47));   // latin1_bin
  EXPECT_FALSE(is_latin1(45));  // utf8mb4_general_ci
  EXPECT_FALSE(is_latin1(63));  // binary
}

}  // namespace
}  // namespace gw::protocol::binlog
