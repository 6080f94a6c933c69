#include "config/address.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace gw::config {
namespace {

struct GoodCase {
  const char* text;
  Endpoint endpoint;
};

class EndpointGood : public ::testing::TestWithParam<GoodCase> {};

TEST_P(EndpointGood, ParsesAndPrintsBack) {
  const auto parsed = parse_endpoint(GetParam().text);
  ASSERT_TRUE(parsed) << GetParam().text;
  EXPECT_EQ(*parsed, GetParam().endpoint);
  EXPECT_EQ(parsed->to_string(), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Address, EndpointGood,
    ::testing::Values(GoodCase{"127.0.0.1:3306", Endpoint::tcp("127.0.0.1", 3306)},
                      GoodCase{"[::1]:3306", Endpoint::tcp("::1", 3306)},
                      GoodCase{"[fe80::1%eth0]:3306", Endpoint::tcp("fe80::1%eth0", 3306)},
                      GoodCase{"localhost:3306", Endpoint::tcp("localhost", 3306)},
                      GoodCase{"db-1.example.com:1", Endpoint::tcp("db-1.example.com", 1)},
                      GoodCase{"0.0.0.0:65535", Endpoint::tcp("0.0.0.0", 65535)},
                      GoodCase{"/run/mysqld/mysqld.sock",
                               Endpoint::unix_socket("/run/mysqld/mysqld.sock")}));

struct BadCase {
  const char* text;
  const char* problem_contains;
};

class EndpointBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(EndpointBad, ExplainsWhy) {
  const auto explained = parse_endpoint_explained(GetParam().text);
  ASSERT_FALSE(explained) << GetParam().text;
  EXPECT_NE(explained.error().find(GetParam().problem_contains), std::string::npos)
      << explained.error();
  const auto parsed = parse_endpoint(GetParam().text);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), config_errc::invalid_value);
}

INSTANTIATE_TEST_SUITE_P(
    Address, EndpointBad,
    ::testing::Values(BadCase{"", "expected HOST:PORT"}, BadCase{"localhost", "expected HOST:PORT"},
                      BadCase{"mysqld.sock", "absolute Unix socket path"},
                      BadCase{"localhost:", "missing port"}, BadCase{":3306", "missing host"},
                      BadCase{"localhost:0", "out of range 1..65535"},
                      BadCase{"localhost:65536", "out of range 1..65535"},
                      BadCase{"localhost:99999999999", "out of range"},
                      BadCase{"localhost:33o6", "not a number"},
                      BadCase{"localhost:-1", "not a number"},
                      BadCase{"::1:3306", "needs brackets"}, BadCase{"[::1]", "after ']'"},
                      BadCase{"[::1:3306", "missing ']'"}, BadCase{"[]:3306", "empty IPv6"},
                      BadCase{"[::1]3306", "after ']'"}, BadCase{"bad host:3306", "invalid host"},
                      BadCase{"/"
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                              "the limit is 107"}));

TEST(Address, ListenerIsTcpOnly) {
  EXPECT_TRUE(parse_listen_address("[::]:3307"));
  const auto unix_listener = parse_listen_address("/tmp/gracewire.sock");
  ASSERT_FALSE(unix_listener);
  EXPECT_NE(unix_listener.error().find("TCP only"), std::string::npos);
}

TEST(Address, EmptyUpstreamMeansNotConfigured) {
  const auto empty = parse_upstream_address("");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->has_value());
  const auto socket = parse_upstream_address("/run/mysqld/mysqld.sock");
  ASSERT_TRUE(socket);
  EXPECT_EQ(**socket, Endpoint::unix_socket("/run/mysqld/mysqld.sock"));
  EXPECT_FALSE(parse_upstream_address("nowhere"));
}

}  // namespace
}  // namespace gw::config
