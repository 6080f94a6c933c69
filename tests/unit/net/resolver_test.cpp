// net::Resolver: a literal address answers before start() returns, a name is answered from the
// loop, a cancelled lookup never calls back. Every test ends with uv_loop_close() == 0, which
// fails when the lookup's request was leaked.

#include "net/resolver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <uv.h>

#include <optional>
#include <string>

namespace gw::net {
namespace {

struct Answer {
  int status = 0;
  std::string address;  // "127.0.0.1:3306"
};

Answer describe(int status, const sockaddr* address) {
  Answer answer{status, ""};
  if (address != nullptr && address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    char host[INET_ADDRSTRLEN] = {};
    uv_ip4_name(v4, host, sizeof(host));
    answer.address = std::string(host) + ":" + std::to_string(ntohs(v4->sin_port));
  } else if (address != nullptr && address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    char host[INET6_ADDRSTRLEN] = {};
    uv_ip6_name(v6, host, sizeof(host));
    answer.address = "[" + std::string(host) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  return answer;
}

class ResolverTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  uv_loop_t loop_{};
};

TEST_F(ResolverTest, ALiteralAddressAnswersBeforeStartReturns) {
  std::optional<Answer> got;
  Resolver* pending = Resolver::start(&loop_, "127.0.0.1", 3306,
                                      [&](int s, const sockaddr* a) { got = describe(s, a); });
  EXPECT_EQ(pending, nullptr);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 0);
  EXPECT_EQ(got->address, "127.0.0.1:3306");

  std::optional<Answer> v6;
  EXPECT_EQ(
      Resolver::start(&loop_, "::1", 3307, [&](int s, const sockaddr* a) { v6 = describe(s, a); }),
      nullptr);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address, "[::1]:3307");
}

TEST_F(ResolverTest, ANameIsAnsweredFromTheLoopWithThePort) {
  std::optional<Answer> got;
  Resolver* pending = Resolver::start(&loop_, "localhost", 3306,
                                      [&](int s, const sockaddr* a) { got = describe(s, a); });
  EXPECT_NE(pending, nullptr);
  EXPECT_FALSE(got) << "a lookup must not run on the loop thread";
  uv_run(&loop_, UV_RUN_DEFAULT);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 0);
  EXPECT_TRUE(got->address == "127.0.0.1:3306" || got->address == "[::1]:3306") << got->address;
}

TEST_F(ResolverTest, ACancelledLookupNeverCallsBack) {
  bool called = false;
  Resolver* pending =
      Resolver::start(&loop_, "localhost", 3306, [&](int, const sockaddr*) { called = true; });
  ASSERT_NE(pending, nullptr);
  pending->cancel();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace gw::net
