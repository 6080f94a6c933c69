#pragma once
// Builders for scripted session tests: protocol messages as the wire carries them.

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/bytes.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/handshake.h"
#include "protocol/response.h"
#include "session/session.h"

namespace gw::session::testing {

namespace cap = protocol::cap;

// What a MariaDB 10.11 greeting offers, compression and TLS included.
inline constexpr std::uint64_t kServerCapabilities =
    cap::kLongFlag | cap::kFoundRows | cap::kConnectWithDb | cap::kCompress | cap::kLocalFiles |
    cap::kProtocol41 | cap::kSsl | cap::kTransactions | cap::kSecureConnection |
    cap::kMultiStatements | cap::kMultiResults | cap::kPsMultiResults | cap::kPluginAuth |
    cap::kConnectAttrs | cap::kPluginAuthLenencData | cap::kSessionTrack | cap::kDeprecateEof |
    cap::kMariadbProgress | cap::kMariadbStmtBulkOperations | cap::kMariadbExtendedMetadata |
    cap::kMariadbCacheMetadata;

inline constexpr std::uint8_t kQuery = static_cast<std::uint8_t>(protocol::Command::Query);
// COM_QUIT as the wire carries it.
inline const Bytes kComQuit = {0x01, 0x00, 0x00, 0x00, 0x01};

inline Bytes packet(std::uint8_t seq, ByteView payload) {
  Bytes out;
  protocol::append_message(payload, seq, out);
  return out;
}
inline Bytes packet(std::uint8_t seq, std::string_view payload) {
  return packet(seq, as_bytes(payload));
}
inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

inline Bytes greeting_payload(std::uint32_t connection_id = 42,
                              std::uint64_t capabilities = kServerCapabilities) {
  protocol::Greeting greeting;
  greeting.server_version = "5.5.5-10.11.19-MariaDB-0+deb12u1";
  greeting.connection_id = connection_id;
  greeting.auth_data = "abcdefgh123456789012";
  greeting.capabilities = capabilities;
  greeting.charset = 45;
  greeting.status = protocol::status::kAutocommit;
  greeting.auth_plugin = "mysql_native_password";
  Bytes out;
  protocol::encode_greeting(greeting, out);
  return out;
}

inline Bytes response_payload(std::uint64_t capabilities, std::string user = "app",
                              std::string plugin = "mysql_native_password",
                              std::string auth_response = std::string(20, 'x')) {
  protocol::HandshakeResponse response;
  response.capabilities = capabilities;
  response.max_packet_size = 16 * 1024 * 1024;
  response.charset = 45;
  response.user = std::move(user);
  response.auth_response = std::move(auth_response);
  response.auth_plugin = std::move(plugin);
  response.has_auth_plugin = true;
  response.attributes = {{"_client_name", "libmariadb"}, {"program_name", "mysql"}};
  response.has_attributes = true;
  Bytes out;
  protocol::encode_handshake_response(response, out);
  return out;
}

inline Bytes ok_payload(std::uint16_t status = protocol::status::kAutocommit,
                        std::uint64_t affected = 0, std::uint8_t header = protocol::kOkHeader,
                        std::uint64_t capabilities = cap::kProtocol41 | cap::kTransactions) {
  protocol::OkPacket ok;
  ok.header = header;
  ok.status = status;
  ok.affected_rows = affected;
  Bytes out;
  protocol::encode_ok(ok, capabilities, out);
  return out;
}

inline Bytes eof_payload(std::uint16_t status = protocol::status::kAutocommit) {
  Bytes out;
  protocol::encode_eof({0, status}, out);
  return out;
}

inline Bytes err_payload(std::uint16_t code, std::string message) {
  Bytes out;
  protocol::encode_err({code, "28000", std::move(message)}, cap::kProtocol41, out);
  return out;
}

inline Bytes command(std::uint8_t cmd, std::string_view arg = {}) {
  // Sized first: GCC 12 warns (array-bounds, falsely) about growing a one-byte vector here.
  Bytes payload(1 + arg.size());
  payload[0] = cmd;
  std::copy(arg.begin(), arg.end(), payload.begin() + 1);
  return packet(0, payload);
}

// A one-column result set's head, packets 1 to 3: column count, definition, EOF.
inline Bytes one_column_header() {
  return concat({packet(1, Bytes{1}),
                 packet(2,
                        "\x03"
                        "def"),
                 packet(3, eof_payload())});
}

// A Session driven the way the proxy drives it: every call's actions are carried out into
// buffers and flags that tests read, and kept in order in `log` for tests of the order itself.
class ScriptedSession {
 public:
  explicit ScriptedSession(SessionSettings settings = {}) : session_(std::move(settings)) {
    apply(session_.start());
  }

  void on_upstream_connected() { apply(session_.on_upstream_connected()); }
  void on_upstream_unreachable(std::string_view detail) {
    apply(session_.on_upstream_unreachable(detail));
  }
  void refuse_client(std::uint16_t code, std::string_view sql_state, std::string_view message) {
    apply(session_.refuse_client(code, sql_state, message));
  }
  void shutdown(bool now = false, bool just_connected = false) {
    apply(session_.shutdown(now, just_connected));
  }
  void on_client_data(ByteView bytes) { apply(session_.on_client_data(bytes)); }
  void on_server_data(ByteView bytes) { apply(session_.on_server_data(bytes)); }
  void on_client_eof(ClientEnd end = ClientEnd::Fin) { apply(session_.on_client_eof(end)); }
  void on_server_eof() { apply(session_.on_server_eof()); }
  void on_close_timeout() { apply(session_.on_close_timeout()); }
  void on_greeting_timeout(std::string_view detail) { apply(session_.on_greeting_timeout(detail)); }
  void on_handshake_timeout(std::string_view detail) {
    apply(session_.on_handshake_timeout(detail));
  }
  void offer_handshake_credentials(const ControlCredentials& credentials) {
    apply(session_.offer_handshake_credentials(credentials));
  }

  // What the actions amounted to so far.
  Bytes& to_client() { return to_client_; }
  Bytes& to_server() { return to_server_; }
  bool close_client() const { return client_close_.has_value(); }
  bool close_server() const { return server_close_.has_value(); }
  // The client leg was let go: closed without flushing what was queued for it.
  bool client_gone() const { return client_close_ == CloseLeg::How::Drop; }
  bool reset_server() const { return server_close_ == CloseLeg::How::Reset; }
  std::optional<KillRequest> take_kill_request() {
    if (kills_.empty()) return std::nullopt;
    KillRequest kill = kills_.front();
    kills_.erase(kills_.begin());
    return kill;
  }
  std::vector<SessionEvent> take_events() { return std::exchange(events_, {}); }
  Timer timer() const { return timer_; }
  // The close timer is armed: the ending is bounded by close_timeout.
  bool ending_is_bounded() const { return timer_ == Timer::Close; }
  int cancels_done() const { return cancels_done_; }
  int quits_sent() const { return quits_sent_; }
  // Every action of every call, in order.
  std::vector<Action> log;

  Session::Phase phase() const { return session_.phase(); }
  CloseReason close_reason() const { return session_.close_reason(); }
  UpstreamEnd upstream_end() const { return session_.upstream_end(); }
  const std::string& close_detail() const { return session_.close_detail(); }
  const SessionInfo& info() const { return session_.info(); }
  std::uint16_t server_error_code() const { return session_.server_error_code(); }
  const Exchange& exchange() const { return session_.exchange(); }
  bool in_transaction() const { return session_.in_transaction(); }
  bool client_backlogged() const { return session_.client_backlogged(); }
  bool holds_server_reads() const { return session_.holds_server_reads(); }
  void cancel_acknowledged() { session_.cancel_acknowledged(); }
  std::size_t held_bytes() const { return session_.held_bytes(); }
  const std::vector<StartTls>& tls_starts() const { return tls_starts_; }
  bool client_tls() const { return session_.client_tls(); }
  bool server_tls() const { return session_.server_tls(); }
  void on_tls_failed(Leg leg, std::string_view detail) {
    apply(session_.on_tls_failed(leg, detail));
  }

 private:
  void apply(Actions& actions) {
    for (Action& action : actions) {
      log.push_back(action);
      if (auto* send = std::get_if<Send>(&action)) {
        Bytes& out = send->leg == Leg::Client ? to_client_ : to_server_;
        out.insert(out.end(), send->bytes.begin(), send->bytes.end());
      } else if (auto* close = std::get_if<CloseLeg>(&action)) {
        (close->leg == Leg::Client ? client_close_ : server_close_) = close->how;
      } else if (auto* start = std::get_if<StartTls>(&action)) {
        tls_starts_.push_back(*start);
        // What follows on that leg is what the proxy puts inside TLS: kept apart, so tests see
        // exactly what went out before the switch.
      } else if (auto* kill = std::get_if<KillRequest>(&action)) {
        kills_.push_back(*kill);
      } else if (auto* timer = std::get_if<ArmTimer>(&action)) {
        timer_ = timer->timer;
      } else if (std::holds_alternative<CancelDone>(action)) {
        ++cancels_done_;
      } else if (std::holds_alternative<QuitSent>(action)) {
        ++quits_sent_;
      } else if (auto* auth = std::get_if<AuthResultEvent>(&action)) {
        events_.emplace_back(*auth);
      } else if (auto* begin = std::get_if<CommandBeginEvent>(&action)) {
        events_.emplace_back(*begin);
      } else if (auto* end = std::get_if<CommandEndEvent>(&action)) {
        events_.emplace_back(*end);
      }
    }
  }

  Session session_;
  Bytes to_client_;
  Bytes to_server_;
  std::optional<CloseLeg::How> client_close_;
  std::optional<CloseLeg::How> server_close_;
  std::vector<KillRequest> kills_;
  std::vector<StartTls> tls_starts_;
  std::vector<SessionEvent> events_;
  Timer timer_ = Timer::None;
  int cancels_done_ = 0;
  int quits_sent_ = 0;
};

inline KillRequest kill_query(std::uint32_t id) { return {id, KillRequest::Kind::Query}; }
inline KillRequest kill_connection(std::uint32_t id) { return {id, KillRequest::Kind::Connection}; }

inline Bytes take(Bytes& buffer) {
  Bytes out;
  out.swap(buffer);
  return out;
}

}  // namespace gw::session::testing
