// net::Stream and net::Listener on real sockets: a socketpair (as a pipe stream) and loopback
// TCP. Every test runs its loop until nothing is left and ends with uv_loop_close() == 0, which
// fails when a handle or request was leaked.

#include "net/stream.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <uv.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "net/listener.h"
#include "net/timer.h"
#include "net_test_support.h"

namespace gw::net {
namespace {

using testing::Recorder;

class NetTest : public testing::LoopTest {
 protected:
  // Two connected pipe streams over a socketpair.
  void make_pair(Recorder& a_observer, Recorder& b_observer) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    a_ = Stream::open_socket(&loop_, fds[0], a_observer);
    b_ = Stream::open_socket(&loop_, fds[1], b_observer);
    ASSERT_NE(a_, nullptr);
    ASSERT_NE(b_, nullptr);
  }
  // Observers outlive the test body: TearDown's loop run delivers the last close callbacks.
  Recorder first_, second_;
  Stream* a_ = nullptr;
  Stream* b_ = nullptr;
};

Bytes pattern(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
  return out;
}

TEST_F(NetTest, BytesWrittenOnOneEndAreReadOnTheOther) {
  Recorder& a = first_;
  Recorder& b = second_;
  make_pair(a, b);
  b_->start_reading();
  Bytes hello = {'h', 'e', 'l', 'l', 'o'};
  a_->write(hello);
  EXPECT_TRUE(hello.empty()) << "write() takes the bytes";
  run_until([&] { return b.read.size() == 5; });
  EXPECT_EQ(b.read, (Bytes{'h', 'e', 'l', 'l', 'o'}));
  a_->close();
  b_->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(a.closed, 1);
  EXPECT_EQ(b.closed, 1);
}

TEST_F(NetTest, CloseIsIdempotentAndReportsOnce) {
  Recorder& a = first_;
  Recorder& b = second_;
  make_pair(a, b);
  a_->close();
  a_->close();
  a_->close(true);
  a_->close_after_flush();
  EXPECT_TRUE(a_->closing());
  b_->close_after_flush();
  b_->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(a.closed, 1);
  EXPECT_EQ(b.closed, 1);
}

TEST_F(NetTest, WritesQueueWhileThePeerDoesNotReadAndDrainWhenItDoes) {
  Recorder& a = first_;
  Recorder& b = second_;
  make_pair(a, b);
  const Bytes big = pattern(8 << 20);  // far past any socket buffer
  Bytes out = big;
  a_->write(out);
  EXPECT_GT(a_->queued_bytes(), 0u) << "backpressure: the rest waits in the write queue";
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_GT(a_->queued_bytes(), 0u);
  EXPECT_EQ(a.written, 0);
  b_->start_reading();
  run_until([&] { return b.read.size() == big.size(); });
  EXPECT_EQ(b.read, big);
  EXPECT_EQ(a_->queued_bytes(), 0u);
  EXPECT_GE(a.written, 1);
  a_->close();
  b_->close();
}

TEST_F(NetTest, ReadingStopsAndResumes) {
  Recorder& a = first_;
  Recorder& b = second_;
  make_pair(a, b);
  b_->start_reading();
  b_->stop_reading();
  EXPECT_FALSE(b_->reading());
  Bytes one = {'1'};
  a_->write(one);
  uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_TRUE(b.read.empty());
  b_->start_reading();
  run_until([&] { return !b.read.empty(); });
  EXPECT_EQ(b.read, Bytes{'1'});
  a_->close();
  b_->close();
}

// The follower's read deadline asks it before taking a silent server for dead.
TEST_F(NetTest, UnreadBytesCountsWhatWaitsInTheKernel) {
  Recorder& a = first_;
  Recorder& b = second_;
  make_pair(a, b);
  EXPECT_EQ(b_->unread_bytes(), 0u);
  Bytes three = {'a', 'b', 'c'};
  a_->write(three);  // a socketpair's write lands in b's buffer at once
  EXPECT_EQ(b_->unread_bytes(), 3u);
  b_->start_reading();
  run_until([&] { return b.read.size() == 3; });
  EXPECT_EQ(b_->unread_bytes(), 0u);
  a_->close();
  b_->close();
}

TEST_F(NetTest, ClosingWithAWritePendingFreesItsBytes) {
  Recorder& a = first_;
  Recorder& b = second_;
  make_pair(a, b);
  Bytes out = pattern(8 << 20);
  a_->write(out);
  ASSERT_GT(a_->queued_bytes(), 0u);
  a_->close();  // the queued request is cancelled; ASan would report its bytes if leaked
  Bytes late = {'x'};
  a_->write(late);  // after close: dropped, not queued
  EXPECT_TRUE(late.empty());
  b_->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(a.closed, 1);
  EXPECT_EQ(a.written, 0) << "a cancelled write is not reported as written";
}

TEST_F(NetTest, CloseAfterFlushDeliversEverythingThenEof) {
  Recorder& a = first_;
  Recorder& b = second_;
  make_pair(a, b);
  const Bytes big = pattern(4 << 20);
  Bytes out = big;
  a_->write(out);
  a_->close_after_flush();
  EXPECT_TRUE(a_->closing());
  b.close_on_end = true;
  b_->start_reading();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(b.read, big);
  ASSERT_TRUE(b.status.has_value());
  EXPECT_EQ(*b.status, 0) << "an orderly end (FIN), not an error";
  EXPECT_EQ(a.closed, 1);
  EXPECT_EQ(b.closed, 1);
}

TEST_F(NetTest, ThePeerClosingIsAnOrderlyEnd) {
  Recorder& a = first_;
  Recorder& b = second_;
  make_pair(a, b);
  b.close_on_end = true;
  b_->start_reading();
  a_->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  ASSERT_TRUE(b.status.has_value());
  EXPECT_EQ(*b.status, 0);
  EXPECT_EQ(b.closed, 1);
}

// close() after close_after_flush() is an immediate close: what is still queued is dropped, not
// delivered, and the stream is closed without waiting for the peer to read.
TEST_F(NetTest, CloseAfterCloseAfterFlushDropsWhatIsQueued) {
  Recorder& a = first_;
  Recorder& b = second_;
  make_pair(a, b);
  const Bytes big = pattern(8 << 20);
  Bytes out = big;
  a_->write(out);
  ASSERT_GT(a_->queued_bytes(), 0u);
  a_->close_after_flush();
  a_->close();
  run_until([&] { return a.closed == 1; });
  EXPECT_EQ(a.closed, 1) << "closed while the peer has not read a byte";
  EXPECT_EQ(a.written, 0);
  b.close_on_end = true;
  b_->start_reading();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_LT(b.read.size(), big.size()) << "the queued writes were dropped";
  EXPECT_EQ(b.closed, 1);
}

// Loopback TCP: a listener, a client stream connected to it, the accepted server stream.
class TcpTest : public NetTest {
 protected:
  void connect_pair(Recorder& client_observer, Recorder& server_observer) {
    auto listener = Listener::start(&loop_, "127.0.0.1", 0, {}, [&](Listener& accepting) {
      b_ = accepting.accept(server_observer);
      ASSERT_NE(b_, nullptr);
    });
    ASSERT_TRUE(listener) << listener.error();
    listener_ = *listener;
    ASSERT_GT(listener_->port(), 0);
    a_ = Stream::connect(&loop_, {Target::Kind::Tcp, "127.0.0.1", listener_->port(), {}},
                         client_observer, [this](int status) { connect_status_ = status; });
    run_until([&] { return connect_status_.has_value() && b_ != nullptr; });
    ASSERT_EQ(connect_status_, 0);
    listener_->close();
  }

  Listener* listener_ = nullptr;
  std::optional<int> connect_status_;
};

TEST_F(TcpTest, AResetIsReportedAsAnError) {
  Recorder& client = first_;
  Recorder& server = second_;
  connect_pair(client, server);
  client.close_on_end = true;
  a_->start_reading();
  b_->close(true);  // RST
  uv_run(&loop_, UV_RUN_DEFAULT);
  ASSERT_TRUE(client.status.has_value());
  EXPECT_EQ(*client.status, UV_ECONNRESET);
  EXPECT_EQ(client.closed, 1);
  EXPECT_EQ(server.closed, 1);
}

// libuv refuses a reset once a shutdown is under way (UV_EINVAL); the close must happen anyway.
TEST_F(TcpTest, AResetAfterCloseAfterFlushStillCloses) {
  Recorder& client = first_;
  Recorder& server = second_;
  connect_pair(client, server);
  Bytes out = pattern(8 << 20);
  a_->write(out);
  a_->close_after_flush();
  a_->close(true);
  // Bounded: before the fix the handle stayed open, and its queued writes kept the loop waiting.
  bool waited = false;
  Timer* bound = Timer::create(&loop_, [&] { waited = true; });
  bound->start(std::chrono::seconds{2});
  run_until([&] { return client.closed == 1 || waited; });
  bound->close();
  EXPECT_EQ(client.closed, 1);
  server.close_on_end = true;
  b_->start_reading();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(server.closed, 1);
}

TEST_F(TcpTest, BytesCrossAndBothEndsClose) {
  Recorder& client = first_;
  Recorder& server = second_;
  connect_pair(client, server);
  b_->start_reading();
  Bytes query = {0x01, 0x00, 0x00, 0x00, 0x01};
  a_->write(query);
  run_until([&] { return server.read.size() == 5; });
  EXPECT_EQ(server.read, (Bytes{0x01, 0x00, 0x00, 0x00, 0x01}));
  server.close_on_end = true;
  a_->close_after_flush();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(server.status, 0);
  EXPECT_EQ(client.closed, 1);
  EXPECT_EQ(server.closed, 1);
}

TEST_F(NetTest, AListenerClosesCleanlyAndNamesWhatFailed) {
  auto listener = Listener::start(&loop_, "127.0.0.1", 0, {}, [](Listener&) {});
  ASSERT_TRUE(listener) << listener.error();
  (*listener)->close();
  (*listener)->close();
  auto bad = Listener::start(&loop_, "not an address", 0, {}, [](Listener&) {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("not an address"), std::string::npos) << bad.error();
}

}  // namespace
}  // namespace gw::net
