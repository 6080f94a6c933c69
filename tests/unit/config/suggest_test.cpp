#include "config/suggest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gw::config {
namespace {

TEST(Suggest, EditDistanceCountsASwapAsOneEdit) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("level", "level"), 0u);
  EXPECT_EQ(edit_distance("levle", "level"), 1u);
  EXPECT_EQ(edit_distance("lsitener", "listener"), 1u);
  EXPECT_EQ(edit_distance("max_conections", "max_connections"), 1u);
  EXPECT_EQ(edit_distance("adress", "address"), 1u);
  EXPECT_EQ(edit_distance("log_level", "log.level"), 1u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Suggest, ClosestWithinTwoEditsOrNothing) {
  const std::vector<std::string> keys = {"close_timeout", "drain_timeout", "client_abort",
                                         "in_flight"};
  EXPECT_EQ(closest_match("drain_timout", keys), "drain_timeout");
  EXPECT_EQ(closest_match("in-flihgt", keys), "in_flight");
  EXPECT_EQ(closest_match("timeout", keys), std::nullopt);
  EXPECT_EQ(closest_match("x", keys), std::nullopt);
  EXPECT_EQ(closest_match("in_flight", {}), std::nullopt);
}

TEST(Suggest, TiesGoToTheEarlierCandidate) {
  const std::vector<std::string> keys = {"ab", "ba"};
  EXPECT_EQ(closest_match("aa", keys), "ab");
}

}  // namespace
}  // namespace gw::config
