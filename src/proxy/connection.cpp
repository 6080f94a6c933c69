#include "proxy/connection.h"

#include <spdlog/spdlog.h>

#include "eventlog/redact.h"
#include "net/listener.h"
#include "net/resolver.h"
#include "proxy/proxy.h"

namespace gw::proxy {

using session::Session;

namespace {

std::string peer_name(uv_tcp_t* tcp) {
  sockaddr_storage address{};
  int length = sizeof(address);
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    uv_ip6_name(v6, host, sizeof(host));
    return fmt::format("[{}]:{}", host, ntohs(v6->sin6_port));
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
  uv_ip4_name(v4, host, sizeof(host));
  return fmt::format("{}:{}", host, ntohs(v4->sin_port));
}

}  // namespace

Connection::Connection(Proxy& proxy, std::uint64_t id)
    : proxy_(proxy),
      id_(id),
      log_(proxy.session_log()),
      session_(proxy.session_settings()),
      recorder_(proxy.settings().event_log, id),
      started_(std::chrono::steady_clock::now()) {
  uv_timer_init(proxy.loop(), &timer_);
  timer_.data = this;
}

void Connection::start(uv_stream_t* server, bool over_capacity) {
  client_ = net::Stream::create(proxy_.loop(), net::Stream::Kind::Tcp, *this);
  if (uv_accept(server, client_->handle()) != 0) {
    client_->close();
    session_.on_client_eof();
    pump();
    return;
  }
  uv_tcp_nodelay(client_->tcp(), 1);
  client_address_ = peer_name(client_->tcp());
  if (over_capacity) {
    log_->warn("[s{}] client {} refused: {} connections already open", id_, client_address_,
               proxy_.settings().max_connections);
    session_.refuse_client(1040, "08004", "Too many connections");
    pump();
    return;
  }
  log_->debug("[s{}] client {} connected", id_, client_address_);
  recorder_.on_connect(client_address_, proxy_.settings().listen.to_string());
  connect_upstream();
}

void Connection::connect_upstream() {
  const config::Endpoint& upstream = proxy_.settings().upstream;
  start_timer(proxy_.settings().connect_timeout);
  if (upstream.kind == config::Endpoint::Kind::Unix) {
    server_ = net::Stream::create(proxy_.loop(), net::Stream::Kind::Pipe, *this);
    connect_req_.data = this;
    uv_pipe_connect(&connect_req_, server_->pipe(), upstream.path.c_str(), on_connected);
    return;
  }
  // A literal address answers at once; a name is looked up off the loop thread, the same way
  // for the control connection (net/resolver.h).
  resolving_ = true;
  net::Resolver::start(
      proxy_.loop(), upstream.host, upstream.port,
      [this](int status, const sockaddr* address) { on_resolved(status, address); });
}

void Connection::on_resolved(int status, const sockaddr* address) {
  resolving_ = false;
  if (!session_.close_client()) {
    if (status == 0) {
      connect_resolved(address);
    } else {
      upstream_failed(status);
    }
  }
  maybe_finish();
}

void Connection::connect_resolved(const sockaddr* address) {
  server_ = net::Stream::create(proxy_.loop(), net::Stream::Kind::Tcp, *this);
  connect_req_.data = this;
  const int rc = uv_tcp_connect(&connect_req_, server_->tcp(), address, on_connected);
  if (rc != 0) upstream_failed(rc);
}

void Connection::on_connected(uv_connect_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  if (status == UV_ECANCELED) return;  // closed while connecting
  uv_timer_stop(&self->timer_);
  if (status != 0) {
    self->upstream_failed(status);
    return;
  }
  if (self->server_->kind() == net::Stream::Kind::Tcp) uv_tcp_nodelay(self->server_->tcp(), 1);
  self->connected_ = true;
  const Session::Phase before = self->session_.phase();
  self->session_.on_upstream_connected();
  self->log_phase_change(before);
  self->pump();
}

void Connection::upstream_failed(int status) {
  const std::string upstream = proxy_.settings().upstream.to_string();
  const std::string detail = fmt::format("'{}' ({})", upstream, net::uv_reason(status));
  log_->warn("[s{}] cannot connect to upstream {}", id_, detail);
  session_.on_upstream_unreachable(detail);
  pump();
}

void Connection::on_timer(uv_timer_t* timer) {
  auto* self = static_cast<Connection*>(timer->data);
  if (!self->connected_ && self->session_.phase() == Session::Phase::Connecting) {
    self->upstream_failed(UV_ETIMEDOUT);
    return;
  }
  if (!self->close_timer_started_ && self->login_timer_ != LoginTimer::None) {
    self->login_timed_out();
    return;
  }
  self->log_->warn("[s{}] {} did not complete within close_timeout ({} ms); closing now", self->id_,
                   to_string(self->session_.phase()),
                   self->proxy_.settings().close_timeout.count());
  self->session_.on_close_timeout();
  self->abort();
}

// The server must greet within greeting_timeout, and the client answer the greeting within
// handshake_timeout; without them a server that accepts and never speaks, or a client that
// connects and says nothing, holds a slot for ever.
void Connection::update_login_timer() {
  if (close_timer_started_) return;  // the ending's own bound has taken over the timer
  LoginTimer wanted = LoginTimer::None;
  if (session_.phase() == Session::Phase::Greeting) wanted = LoginTimer::Greeting;
  if (session_.phase() == Session::Phase::Handshake && !session_.client_gone()) {
    wanted = LoginTimer::Handshake;
  }
  if (wanted == login_timer_) return;
  login_timer_ = wanted;
  const auto& settings = proxy_.settings();
  switch (wanted) {
    case LoginTimer::None:
      uv_timer_stop(&timer_);
      return;
    case LoginTimer::Greeting:
      start_timer(settings.greeting_timeout);
      return;
    case LoginTimer::Handshake:
      start_timer(settings.handshake_timeout);
      return;
  }
}

void Connection::login_timed_out() {
  const auto& settings = proxy_.settings();
  const Session::Phase before = session_.phase();
  if (login_timer_ == LoginTimer::Greeting) {
    const std::string detail =
        fmt::format("the server did not greet within {} ms", settings.greeting_timeout.count());
    log_->warn("[s{}] upstream {}: {}", id_, settings.upstream.to_string(), detail);
    session_.on_greeting_timeout(detail);
  } else {
    const std::string detail =
        fmt::format("no handshake response within {} ms", settings.handshake_timeout.count());
    log_->warn("[s{}] client {}: {}", id_, client_address_, detail);
    session_.on_handshake_timeout(detail);
  }
  login_timer_ = LoginTimer::None;
  log_phase_change(before);
  pump();
}

void Connection::start_timer(std::chrono::milliseconds timeout) {
  uv_timer_start(&timer_, on_timer, static_cast<std::uint64_t>(timeout.count()), 0);
}

void Connection::on_read(net::Stream& stream, ByteView bytes) {
  const Session::Phase before = session_.phase();
  if (&stream == client_) {
    client_bytes_unrecorded_ += bytes.size();
    session_.on_client_data(bytes);
  } else {
    session_.on_server_data(bytes);
  }
  log_phase_change(before);
  pump();
}

void Connection::on_read_end(net::Stream& stream, int status) {
  const Session::Phase before = session_.phase();
  if (&stream == client_) {
    if (status != 0) log_->debug("[s{}] client read failed: {}", id_, net::uv_reason(status));
    session_.on_client_eof(status == 0 ? session::ClientEnd::Fin : session::ClientEnd::Reset);
  } else {
    if (status != 0) log_->debug("[s{}] upstream read failed: {}", id_, net::uv_reason(status));
    session_.on_server_eof();
  }
  log_phase_change(before);
  pump();
}

void Connection::on_written(net::Stream&) { update_reading(); }

void Connection::on_event_log_room() {
  if (recorder_.take_room()) update_reading();
}

void Connection::shutdown(bool now) {
  const Session::Phase before = session_.phase();
  session_.shutdown(now);
  log_phase_change(before);
  pump();
}

void Connection::abort() {
  if (client_ != nullptr) client_->close();
  if (server_ != nullptr) server_->close();
  if (client_ == nullptr && server_ == nullptr) maybe_finish();
}

// Moves the session's output onto the sockets and carries out what it asked for.
void Connection::pump() {
  if (recorder_.enabled()) {
    // Order matters for the per-command byte counts: a response's bytes belong to the command
    // that ends with it, and a request's bytes to the command that begins with it.
    recorder_.on_bytes_to_client(session_.to_client().size());
    recorder_.on_events(session_, session_.take_events(), std::chrono::steady_clock::now());
    recorder_.on_bytes_from_client(std::exchange(client_bytes_unrecorded_, 0));
  }
  if (client_ != nullptr && !session_.to_client().empty()) client_->write(session_.to_client());
  if (server_ != nullptr && connected_ && !session_.to_server().empty()) {
    server_->write(session_.to_server());
  }
  session_.to_client().clear();
  if (auto kill = session_.take_kill_request()) {
    if (kill->kind == session::KillRequest::Kind::Query) {
      log_->info("[s{}] cancelling the statement in flight: KILL QUERY {}", id_,
                 kill->server_connection_id);
      proxy_.cancel_query(kill->server_connection_id, id_);
      cancelling_ = true;
    } else {
      log_->info("[s{}] the client left half way through a packet: KILL CONNECTION {}", id_,
                 kill->server_connection_id);
      proxy_.kill_connection(kill->server_connection_id);
    }
  }
  if (cancelling_ && session_.phase() != Session::Phase::Command) {
    cancelling_ = false;
    proxy_.cancel_finished(id_);
  }
  if (session_.phase() == Session::Phase::Quitting && !quit_sent_) {
    quit_sent_ = std::chrono::steady_clock::now();
  }
  close_what_the_session_asks();
  // Every ending step is bounded by close_timeout: a server that never closes after COM_QUIT,
  // a drain after KILL QUERY, a client that never reads what is left to flush.
  if (session_.ending_is_bounded() && !close_timer_started_) {
    close_timer_started_ = true;
    login_timer_ = LoginTimer::None;
    start_timer(proxy_.settings().close_timeout);
  }
  update_login_timer();
  update_reading();
  maybe_finish();
}

void Connection::close_what_the_session_asks() {
  if (session_.close_client() && client_ != nullptr) {
    if (session_.client_gone()) {
      client_->close();  // nobody reads what is still queued
    } else {
      client_->close_after_flush();
    }
  }
  if (session_.close_server() && server_ != nullptr) {
    if (session_.reset_server()) {
      server_->close(/*reset=*/true);  // client_abort = "mirror" of a client's RST
    } else if (connected_) {
      server_->close_after_flush();
    } else {
      server_->close();  // still connecting: nothing was said, nothing to flush
    }
  }
}

void Connection::update_reading() {
  const auto& settings = proxy_.settings();
  // A side that is gone or going holds nothing back: its queue no longer matters.
  if (server_ != nullptr && !server_->closing()) {
    const std::size_t queued = server_->queued_bytes();
    if (queued > settings.high_water) client_paused_ = true;
    if (queued < settings.low_water) client_paused_ = false;
  } else {
    client_paused_ = false;
  }
  if (client_ != nullptr && !client_->closing() && !session_.client_gone()) {
    const std::size_t queued = client_->queued_bytes();
    if (queued > settings.high_water) server_paused_ = true;
    if (queued < settings.low_water) server_paused_ = false;
  } else {
    server_paused_ = false;
  }
  if (client_ != nullptr && !client_->closing()) {
    // An event log that is behind (loss = "block") holds back the session that filled it.
    if (client_paused_ || session_.client_backlogged() || recorder_.over_limit()) {
      client_->stop_reading();
    } else {
      client_->start_reading();
    }
  }
  if (server_ != nullptr && connected_ && !server_->closing()) {
    if (server_paused_) {
      server_->stop_reading();
    } else {
      server_->start_reading();
    }
  }
}

void Connection::log_phase_change(Session::Phase before) {
  const Session::Phase now = session_.phase();
  if (now == before) return;
  const auto& info = session_.info();
  if (now == Session::Phase::Handshake) {
    log_->debug("[s{}] upstream {} connection id {}", id_, info.server_version,
                info.server_connection_id);
  } else if (before == Session::Phase::Auth && now == Session::Phase::Idle) {
    log_->info("[s{}] authenticated user='{}' db='{}' program='{}' client={} server_conn_id={}",
               id_, info.user, info.schema, info.program(), client_address_,
               info.server_connection_id);
  }
}

void Connection::on_closed(net::Stream& stream) {
  if (&stream == client_) client_ = nullptr;
  if (&stream == server_) server_ = nullptr;
  // One side gone for good: the session decides what the other side still needs.
  if (client_ == nullptr && server_ != nullptr && !server_->closing()) {
    session_.on_client_eof();
    pump();
    return;
  }
  maybe_finish();
}

void Connection::maybe_finish() {
  if (client_ != nullptr || server_ != nullptr || resolving_ || finishing_) return;
  finishing_ = true;
  const auto now = std::chrono::steady_clock::now();
  const auto& info = session_.info();
  using std::chrono::milliseconds;
  const auto duration = std::chrono::duration_cast<milliseconds>(now - started_);
  // How long the server took to close after COM_QUIT: the clean ending's own measure.
  std::optional<milliseconds> upstream_close;
  if (quit_sent_ && session_.upstream_end() == session::UpstreamEnd::ComQuitEof) {
    upstream_close = std::chrono::duration_cast<milliseconds>(now - *quit_sent_);
  }
  log_->info("[s{}] closed: {}{}{} upstream={}{} user='{}' server_conn_id={} after {} ms", id_,
             session::to_string(session_.close_reason()),
             session_.close_detail().empty() ? "" : ": ",
             eventlog::redact_error_message(session_.close_detail()),  // may quote the server
             session::to_string(session_.upstream_end()),
             upstream_close ? fmt::format(" in {} ms", upstream_close->count()) : "", info.user,
             info.server_connection_id, duration.count());
  recorder_.on_close(session_, duration, upstream_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* handle) {
    auto* self = static_cast<Connection*>(handle->data);
    self->proxy_.forget(self);
    delete self;
  });
}

}  // namespace gw::proxy
