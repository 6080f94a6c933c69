// net::Listener: its own socket, SO_REUSEPORT when asked, IPv4 and IPv6, errors that name the
// address and the reason, accept() with TCP_NODELAY.

#include "net/listener.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <uv.h>

#include <string>

#include "net_test_support.h"

namespace gw::net {
namespace {

using testing::LoopTest;
using testing::Recorder;

class ListenerTest : public LoopTest {};

TEST_F(ListenerTest, WithReusePortTwoListenersBindOnePort) {
  Listener::Options shared{.reuse_port = true};
  auto first = Listener::start(&loop_, "127.0.0.1", 0, shared, [](Listener&) {});
  ASSERT_TRUE(first) << first.error();
  const std::uint16_t port = (*first)->port();
  ASSERT_GT(port, 0);
  auto second = Listener::start(&loop_, "127.0.0.1", port, shared, [](Listener&) {});
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ((*second)->port(), port);
  (*first)->close();
  (*second)->close();
}

TEST_F(ListenerTest, WithoutReusePortTheSecondListenerFailsAndSaysWhy) {
  auto first = Listener::start(&loop_, "127.0.0.1", 0, {}, [](Listener&) {});
  ASSERT_TRUE(first) << first.error();
  const std::uint16_t port = (*first)->port();
  auto second = Listener::start(&loop_, "127.0.0.1", port, {}, [](Listener&) {});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(),
            "cannot listen on 127.0.0.1:" + std::to_string(port) + ": address already in use (98)");
  // One side asking is not enough: the kernel wants SO_REUSEPORT on both sockets.
  auto third = Listener::start(&loop_, "127.0.0.1", port, {.reuse_port = true}, [](Listener&) {});
  EXPECT_FALSE(third);
  (*first)->close();
}

TEST_F(ListenerTest, AnIPv6ListenerAcceptsAndNamesItsPeer) {
  auto listener = Listener::start(&loop_, "::1", 0, {}, [](Listener&) {});
  if (!listener) GTEST_SKIP() << "no IPv6 loopback here: " << listener.error();
  Recorder& client_observer = client_;
  Recorder& server_observer = server_;
  Stream* accepted = nullptr;
  (*listener)->close();
  auto accepting = Listener::start(&loop_, "::1", 0, {},
                                   [&](Listener& l) { accepted = l.accept(server_observer); });
  ASSERT_TRUE(accepting) << accepting.error();
  std::optional<int> status;
  Stream* client = Stream::connect(&loop_, {Target::Kind::Tcp, "::1", (*accepting)->port(), {}},
                                   client_observer, [&](int s) { status = s; });
  run_until([&] { return status.has_value(); });
  ASSERT_EQ(status, 0) << uv_err_name(*status);
  run_until([&] { return accepted != nullptr; });
  ASSERT_NE(accepted, nullptr);
  EXPECT_EQ(accepted->peer_name().rfind("[::1]:", 0), 0u) << accepted->peer_name();
  EXPECT_EQ(client->peer_name(), "[::1]:" + std::to_string((*accepting)->port()));
  (*accepting)->close();
  client->close();
  accepted->close();
}

TEST_F(ListenerTest, AcceptedStreamsHaveNoDelayAndTheirPeerName) {
  Recorder& client_observer = client_;
  Recorder& server_observer = server_;
  Stream* accepted = nullptr;
  auto listener = Listener::start(&loop_, "127.0.0.1", 0, {},
                                  [&](Listener& l) { accepted = l.accept(server_observer); });
  ASSERT_TRUE(listener) << listener.error();
  std::optional<int> status;
  Stream* client =
      Stream::connect(&loop_, {Target::Kind::Tcp, "127.0.0.1", (*listener)->port(), {}},
                      client_observer, [&](int s) { status = s; });
  run_until([&] { return status.has_value(); });
  ASSERT_EQ(status, 0) << uv_err_name(*status);
  run_until([&] { return accepted != nullptr; });
  ASSERT_NE(accepted, nullptr);
  for (Stream* stream : {client, accepted}) {
    const int fd = stream->socket_fd();
    ASSERT_GE(fd, 0);
    int nodelay = 0;
    socklen_t length = sizeof(nodelay);
    ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &length), 0);
    EXPECT_NE(nodelay, 0) << "TCP_NODELAY on " << stream->peer_name();
  }
  EXPECT_EQ(accepted->peer_name().rfind("127.0.0.1:", 0), 0u) << accepted->peer_name();
  EXPECT_EQ(client->peer_name(), "127.0.0.1:" + std::to_string((*listener)->port()));
  (*listener)->close();
  (*listener)->close();
  client->close();
  accepted->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(client_observer.closed, 1);
  EXPECT_EQ(server_observer.closed, 1);
}

TEST_F(ListenerTest, ANameIsResolvedAtStartAndABadOneIsNamed) {
  auto listener = Listener::start(&loop_, "localhost", 0, {}, [](Listener&) {});
  ASSERT_TRUE(listener) << listener.error();
  EXPECT_GT((*listener)->port(), 0);
  (*listener)->close();
  auto bad = Listener::start(&loop_, "no-such-host.invalid", 0, {}, [](Listener&) {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "cannot resolve listen address 'no-such-host.invalid'");
}

}  // namespace
}  // namespace gw::net
