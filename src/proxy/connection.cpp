#include "proxy/connection.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <utility>
#include <variant>

#include "eventlog/redact.h"
#include "eventlog/session_directory.h"
#include "net/listener.h"
#include "net/timer.h"
#include "proxy/proxy.h"

namespace gw::proxy {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start,
                     std::chrono::steady_clock::time_point now) {
  return std::chrono::duration<double>(now - start).count();
}

}  // namespace

using session::Session;

Connection::Connection(Proxy& proxy, std::uint64_t id)
    : proxy_(proxy),
      id_(id),
      log_(proxy.session_log()),
      session_(proxy.session_settings()),
      client_tls_context_(proxy.settings().client_tls),
      server_tls_context_(proxy.settings().server_tls),
      server_tls_name_(proxy.settings().server_tls_name),
      recorder_(proxy.settings().event_log, id),
      timer_(net::Timer::create(proxy.loop(), [this] { on_timer(); })),
      started_(std::chrono::steady_clock::now()) {}

void Connection::start(net::Listener& listener, bool over_capacity) {
  client_ = listener.accept(*this);
  if (client_ == nullptr) {
    apply(session_.on_client_eof());
    return;
  }
  client_address_ = client_->peer_name();
  if (over_capacity) {
    log_->warn("[s{}] client {} refused: {} connections already open", id_, client_address_,
               proxy_.settings().max_connections);
    ++proxy_.metrics().refused[0];
    apply(session_.refuse_client(1040, "08004", "Too many connections"));
    return;
  }
  log_->debug("[s{}] client {} connected", id_, client_address_);
  recorder_.on_connect(client_address_, proxy_.settings().listen.to_string());
  connect_upstream();
}

// A name is looked up off the loop thread, the same way as for the control connection.
void Connection::connect_upstream() {
  apply(session_.start());
  upstream_connect_started_ = std::chrono::steady_clock::now();
  server_ = net::Stream::connect(proxy_.loop(), proxy_.settings().upstream_target(), *this,
                                 [this](int status) { on_connected(status); });
}

void Connection::on_connected(int status) {
  if (status != 0) return upstream_failed(status);
  server_connected_ = true;
  proxy_.upstream_reached("");
  proxy_.metrics().upstream_connect.observe(
      seconds_since(upstream_connect_started_, std::chrono::steady_clock::now()));
  apply(session_.on_upstream_connected());
}

void Connection::upstream_failed(int status) {
  const std::string upstream = proxy_.settings().upstream.to_string();
  const std::string detail = fmt::format("'{}' ({})", upstream, net::uv_reason(status));
  log_->warn("[s{}] cannot connect to upstream {}", id_, detail);
  proxy_.upstream_reached(detail);
  apply(session_.on_upstream_unreachable(detail));
}

// The session armed the timer for what it waits on; its expiry goes back to the session.
void Connection::on_timer() {
  const auto& settings = proxy_.settings();
  switch (armed_) {
    case session::Timer::None:
      return;
    case session::Timer::Connect:
      return upstream_failed(UV_ETIMEDOUT);
    case session::Timer::Greeting: {
      const std::string detail =
          fmt::format("the server did not {} within {} ms",
                      session_.phase() == Session::Phase::Auth ? "answer inside TLS" : "greet",
                      settings.greeting_timeout.count());
      log_->warn("[s{}] upstream {}: {}", id_, settings.upstream.to_string(), detail);
      return apply(session_.on_greeting_timeout(detail));
    }
    case session::Timer::Handshake: {
      const std::string detail =
          fmt::format("no handshake response within {} ms", settings.handshake_timeout.count());
      log_->warn("[s{}] client {}: {}", id_, client_address_, detail);
      return apply(session_.on_handshake_timeout(detail));
    }
    case session::Timer::Close:
      log_->warn("[s{}] {} did not complete within close_timeout ({} ms); closing now", id_,
                 to_string(session_.phase()), settings.close_timeout.count());
      apply(session_.on_close_timeout());
      return abort();
  }
}

void Connection::arm(session::Timer timer) {
  armed_ = timer;
  const auto& settings = proxy_.settings();
  switch (timer) {
    case session::Timer::None:
      return timer_->stop();
    case session::Timer::Connect:
      return timer_->start(settings.connect_timeout);
    case session::Timer::Greeting:
      return timer_->start(settings.greeting_timeout);
    case session::Timer::Handshake:
      return timer_->start(settings.handshake_timeout);
    case session::Timer::Close:
      return timer_->start(settings.close_timeout);
  }
}

void Connection::on_read(net::Stream& stream, ByteView bytes) {
  const session::Leg leg = &stream == client_ ? session::Leg::Client : session::Leg::Server;
  (leg == session::Leg::Client ? proxy_.metrics().client_bytes_received
                               : proxy_.metrics().server_bytes_received) += bytes.size();
  tls::TlsLeg* tls = leg == session::Leg::Client ? client_tls_.get() : server_tls_.get();
  if (tls == nullptr) {
    if (leg == session::Leg::Client) {
      client_bytes_unrecorded_ += bytes.size();
      apply(session_.on_client_data(bytes));
    } else {
      apply(session_.on_server_data(bytes));
    }
    return;
  }
  Bytes plain;
  tls->on_socket_bytes(bytes, plain);
  flush_tls(leg);
  if (leg == session::Leg::Client && tls->channel().peer_closed_cleanly()) {
    client_tls_end_ = "close_notify";
  }
  if (tls->failed() && !tls_failure_reported_)
    return report_tls_failure(leg, tls->channel().error());
  deliver_plaintext(leg, plain);
  // After its close_notify a client can send nothing more, whether or not its FIN follows: it
  // has left (a client that waits for our close_notify, as an unwrap does, would otherwise wait
  // as long as the session lives).
  if (leg == session::Leg::Client && tls->channel().peer_closed_cleanly() && client_ != nullptr &&
      !client_->closing()) {
    apply(session_.on_client_eof(session::ClientEnd::Fin));
  }
}

void Connection::report_tls_failure(session::Leg leg, const std::string& error) {
  tls_failure_reported_ = true;
  ++proxy_.metrics().tls_failures[leg == session::Leg::Client ? 0 : 1];
  log_->warn("[s{}] TLS with the {} failed: {}", id_,
             leg == session::Leg::Client ? "client" : "server", error);
  apply(session_.on_tls_failed(leg, error));
}

void Connection::deliver_plaintext(session::Leg leg, Bytes& plain) {
  if (plain.empty()) return;
  if (leg == session::Leg::Client) {
    client_bytes_unrecorded_ += plain.size();
    const bool login =
        session_.phase() == Session::Phase::Handshake || session_.phase() == Session::Phase::Auth;
    apply(session_.on_client_data(plain));
    // A login inside TLS may carry a password in the clear (a clear-text plugin's answer).
    if (login) OPENSSL_cleanse(plain.data(), plain.size());
  } else {
    apply(session_.on_server_data(plain));
  }
}

void Connection::start_tls(session::StartTls& start) {
  const bool client = start.leg == session::Leg::Client;
  SSL_CTX* ctx = client ? client_tls_context_.get() : server_tls_context_.get();
  auto& slot = client ? client_tls_ : server_tls_;
  if (ctx == nullptr || slot != nullptr) {
    tls_start_failure_ = {start.leg, "TLS is not configured on this leg"};
    return;
  }
  auto leg =
      tls::TlsLeg::start(ctx, client ? tls::Channel::Role::Server : tls::Channel::Role::Client,
                         client ? std::string() : server_tls_name_);
  if (!leg) {
    tls_start_failure_ = {start.leg, leg.error()};
    return;
  }
  slot = std::move(*leg);
  // The start of the client's ClientHello came with its SSLRequest. It holds no application
  // data (no 0-RTT), but whatever it yields, or a failure it shows, waits until these actions
  // are carried out.
  if (client && !start.early.empty()) slot->on_socket_bytes(start.early, early_client_plain_);
  flush_tls(start.leg);
  if (slot->failed()) tls_start_failure_ = {start.leg, slot->channel().error()};
}

void Connection::note_tls() {
  const auto leg_tls = [](const tls::TlsLeg* tls) {
    if (tls == nullptr || !tls->open()) return eventlog::LegTls{};
    const tls::Channel& channel = tls->channel();
    return eventlog::LegTls{channel.version(), channel.cipher(), channel.peer_subject()};
  };
  recorder_.set_tls(leg_tls(client_tls_.get()), leg_tls(server_tls_.get()));
  ProxyMetrics& metrics = proxy_.metrics();
  if (client_tls_ != nullptr && client_tls_->open()) ++metrics.tls_handshakes[0];
  if (server_tls_ != nullptr && server_tls_->open()) ++metrics.tls_handshakes[1];
}

void Connection::flush_tls(session::Leg leg) {
  tls::TlsLeg* tls = leg == session::Leg::Client ? client_tls_.get() : server_tls_.get();
  net::Stream* stream = leg == session::Leg::Client ? client_ : server_;
  if (tls == nullptr) return;
  Bytes& out = tls->to_socket();
  if (stream != nullptr && !out.empty()) {
    count_sent(leg, out.size());
    stream->write(out);
  }
  out.clear();
}

void Connection::on_read_end(net::Stream& stream, int status) {
  // What TLS still held arrives first; a peer that closes without close_notify has simply left.
  const session::Leg leg = &stream == client_ ? session::Leg::Client : session::Leg::Server;
  if (tls::TlsLeg* tls = leg == session::Leg::Client ? client_tls_.get() : server_tls_.get()) {
    Bytes plain;
    tls->on_socket_eof(plain);
    tls_failure_reported_ = true;
    if (leg == session::Leg::Client && client_tls_end_.empty()) {
      client_tls_end_ = tls->channel().peer_closed_cleanly() ? "close_notify" : "none";
    }
    deliver_plaintext(leg, plain);
  }
  if (&stream == client_) {
    if (status != 0) log_->debug("[s{}] client read failed: {}", id_, net::uv_reason(status));
    apply(
        session_.on_client_eof(status == 0 ? session::ClientEnd::Fin : session::ClientEnd::Reset));
  } else {
    if (status != 0) log_->debug("[s{}] upstream read failed: {}", id_, net::uv_reason(status));
    apply(session_.on_server_eof());
  }
}

void Connection::on_written(net::Stream&) { update_reading(); }

void Connection::on_event_log_room() {
  if (recorder_.take_room()) update_reading();
}

void Connection::cancel_answered() {
  session_.cancel_acknowledged();
  update_reading();
}

// A client accepted within close.serve_recent before the drain began is most likely in its
// connect-and-work sequence (in a restart, the old gracewire accepted it an instant before its
// signal): the session serves it until it quits. An idle pooled connection is older, and ends
// at once.
void Connection::shutdown(bool now) {
  const bool just_connected =
      std::chrono::steady_clock::now() - started_ < proxy_.settings().serve_recent;
  apply(session_.shutdown(now, just_connected));
}

void Connection::abort() {
  if (client_ != nullptr) client_->close();
  if (server_ != nullptr) server_->close();
  maybe_finish();
}

void Connection::apply(session::Actions& actions) {
  const auto now = std::chrono::steady_clock::now();
  for (session::Action& action : actions) {
    std::visit(
        [&](auto& a) {
          using A = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<A, session::Send>) {
            send(a);
          } else if constexpr (std::is_same_v<A, session::CloseLeg>) {
            close_leg(a);
          } else if constexpr (std::is_same_v<A, session::StartTls>) {
            start_tls(a);
          } else if constexpr (std::is_same_v<A, session::KillRequest>) {
            kill(a);
          } else if constexpr (std::is_same_v<A, session::CancelDone>) {
            proxy_.cancel_finished(id_);
          } else if constexpr (std::is_same_v<A, session::QuitSent>) {
            quit_sent_ = now;
          } else if constexpr (std::is_same_v<A, session::ArmTimer>) {
            arm(a.timer);
          } else if constexpr (std::is_same_v<A, session::UpstreamGreeted>) {
            log_->debug("[s{}] upstream {} connection id {}", id_, session_.info().server_version,
                        session_.info().server_connection_id);
          } else if constexpr (std::is_same_v<A, session::Authenticated>) {
            const auto& info = session_.info();
            log_->info(
                "[s{}] authenticated user='{}' db='{}' program='{}' client={} server_conn_id={}",
                id_, info.user, info.schema, info.program(), client_address_,
                info.server_connection_id);
            if (auto* directory = proxy_.settings().directory) {
              eventlog::Common identity;
              identity.session = id_;
              identity.server_conn_id = info.server_connection_id;
              identity.client = client_address_;
              identity.user = info.user;
              identity.program = std::string(info.program());
              directory->opened(identity);
            }
          } else if constexpr (std::is_same_v<A, session::CommandSent>) {
            if (auto* directory = proxy_.settings().directory) {
              directory->command_sent(session_.info().server_connection_id);
            }
          } else if constexpr (std::is_same_v<A, session::CommandAnswered>) {
            if (auto* directory = proxy_.settings().directory) {
              directory->command_answered(session_.info().server_connection_id, a.gtids);
            }
          } else {
            if constexpr (std::is_same_v<A, session::AuthResultEvent>) note_tls();
            if constexpr (std::is_same_v<A, session::CommandBeginEvent>) command_started_ = now;
            if constexpr (std::is_same_v<A, session::CommandEndEvent>) {
              proxy_.metrics().command_ended(protocol::command_name(a.command),
                                             seconds_since(command_started_, now));
            }
            // An event for the log (auth result, command begin or end). A response's bytes
            // belong to the command that ends with it, and were counted as they were sent.
            recorder_.on_event(session_, std::move(a), now);
          }
        },
        action);
  }
  // COM_QUIT went inside TLS (a client's own is forwarded after its QuitSent): close_notify
  // follows it, after every byte of this turn. The server closes without one of its own
  // (research Q7): its EOF is the end.
  if (quit_sent_ && server_tls_ != nullptr && server_tls_->open()) {
    server_tls_->close();
    flush_tls(session::Leg::Server);
  }
  // A request's bytes belong to the command that begins with it.
  recorder_.on_bytes_from_client(std::exchange(client_bytes_unrecorded_, 0));
  update_reading();
  maybe_finish();
  if (finishing_) return;
  // What starting TLS found, told to the session now that its last actions are carried out.
  if (auto failure = std::exchange(tls_start_failure_, std::nullopt)) {
    return report_tls_failure(failure->first, failure->second);
  }
  if (!early_client_plain_.empty()) {
    Bytes plain;
    plain.swap(early_client_plain_);
    deliver_plaintext(session::Leg::Client, plain);
  }
}

void Connection::send(session::Send& send) {
  const bool client = send.leg == session::Leg::Client;
  if (client) recorder_.on_bytes_to_client(send.bytes.size());
  net::Stream* stream = client ? client_ : server_;
  if (stream == nullptr) return;
  if (tls::TlsLeg* tls = client ? client_tls_.get() : server_tls_.get()) {
    tls->write(send.bytes);
    return flush_tls(send.leg);
  }
  count_sent(send.leg, send.bytes.size());
  stream->write(send.bytes);
}

void Connection::close_leg(const session::CloseLeg& close) {
  net::Stream* stream = close.leg == session::Leg::Client ? client_ : server_;
  if (stream == nullptr) return;
  switch (close.how) {
    case session::CloseLeg::How::Flush:
      if (tls::TlsLeg* tls =
              close.leg == session::Leg::Client ? client_tls_.get() : server_tls_.get()) {
        tls->close();  // close_notify, then the FIN
        flush_tls(close.leg);
      }
      return stream->close_after_flush();
    case session::CloseLeg::How::Drop:
      return stream->close();
    case session::CloseLeg::How::Reset:
      return stream->close(/*reset=*/true);
  }
}

void Connection::kill(const session::KillRequest& kill) {
  if (kill.kind == session::KillRequest::Kind::Query) {
    log_->info("[s{}] cancelling the statement in flight: KILL QUERY {}", id_,
               kill.server_connection_id);
    ++proxy_.metrics().cancels_sent;
    proxy_.cancel_query(kill.server_connection_id, id_);
  } else {
    log_->info("[s{}] the client left half way through a packet: KILL CONNECTION {}", id_,
               kill.server_connection_id);
    ++proxy_.metrics().kills_sent;
    proxy_.kill_connection(kill.server_connection_id);
  }
}

void Connection::count_sent(session::Leg leg, std::size_t bytes) {
  (leg == session::Leg::Client ? proxy_.metrics().client_bytes_sent
                               : proxy_.metrics().server_bytes_sent) += bytes;
}

void Connection::update_reading() {
  const auto& settings = proxy_.settings();
  // A leg that is gone or going holds nothing back: its queue no longer matters.
  if (server_ != nullptr && !server_->closing()) {
    const std::size_t queued = server_->queued_bytes();
    if (queued > settings.high_water) client_paused_ = true;
    if (queued < settings.low_water) client_paused_ = false;
  } else {
    client_paused_ = false;
  }
  if (client_ != nullptr && !client_->closing()) {
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
  if (server_ != nullptr && server_connected_ && !server_->closing()) {
    if (server_paused_ || session_.holds_server_reads()) {
      server_->stop_reading();
    } else {
      server_->start_reading();
    }
  }
}

void Connection::on_closed(net::Stream& stream) {
  if (&stream == client_) client_ = nullptr;
  if (&stream == server_) server_ = nullptr;
  // The client's socket is gone for good: the session decides what the server leg still needs.
  if (client_ == nullptr && server_ != nullptr && !server_->closing()) {
    apply(session_.on_client_eof());
    return;
  }
  maybe_finish();
}

void Connection::maybe_finish() {
  if (client_ != nullptr || server_ != nullptr || finishing_) return;
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
  if (client_tls_ != nullptr) {
    recorder_.set_client_tls_end(client_tls_end_.empty() ? "open" : client_tls_end_);
  }
  recorder_.on_close(session_, duration, upstream_close);
  proxy_.metrics().session_ended(session_.close_reason(), session_.upstream_end());
  if (session_.close_reason() == session::CloseReason::TlsRequired && client_tls_ == nullptr) {
    ++proxy_.metrics().refused[1];
  }
  proxy_.metrics().session_duration.observe(seconds_since(started_, now));
  // A session cut short (abort, close timeout) may never have said CancelDone.
  proxy_.cancel_finished(id_);
  if (auto* directory = proxy_.settings().directory) directory->closed(info.server_connection_id);
  timer_->close([this] {
    proxy_.forget(this);
    delete this;
  });
}

}  // namespace gw::proxy
