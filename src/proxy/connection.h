#pragma once
// Connection: one client socket, its upstream socket and the Session between them. It pumps
// bytes from the sockets into the session and carries out the actions the session returns, in
// order: writes, closes, KILLs, the one timer. It adds what only it knows: the water marks of
// each write queue (backpressure), clocks and byte counts for the event log. It deletes itself
// once its last handle is closed.
//
//   accepted ──► connecting upstream ──► pumping ──► closing ──► all handles closed

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "net/stream.h"
#include "proxy/event_recorder.h"
#include "session/session.h"
#include "tls/tls_leg.h"

namespace spdlog {
class logger;
}
namespace gw::net {
class Listener;
class Timer;
}  // namespace gw::net

namespace gw::proxy {

class Proxy;

class Connection final : public net::StreamObserver {
 public:
  Connection(Proxy& proxy, std::uint64_t id);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Accepts the pending client from `listener` and starts connecting upstream; with
  // `over_capacity` the client gets ERR 1040 instead and is closed.
  void start(net::Listener& listener, bool over_capacity);
  // Proxy shutdown: end this session as soon as the protocol allows; with `now` (drain
  // deadline, second signal) without waiting for commands or transactions.
  void shutdown(bool now);
  // Second signal or drain deadline: close both sides now.
  void abort();
  // The control connection logged in after this session began.
  void offer_handshake_credentials(const session::ControlCredentials& credentials) {
    apply(session_.offer_handshake_credentials(credentials));
  }
  // The event log has room again: read the client again if the log had paused it.
  void on_event_log_room();
  // The server answered this session's KILL QUERY: a response held unread is read again.
  void cancel_answered();
  std::uint64_t id() const { return id_; }

  void on_read(net::Stream& stream, ByteView bytes) override;
  void on_read_end(net::Stream& stream, int status) override;
  void on_written(net::Stream& stream) override;
  void on_closed(net::Stream& stream) override;

 private:
  ~Connection() override = default;
  void connect_upstream();
  void on_connected(int status);
  void upstream_failed(int status);
  void on_timer();
  // Carries out the session's actions, in order.
  void apply(session::Actions& actions);
  void send(session::Send& send);
  void close_leg(const session::CloseLeg& close);
  void start_tls(session::StartTls& start);
  // Writes what TLS produced for a leg's socket; reports a failed handshake to the session.
  void flush_tls(session::Leg leg);
  void deliver_plaintext(session::Leg leg, Bytes& plain);
  void note_tls();  // each leg's TLS, for the auth record
  void report_tls_failure(session::Leg leg, const std::string& error);
  void kill(const session::KillRequest& kill);
  void arm(session::Timer timer);
  void count_sent(session::Leg leg, std::size_t bytes);
  void update_reading();
  void maybe_finish();

  Proxy& proxy_;
  std::uint64_t id_;
  std::shared_ptr<spdlog::logger> log_;
  session::Session session_;
  // The TLS contexts when the session began: a reload gives new sessions new ones, and this
  // session keeps its own to its end.
  std::shared_ptr<ssl_ctx_st> client_tls_context_;
  std::shared_ptr<ssl_ctx_st> server_tls_context_;
  std::string server_tls_name_;
  EventRecorder recorder_;
  std::size_t client_bytes_unrecorded_ = 0;  // read from the client, not yet given to recorder_
  net::Stream* client_ = nullptr;
  net::Stream* server_ = nullptr;
  std::unique_ptr<tls::TlsLeg> client_tls_;  // set once the client's leg started TLS
  std::unique_ptr<tls::TlsLeg> server_tls_;
  bool tls_failure_reported_ = false;
  std::string client_tls_end_;  // "close_notify" or "none" once the client's TLS ended
  Bytes early_client_plain_;    // decrypted while the session's actions were being carried out
  std::optional<std::pair<session::Leg, std::string>> tls_start_failure_;  // likewise
  net::Timer* timer_ = nullptr;
  session::Timer armed_ = session::Timer::None;  // what timer_ bounds now
  std::string client_address_;
  bool server_connected_ = false;  // Stream::connect reported success
  bool finishing_ = false;
  // Hysteresis of the water marks: set past high_water, cleared below low_water.
  bool client_paused_ = false;  // not reading the client: the server's queue is full
  bool server_paused_ = false;  // not reading the server: the client's queue is full
  std::chrono::steady_clock::time_point started_;
  std::optional<std::chrono::steady_clock::time_point> quit_sent_;
  std::chrono::steady_clock::time_point upstream_connect_started_{};
  std::chrono::steady_clock::time_point command_started_{};  // for the metrics' histogram
};

}  // namespace gw::proxy
