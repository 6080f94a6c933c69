#pragma once
// Connection: one client socket, its upstream socket and the Session between them. It pumps
// bytes from the sockets into the session and the session's output back onto the sockets,
// applies backpressure with the write-queue water marks, and enforces the timeouts. It deletes
// itself once its last handle is closed.
//
//   accepted ──► connecting upstream (connect_timeout) ──► pumping ──► closing (close_timeout)
//                                                                        └─► all handles closed

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "net/stream.h"
#include "proxy/event_recorder.h"
#include "session/session.h"

namespace spdlog {
class logger;
}

namespace gw::proxy {

class Proxy;

class Connection final : public net::StreamObserver {
 public:
  Connection(Proxy& proxy, std::uint64_t id);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Accepts the pending client on `server` and starts connecting upstream; with
  // `over_capacity` the client gets ERR 1040 instead and is closed.
  void start(uv_stream_t* server, bool over_capacity);
  // Proxy shutdown: end this session as soon as the protocol allows; with `now` (drain
  // deadline, second signal) without waiting for commands or transactions.
  void shutdown(bool now);
  // Second signal or drain deadline: close both sides now.
  void abort();
  // The control connection logged in after this session began.
  void offer_handshake_credentials(const session::ControlCredentials& credentials) {
    session_.offer_handshake_credentials(credentials);
  }
  // The event log has room again: read the client again if the log had paused it.
  void on_event_log_room();
  std::uint64_t id() const { return id_; }

  void on_read(net::Stream& stream, ByteView bytes) override;
  void on_read_end(net::Stream& stream, int status) override;
  void on_written(net::Stream& stream) override;
  void on_closed(net::Stream& stream) override;

 private:
  ~Connection() override = default;
  void connect_upstream();
  void connect_resolved(const sockaddr* address);
  void on_resolved(int status, const sockaddr* address);
  static void on_connected(uv_connect_t* req, int status);
  static void on_timer(uv_timer_t* timer);
  void upstream_failed(int status);
  void pump();
  void close_what_the_session_asks();
  void update_reading();
  void log_phase_change(session::Session::Phase before);
  void start_timer(std::chrono::milliseconds timeout);
  void update_login_timer();
  void login_timed_out();
  void maybe_finish();

  Proxy& proxy_;
  std::uint64_t id_;
  std::shared_ptr<spdlog::logger> log_;
  session::Session session_;
  EventRecorder recorder_;
  std::size_t client_bytes_unrecorded_ = 0;  // read from the client, not yet given to recorder_
  net::Stream* client_ = nullptr;
  net::Stream* server_ = nullptr;
  std::string client_address_;
  uv_connect_t connect_req_{};
  uv_timer_t timer_{};
  bool timer_closed_ = false;
  bool connected_ = false;
  bool resolving_ = false;  // a name lookup pending: its callback points at us
  bool close_timer_started_ = false;
  // What timer_ bounds before the session is authenticated (connect_timeout aside).
  enum class LoginTimer {
    None,       // nothing: authenticating, or past the login
    Greeting,   // the server's greeting, greeting_timeout
    Handshake,  // the client's HandshakeResponse, handshake_timeout
  };
  LoginTimer login_timer_ = LoginTimer::None;
  bool cancelling_ = false;  // a KILL QUERY was asked for and the command has not ended yet
  bool finishing_ = false;
  // Hysteresis of the water marks: set past high_water, cleared below low_water.
  bool client_paused_ = false;  // not reading the client: the server's queue is full
  bool server_paused_ = false;  // not reading the server: the client's queue is full
  std::chrono::steady_clock::time_point started_;
  std::optional<std::chrono::steady_clock::time_point> quit_sent_;
};

}  // namespace gw::proxy
