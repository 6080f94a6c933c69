// net::Stream::connect: TCP (literal address or name) and Unix sockets; failures are reported
// once, from the loop; a stream closed before its connect finished never reports it.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <uv.h>

#include <optional>
#include <string>

#include "net/listener.h"
#include "net/stream.h"
#include "net_test_support.h"

namespace gw::net {
namespace {

using testing::LoopTest;
using testing::Recorder;

class ConnectTest : public LoopTest {
 protected:
  // A port nobody listens on: one a listener had, closed again.
  std::uint16_t closed_port() {
    auto listener = Listener::start(&loop_, "127.0.0.1", 0, {}, [](Listener&) {});
    EXPECT_TRUE(listener);
    const std::uint16_t port = (*listener)->port();
    (*listener)->close();
    uv_run(&loop_, UV_RUN_DEFAULT);
    return port;
  }
  Recorder& observer_ = client_;
};

TEST_F(ConnectTest, ARefusedPortIsReportedOnceFromTheLoop) {
  int calls = 0;
  std::optional<int> status;
  Stream* stream = Stream::connect(&loop_, {Target::Kind::Tcp, "127.0.0.1", closed_port(), {}},
                                   observer_, [&](int s) {
                                     ++calls;
                                     status = s;
                                   });
  EXPECT_FALSE(status) << "done runs from the loop";
  run_until([&] { return status.has_value(); });
  EXPECT_EQ(status, UV_ECONNREFUSED);
  EXPECT_FALSE(is_resolution_error(*status));
  stream->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(observer_.closed, 1);
}

TEST_F(ConnectTest, ANameIsResolvedThenConnected) {
  Recorder& server_observer = server_;
  Stream* accepted = nullptr;
  // Bound where the name's first address is: the connect uses the same first address.
  auto listener = Listener::start(&loop_, "localhost", 0, {},
                                  [&](Listener& l) { accepted = l.accept(server_observer); });
  ASSERT_TRUE(listener) << listener.error();
  std::optional<int> status;
  Stream* stream =
      Stream::connect(&loop_, {Target::Kind::Tcp, "localhost", (*listener)->port(), {}}, observer_,
                      [&](int s) { status = s; });
  EXPECT_FALSE(status);
  run_until([&] { return status.has_value(); });
  ASSERT_EQ(status, 0) << uv_err_name(*status);
  run_until([&] { return accepted != nullptr; });
  ASSERT_NE(accepted, nullptr);
  stream->close();
  accepted->close();
  (*listener)->close();
}

TEST_F(ConnectTest, AnUnknownNameIsReported) {
  std::optional<int> status;
  Stream* stream = Stream::connect(&loop_, {Target::Kind::Tcp, "no-such-host.invalid", 3306, {}},
                                   observer_, [&](int s) { status = s; });
  run_until([&] { return status.has_value(); });
  ASSERT_TRUE(status);
  EXPECT_LT(*status, 0);
  EXPECT_TRUE(is_resolution_error(*status)) << uv_err_name(*status);
  stream->close();
}

TEST_F(ConnectTest, ClosedBeforeTheNameIsResolvedDoneIsNeverCalled) {
  bool called = false;
  Stream* stream = Stream::connect(&loop_, {Target::Kind::Tcp, "localhost", 3306, {}}, observer_,
                                   [&](int) { called = true; });
  stream->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(called);
  EXPECT_EQ(observer_.closed, 1);
}

TEST_F(ConnectTest, ClosedWhileConnectingDoneIsNeverCalled) {
  bool called = false;
  Stream* stream = Stream::connect(&loop_, {Target::Kind::Tcp, "127.0.0.1", closed_port(), {}},
                                   observer_, [&](int) { called = true; });
  stream->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(called) << "not even with UV_ECANCELED";
  EXPECT_EQ(observer_.closed, 1);
}

// A connect that fails before libuv even queues it (an IPv6 link-local address without a scope)
// is still reported from the loop, after connect() returned the pointer the caller closes; and a
// close before that report silences it.
TEST_F(ConnectTest, AFailureInsideConnectIsReportedFromTheLoop) {
  std::optional<int> status;
  Stream* stream = Stream::connect(&loop_, {Target::Kind::Tcp, "fe80::1", 3306, {}}, observer_,
                                   [&](int s) { status = s; });
  EXPECT_FALSE(status);
  run_until([&] { return status.has_value(); });
  ASSERT_TRUE(status);
  EXPECT_NE(*status, 0);
  stream->close();

  Recorder& second = spare_;
  bool called = false;
  Stream* silenced = Stream::connect(&loop_, {Target::Kind::Tcp, "fe80::1", 3306, {}}, second,
                                     [&](int) { called = true; });
  silenced->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(called);
  EXPECT_EQ(second.closed, 1);
}

TEST_F(ConnectTest, AUnixSocketIsConnectedAndNamed) {
  const std::string path = ::testing::TempDir() + "gw_connect_test.sock";
  ::unlink(path.c_str());
  uv_pipe_t server{};
  ASSERT_EQ(uv_pipe_init(&loop_, &server, 0), 0);
  ASSERT_EQ(uv_pipe_bind(&server, path.c_str()), 0);
  ASSERT_EQ(uv_listen(reinterpret_cast<uv_stream_t*>(&server), 4, [](uv_stream_t*, int) {}), 0);
  std::optional<int> status;
  Stream* stream = Stream::connect(&loop_, {Target::Kind::Unix, {}, 0, path}, observer_,
                                   [&](int s) { status = s; });
  EXPECT_FALSE(status);
  run_until([&] { return status.has_value(); });
  EXPECT_EQ(status, 0);
  EXPECT_EQ(stream->peer_name(), "unix");
  stream->close();
  uv_close(reinterpret_cast<uv_handle_t*>(&server), nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  ::unlink(path.c_str());

  Recorder& missing = spare_;
  std::optional<int> missing_status;
  Stream* nowhere = Stream::connect(&loop_, {Target::Kind::Unix, {}, 0, path}, missing,
                                    [&](int s) { missing_status = s; });
  run_until([&] { return missing_status.has_value(); });
  EXPECT_EQ(missing_status, UV_ENOENT);
  nowhere->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(missing.closed, 1);
}

TEST(TargetTest, NamesItselfAsTheConfigDoes) {
  EXPECT_EQ((Target{Target::Kind::Tcp, "db.example", 3306, {}}.to_string()), "db.example:3306");
  EXPECT_EQ((Target{Target::Kind::Tcp, "::1", 3307, {}}.to_string()), "[::1]:3307");
  EXPECT_EQ((Target{Target::Kind::Unix, {}, 0, "/run/mysqld.sock"}.to_string()),
            "/run/mysqld.sock");
}

}  // namespace
}  // namespace gw::net
