// Two Channels, a client and a server, joined in memory: the handshake, records both ways in
// any slicing, the two endings (close_notify, bare FIN), and hostile bytes. The certificate is
// made here (ECDSA P-256, self-signed for "gracewire.test") and loaded from PEM files, as the
// contexts load them.

#include "tls/channel.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "test_certificate.h"
#include "tls/context.h"

namespace gw::tls {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

class TlsChannel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gw-tls-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    make_certificate(dir_, "gracewire.test");
    auto server = make_server_context(
        {.cert = (dir_ / "cert.pem").string(), .key = (dir_ / "key.pem").string()});
    ASSERT_TRUE(server) << server.error();
    server_ctx_ = std::move(*server);
    auto client = make_client_context({.verify = true, .ca = (dir_ / "cert.pem").string()});
    ASSERT_TRUE(client) << client.error();
    client_ctx_ = std::move(*client);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Moves each side's output to the other, `slice` bytes at a time, until both are quiet.
  void exchange(Channel& client, Channel& server, std::size_t slice = 1 << 20) {
    for (int round = 0; round < 64; ++round) {
      const bool quiet = client.encrypted().empty() && server.encrypted().empty();
      deliver(client, server, slice, to_server_);
      deliver(server, client, slice, to_client_);
      client.pump(to_client_);
      server.pump(to_server_);
      if (quiet) return;
    }
    FAIL() << "the channels never went quiet";
  }
  // Each slice is pumped as it arrives: a record cut anywhere waits for its rest.
  static void deliver(Channel& from, Channel& to, std::size_t slice, Bytes& plain) {
    Bytes bytes;
    bytes.swap(from.encrypted());
    for (std::size_t at = 0; at < bytes.size(); at += slice) {
      to.feed(ByteView(bytes).subspan(at, std::min(slice, bytes.size() - at)));
      to.pump(plain);
    }
  }
  std::pair<Channel, Channel> connected(const std::string& name = "gracewire.test") {
    auto client = Channel::create(client_ctx_.get(), Channel::Role::Client, name);
    auto server = Channel::create(server_ctx_.get(), Channel::Role::Server);
    EXPECT_TRUE(client && server);
    client->pump(to_client_);
    exchange(*client, *server);
    return {std::move(*client), std::move(*server)};
  }

  fs::path dir_;
  Context server_ctx_, client_ctx_;
  Bytes to_client_, to_server_;
};

TEST_F(TlsChannel, HandshakesAndCarriesBytesBothWays) {
  auto [client, server] = connected();
  ASSERT_EQ(client.state(), Channel::State::Open) << client.error();
  ASSERT_EQ(server.state(), Channel::State::Open) << server.error();
  EXPECT_EQ(client.version(), "TLSv1.3");
  EXPECT_FALSE(server.cipher().empty());
  const std::string hello = "\x09\x00\x00\x00\x03SELECT 1"s;
  ASSERT_TRUE(client.write(as_bytes(hello)));
  exchange(client, server);
  EXPECT_EQ(as_chars(to_server_), hello);
  ASSERT_TRUE(server.write(as_bytes(std::string("ok"))));
  exchange(client, server);
  EXPECT_EQ(as_chars(to_client_), "ok");
}

// A record cut into single bytes, and many records in one feed, both come out whole.
TEST_F(TlsChannel, RecordsSurviveAnySlicing) {
  auto [client, server] = connected();
  std::string big(100 * 1024, 'x');  // several records
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(client.write(as_bytes(big)));
  exchange(client, server, 1);
  EXPECT_EQ(as_chars(to_server_), big);
  to_server_.clear();
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(client.write(as_bytes(std::string("r") + std::to_string(i))));
  exchange(client, server);  // fifty records in one feed
  std::string expected;
  for (int i = 0; i < 50; ++i) expected += "r" + std::to_string(i);
  EXPECT_EQ(as_chars(to_server_), expected);
}

TEST_F(TlsChannel, CloseNotifyIsACleanEndAndABareFinIsNot) {
  {
    auto [client, server] = connected();
    client.close();
    exchange(client, server);
    EXPECT_EQ(server.state(), Channel::State::Closed);
    EXPECT_TRUE(server.peer_closed_cleanly());
    EXPECT_FALSE(server.peer_dropped());
  }
  {
    auto [client, server] = connected();
    server.on_eof();  // the client's socket closed, no close_notify
    server.pump(to_server_);
    EXPECT_EQ(server.state(), Channel::State::Failed);
    EXPECT_FALSE(server.peer_closed_cleanly());
    EXPECT_TRUE(server.peer_dropped());
    EXPECT_NE(server.error().find("without close_notify"), std::string::npos) << server.error();
  }
}

// A client that verifies finds the wrong name; plaintext where a ClientHello belongs; a flipped
// byte in a record. Each fails its own channel with a reason, and a healthy pair beside it, on
// the same thread, is not disturbed (the error queue is per thread).
TEST_F(TlsChannel, BadInputFailsOnlyItsOwnChannel) {
  auto [healthy_client, healthy_server] = connected();

  auto wrong_name = Channel::create(client_ctx_.get(), Channel::Role::Client, "other.test");
  auto server = Channel::create(server_ctx_.get(), Channel::Role::Server);
  ASSERT_TRUE(wrong_name && server);
  wrong_name->pump(to_client_);
  exchange(*wrong_name, *server);
  EXPECT_EQ(wrong_name->state(), Channel::State::Failed);
  EXPECT_NE(wrong_name->error().find("certificate verify failed"), std::string::npos)
      << wrong_name->error();

  auto plain = Channel::create(server_ctx_.get(), Channel::Role::Server);
  ASSERT_TRUE(plain);
  const std::string query = "\x0b\x00\x00\x00\x03SELECT 1+1"s;
  plain->feed(as_bytes(query));
  plain->pump(to_server_);
  EXPECT_EQ(plain->state(), Channel::State::Failed);
  EXPECT_FALSE(plain->error().empty());

  {
    auto [client, tampered] = connected();
    ASSERT_TRUE(client.write(as_bytes(std::string("secret payload"))));
    Bytes record;
    record.swap(client.encrypted());
    record.back() ^= 0x01;  // the authentication tag
    tampered.feed(record);
    tampered.pump(to_server_);
    EXPECT_EQ(tampered.state(), Channel::State::Failed);
    EXPECT_EQ(as_chars(to_server_).find("secret"), std::string::npos);
  }

  to_server_.clear();
  ASSERT_TRUE(healthy_client.write(as_bytes(std::string("still fine"))));
  exchange(healthy_client, healthy_server);
  EXPECT_EQ(as_chars(to_server_), "still fine");
  EXPECT_EQ(healthy_server.state(), Channel::State::Open);
  EXPECT_EQ(ERR_peek_error(), 0u) << "nothing left in the thread's error queue";
}

TEST(TlsContext, ABadFileIsAnErrorNamingIt) {
  auto missing =
      make_server_context({.cert = "/nonexistent/cert.pem", .key = "/nonexistent/key.pem"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("/nonexistent/cert.pem"), std::string::npos) << missing.error();
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace gw::tls
