// control::ControlService against a scripted server on loopback TCP: it logs in (by host name),
// runs statements in order, repeats a KILL QUERY until the cancel finishes, gives up on a refused
// one, and stops within its bounds whatever the server does. Every test ends with
// uv_loop_close() == 0.

#include "control/control_service.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "net/listener.h"
#include "net/stream.h"
#include "net/timer.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/handshake.h"
#include "protocol/response.h"

namespace gw::control {
namespace {

using namespace std::chrono_literals;
namespace cap = protocol::cap;

// No CLIENT_DEPRECATE_EOF: result sets end with EOF packets.
constexpr std::uint64_t kCapabilities = cap::kLongFlag | cap::kProtocol41 | cap::kTransactions |
                                        cap::kSecureConnection | cap::kPluginAuth |
                                        cap::kPluginAuthLenencData | cap::kMultiResults;

void lenenc_string(std::string_view text, Bytes& out) {
  out.push_back(static_cast<std::uint8_t>(text.size()));  // short strings only
  out.insert(out.end(), text.begin(), text.end());
}

// Just enough of a MariaDB server: any login succeeds; SHOW GRANTS, KILL QUERY and SHOW GLOBAL
// STATUS are answered as configured; COM_QUIT closes (unless told to ignore it).
class FakeServer final : public net::StreamObserver {
 public:
  bool grants_all = true;        // SHOW GRANTS lists ALL PRIVILEGES; else it fails (right unknown)
  std::uint16_t kill_error = 0;  // KILL QUERY answered with this ERR; 0 for OK
  bool close_on_quit = true;

  std::vector<std::string> queries;
  int quits = 0;
  int closed = 0;

  void attach(net::Stream* stream) {
    stream_ = stream;
    protocol::Greeting greeting;
    greeting.server_version = "5.5.5-10.11.19-MariaDB";
    greeting.connection_id = 7;
    greeting.auth_data = "abcdefgh123456789012";
    greeting.capabilities = kCapabilities;
    greeting.charset = 45;
    greeting.status = protocol::status::kAutocommit;
    greeting.auth_plugin = "mysql_native_password";
    Bytes payload;
    protocol::encode_greeting(greeting, payload);
    send(0, payload);
    stream_->start_reading();
  }
  std::size_t count(const std::string& sql) const {
    return static_cast<std::size_t>(std::count(queries.begin(), queries.end(), sql));
  }

  void on_read(net::Stream&, ByteView bytes) override {
    in_.insert(in_.end(), bytes.begin(), bytes.end());
    while (in_.size() >= 4) {
      const std::size_t length = in_[0] | (in_[1] << 8) | (in_[2] << 16);
      if (in_.size() < 4 + length) return;
      const std::uint8_t seq = in_[3];
      const Bytes payload(in_.begin() + 4, in_.begin() + 4 + static_cast<std::ptrdiff_t>(length));
      in_.erase(in_.begin(), in_.begin() + 4 + static_cast<std::ptrdiff_t>(length));
      handle(seq, payload);
    }
  }
  void on_read_end(net::Stream& stream, int) override { stream.close(); }
  void on_written(net::Stream&) override {}
  void on_closed(net::Stream&) override {
    stream_ = nullptr;
    ++closed;
  }

 private:
  void handle(std::uint8_t seq, const Bytes& payload) {
    if (!logged_in_) {
      logged_in_ = true;
      send(static_cast<std::uint8_t>(seq + 1), ok());
      return;
    }
    if (payload.at(0) == 0x01) {
      ++quits;
      if (close_on_quit && stream_ != nullptr) stream_->close();
      return;
    }
    const std::string sql(payload.begin() + 1, payload.end());
    queries.push_back(sql);
    if (sql == "SHOW GRANTS") {
      if (grants_all) {
        result_set({"Grants for gw@%"}, {{"GRANT ALL PRIVILEGES ON *.* TO `gw`@`%`"}});
      } else {
        send(1, err(1142, "SHOW GRANTS command denied"));
      }
    } else if (sql.starts_with("KILL QUERY")) {
      send(1, kill_error == 0 ? ok() : err(kill_error, "You are not owner of thread"));
    } else if (sql.starts_with("SHOW GLOBAL STATUS")) {
      result_set({"Variable_name", "Value"}, {{"Aborted_clients", "3"}, {"Aborted_connects", "4"}});
    } else {
      send(1, ok());
    }
  }
  void result_set(const std::vector<std::string>& columns,
                  const std::vector<std::vector<std::string>>& rows) {
    std::uint8_t seq = 1;
    send(seq++, Bytes{static_cast<std::uint8_t>(columns.size())});
    for (const auto& name : columns) {
      Bytes definition;
      for (std::string_view part : {"def", "", "", ""}) lenenc_string(part, definition);
      lenenc_string(name, definition);
      lenenc_string("", definition);
      definition.insert(definition.end(), {0x0c, 33, 0, 0, 1, 0, 0, 0xfd, 0, 0, 0, 0, 0});
      send(seq++, definition);
    }
    send(seq++, eof());
    for (const auto& row : rows) {
      Bytes values;
      for (const auto& value : row) lenenc_string(value, values);
      send(seq++, values);
    }
    send(seq++, eof());
  }
  static Bytes ok() {
    Bytes out;
    protocol::OkPacket packet;
    packet.status = protocol::status::kAutocommit;
    protocol::encode_ok(packet, kCapabilities, out);
    return out;
  }
  static Bytes eof() {
    Bytes out;
    protocol::encode_eof({0, protocol::status::kAutocommit}, out);
    return out;
  }
  static Bytes err(std::uint16_t code, std::string message) {
    Bytes out;
    protocol::encode_err({code, "HY000", std::move(message)}, kCapabilities, out);
    return out;
  }
  void send(std::uint8_t seq, const Bytes& payload) {
    if (stream_ == nullptr) return;
    Bytes out;
    protocol::append_message(payload, seq, out);
    stream_->write(out);
  }

  net::Stream* stream_ = nullptr;
  Bytes in_;
  bool logged_in_ = false;
};

class ControlServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }
  void TearDown() override {
    if (listener_ != nullptr) listener_->close();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle or request outlived its test";
  }

  // A fake server on `host`; returns the settings that reach it by that name.
  ControlService::Settings serve(const std::string& host) {
    auto listener = net::Listener::start(&loop_, host, 0, {}, [this](net::Listener& accepting) {
      if (net::Stream* stream = accepting.accept(server_)) server_.attach(stream);
    });
    EXPECT_TRUE(listener) << listener.error();
    listener_ = *listener;
    return settings_for(host, listener_->port());
  }
  static ControlService::Settings settings_for(const std::string& host, std::uint16_t port) {
    ControlService::Settings settings;
    settings.upstream = {net::Target::Kind::Tcp, host, port, {}};
    settings.credentials = {"gw", "secret"};
    settings.connect_timeout = 2s;
    settings.close_timeout = 1s;
    return settings;
  }
  template <typename F>
  void run_until(F done) {
    while (!done() && uv_run(&loop_, UV_RUN_ONCE) != 0) {
    }
  }
  // Runs the loop for `duration` (what should not happen has that long to happen).
  void run_for(std::chrono::milliseconds duration) {
    bool over = false;
    net::Timer* timer = net::Timer::create(&loop_, [&] { over = true; });
    timer->start(duration);
    run_until([&] { return over; });
    timer->close();
  }
  void stop(ControlService& service, bool now = false) {
    bool stopped = false;
    service.stop(now, [&] { stopped = true; });
    run_until([&] { return stopped; });
    ASSERT_TRUE(stopped);
  }

  uv_loop_t loop_{};
  FakeServer server_;
  net::Listener* listener_ = nullptr;
};

TEST_F(ControlServiceTest, LogsInByNameRunsStatementsInOrderAndQuits) {
  ControlService service(&loop_, serve("localhost"));
  int logins = 0;
  service.on_logged_in([&] { ++logins; });
  std::optional<std::optional<AbortCounters>> counters;
  // Asked before start(): queued until the login.
  service.read_abort_counters([&](std::optional<AbortCounters> read) { counters = read; });
  EXPECT_EQ(service.handshake_credentials(), nullptr);
  service.start();
  run_until([&] { return counters.has_value(); });
  ASSERT_TRUE(counters && *counters);
  EXPECT_EQ((*counters)->clients, 3);
  EXPECT_EQ((*counters)->connects, 4);
  EXPECT_TRUE(service.ready());
  EXPECT_EQ(logins, 1);
  ASSERT_NE(service.handshake_credentials(), nullptr);
  EXPECT_EQ(service.handshake_credentials()->user, "gw");
  ASSERT_EQ(server_.queries.size(), 2u);
  EXPECT_EQ(server_.queries[0], "SHOW GRANTS") << "the right to KILL is asked first";
  EXPECT_TRUE(server_.queries[1].starts_with("SHOW GLOBAL STATUS"));
  stop(service);
  EXPECT_EQ(server_.quits, 1);
  EXPECT_FALSE(service.ready());
  EXPECT_EQ(service.handshake_credentials(), nullptr);
}

TEST_F(ControlServiceTest, AKillIsRepeatedUntilTheCancelFinishes) {
  ControlService service(&loop_, serve("127.0.0.1"));
  service.start();
  run_until([&] { return service.ready() && server_.queries.size() == 1; });
  int answered = 0;
  service.cancel_query(55, 1, [&] { ++answered; });
  EXPECT_EQ(answered, 0) << "not before the server answered";
  run_until([&] { return answered == 1; });
  EXPECT_EQ(server_.count("KILL QUERY 55"), 1u) << "heard at the first answer";
  run_for(1200ms);
  EXPECT_EQ(answered, 1) << "once, not at every retry";
  EXPECT_GE(server_.count("KILL QUERY 55"), 2u) << "asked again every 500 ms";
  EXPECT_LE(server_.count("KILL QUERY 55"), 4u);
  service.cancel_finished(1);
  const std::size_t sent = server_.count("KILL QUERY 55");
  run_for(1100ms);
  EXPECT_EQ(server_.count("KILL QUERY 55"), sent) << "nothing after cancel_finished";
  service.kill_connection(56);
  run_until([&] { return server_.count("KILL CONNECTION 56") == 1; });
  stop(service);
}

TEST_F(ControlServiceTest, ARefusedKillIsNotRepeatedAndLaterCancelsAreNotSent) {
  server_.grants_all = false;  // the right is unknown: KILL QUERY is tried
  server_.kill_error = 1095;
  ControlService service(&loop_, serve("127.0.0.1"));
  service.start();
  run_until([&] { return service.ready() && server_.queries.size() == 1; });
  int answered = 0;
  service.cancel_query(55, 1, [&] { ++answered; });
  run_for(1200ms);
  EXPECT_EQ(server_.count("KILL QUERY 55"), 1u) << "a refusal is not retried";
  EXPECT_EQ(answered, 1) << "a refusal is an answer: the response is read to its end";
  bool not_sent_answered = false;
  service.cancel_query(57, 2, [&] { not_sent_answered = true; });
  EXPECT_TRUE(not_sent_answered) << "no KILL will be sent: said at once";
  run_for(600ms);
  EXPECT_EQ(server_.count("KILL QUERY 57"), 0u) << "the account may not: the statement finishes";
  stop(service);
}

TEST_F(ControlServiceTest, AServiceNeverStartedStopsAndAnswersWhatWasAsked) {
  ControlService service(&loop_, settings_for("127.0.0.1", 1));
  std::optional<std::optional<AbortCounters>> counters;
  service.read_abort_counters([&](std::optional<AbortCounters> read) { counters = read; });
  EXPECT_FALSE(counters) << "queued for a start()";
  stop(service);
  ASSERT_TRUE(counters);
  EXPECT_FALSE(*counters) << "nothing to read them with";
}

TEST_F(ControlServiceTest, AnUnreachableServerIsNamedAndQueuedStatementsFailAtStop) {
  // A port nobody listens on: one a listener had, closed again.
  auto closed = net::Listener::start(&loop_, "127.0.0.1", 0, {}, [](net::Listener&) {});
  ASSERT_TRUE(closed);
  const std::uint16_t port = (*closed)->port();
  (*closed)->close();
  ControlService service(&loop_, settings_for("127.0.0.1", port));
  service.start();
  std::optional<std::optional<AbortCounters>> counters;
  service.read_abort_counters([&](std::optional<AbortCounters> read) { counters = read; });
  run_until([&] { return !service.last_error().empty(); });
  EXPECT_EQ(service.last_error(),
            "cannot connect to 127.0.0.1:" + std::to_string(port) + ": connection refused (111)");
  EXPECT_FALSE(service.ready());
  EXPECT_FALSE(counters) << "still queued for the next attempt";
  stop(service);
  ASSERT_TRUE(counters);
  EXPECT_FALSE(*counters);
  EXPECT_FALSE(service.last_error().empty()) << "kept once the connection is gone";
}

TEST_F(ControlServiceTest, ASecondStopNowCutsShortAQuitTheServerIgnores) {
  server_.close_on_quit = false;
  ControlService service(&loop_, serve("127.0.0.1"));
  service.start();
  run_until([&] { return service.ready() && server_.queries.size() == 1; });
  bool stopped = false;
  const auto began = std::chrono::steady_clock::now();
  service.stop(false, [&] { stopped = true; });
  run_until([&] { return server_.quits == 1; });
  service.stop(true, [] { FAIL() << "a second stop's callback is not kept"; });
  run_until([&] { return stopped; });
  EXPECT_TRUE(stopped);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 500ms) << "close_timeout is 1 s";
}

}  // namespace
}  // namespace gw::control
