#include "session/dump_session.h"

#include <fmt/format.h>

#include "core/errors.h"
#include "protocol/binlog/event.h"
#include "protocol/constants.h"
#include "protocol/frame.h"

namespace gw::session {

namespace {

// A login packet, a status packet or one row of a set-up result (bounded by kResultLimits).
constexpr std::size_t kKeepReply = 64 * kKiB;
// One event and the packet's 0x00 in front of it.
constexpr std::size_t kKeepEvent = protocol::binlog::kMaxEventSize + 1;
// An event buffer larger than this is given back once the event is released.
constexpr std::size_t kRetainedEventCapacity = kMiB;

}  // namespace

DumpSession::DumpSession(std::string user, std::string password, protocol::LoginTls tls)
    : login_(std::move(user), std::move(password), {}, tls) {}

void DumpSession::on_server_data(ByteView bytes) {
  if (state_ == State::Failed || state_ == State::Closed) return;
  if (holding_event_ || !waiting_.empty()) {
    waiting_.insert(waiting_.end(), bytes.begin(), bytes.end());
    if (!holding_event_) feed_waiting();
    return;
  }
  auto consumed = splitter_.feed(bytes, handler_);
  if (!consumed) {
    if (state_ != State::Failed) {
      fail_with(fmt::format("bad packet from the server: {}", consumed.error().message()));
    }
    return;
  }
  if (*consumed < bytes.size()) waiting_.assign(bytes.begin() + *consumed, bytes.end());
}

void DumpSession::feed_waiting() {
  Bytes input;
  input.swap(waiting_);
  on_server_data(input);
}

void DumpSession::on_server_eof() {
  if (state_ == State::Ended || state_ == State::Quitting) {
    state_ = State::Closed;
    return;
  }
  if (state_ == State::Failed || state_ == State::Closed) return;
  fail_with(state_ == State::Dumping ? "the server closed the dump connection"
                                     : "the server closed the replication connection");
}

void DumpSession::fail_with(std::string why) {
  state_ = State::Failed;
  failure_ = std::move(why);
  reply_.reset();
  holding_event_ = false;
  waiting_.clear();
}

Result<protocol::MessagePlan> DumpSession::Handler::on_message_start(
    const protocol::MessageStart& m) {
  if (s_.holding_event_) return protocol::MessagePlan{.defer = true};
  if ((s_.state_ == State::Busy || s_.state_ == State::Dumping) &&
      m.header.sequence_id != s_.next_sequence_id_) {
    return fail(session_errc::bad_sequence);
  }
  const bool event = s_.state_ == State::Dumping && m.first_byte == 0x00;
  return protocol::MessagePlan{.keep = event ? kKeepEvent : kKeepReply};
}

Result<void> DumpSession::Handler::on_message_end(const protocol::Message& m) {
  if (!m.whole()) return fail(session_errc::message_too_large);
  if (m.length == 0) return fail(session_errc::malformed_packet);
  switch (s_.state_) {
    case State::Greeting:
    case State::Auth:
      return s_.on_login_message(m);
    case State::Busy:
      s_.next_sequence_id_ = static_cast<std::uint8_t>(m.last_sequence_id + 1);
      return s_.on_reply(m);
    case State::Dumping:
      s_.next_sequence_id_ = static_cast<std::uint8_t>(m.last_sequence_id + 1);
      return s_.on_dump_message(m);
    default:
      return fail(codec_errc::unexpected_message);
  }
}

Result<void> DumpSession::on_login_message(const protocol::Message& m) {
  auto handled = login_.on_message(m.first_sequence_id, m.head, to_server_);
  if (!handled) return handled;
  if (login_.greeting()) connection_id_ = login_.greeting()->connection_id;
  switch (login_.state()) {
    case protocol::ClientLogin::State::Greeting:
      break;
    case protocol::ClientLogin::State::StartTls:
    case protocol::ClientLogin::State::Auth:
      state_ = State::Auth;
      break;
    case protocol::ClientLogin::State::LoggedIn:
      state_ = State::Ready;
      break;
    case protocol::ClientLogin::State::Refused:
      login_refused_ = true;
      fail_with("binlog " + login_.failure());
      break;
    case protocol::ClientLogin::State::Failed:
      fail_with(login_.failure());
      break;
  }
  return {};
}

void DumpSession::send_command(ByteView payload) {
  next_sequence_id_ = protocol::append_message(payload, 0, to_server_);
}

void DumpSession::query(std::string_view sql) {
  if (state_ != State::Ready) return;
  Bytes payload{static_cast<std::uint8_t>(protocol::Command::Query)};
  payload.insert(payload.end(), sql.begin(), sql.end());
  send_command(payload);
  reply_.emplace(login_.capabilities(), kResultLimits);
  state_ = State::Busy;
}

void DumpSession::register_replica(const protocol::binlog::RegisterReplica& command) {
  if (state_ != State::Ready) return;
  send_command(protocol::binlog::encode_register_replica(command));
  reply_.emplace(login_.capabilities(), kResultLimits);
  state_ = State::Busy;
}

Result<void> DumpSession::on_reply(const protocol::Message& m) {
  auto done = reply_->on_message(m.head);
  if (!done) {
    if (done.error() == session_errc::message_too_large) {
      fail_with(fmt::format("a set-up statement's result passed {} rows or {} bytes",
                            kResultLimits.max_rows, kResultLimits.max_bytes));
      return {};
    }
    return fail(done.error());
  }
  if (*done) {
    result_ = reply_->take();
    reply_.reset();
    state_ = State::Ready;
  }
  return {};
}

void DumpSession::start_dump(const protocol::binlog::BinlogDump& command) {
  if (state_ != State::Ready) return;
  send_command(protocol::binlog::encode_binlog_dump(command));
  state_ = State::Dumping;
}

Result<void> DumpSession::on_dump_message(const protocol::Message& m) {
  const std::uint8_t first = m.head[0];
  if (first == 0x00) {
    const ByteView event = m.head.subspan(1);
    event_.assign(event.begin(), event.end());
    holding_event_ = true;
    ++events_;
    event_bytes_ += event.size();
    return {};
  }
  if (protocol::is_eof_packet(first, m.length)) {
    state_ = State::Ended;
    return {};
  }
  if (first == 0xFF) {
    auto err = protocol::decode_err(m.head, login_.capabilities());
    if (!err) return fail(err.error());
    dump_error_ = *err;
    fail_with(fmt::format("the server ended the dump: ERR {} ({}) {}", err->code, err->sql_state,
                          err->message));
    return {};
  }
  return fail(codec_errc::unexpected_message);
}

std::optional<ByteView> DumpSession::event() const {
  if (!holding_event_) return std::nullopt;
  return ByteView(event_);
}

void DumpSession::release_event() {
  if (!holding_event_) return;
  holding_event_ = false;
  if (event_.capacity() > kRetainedEventCapacity) Bytes().swap(event_);
  if (!waiting_.empty()) feed_waiting();
}

void DumpSession::quit() {
  if (state_ != State::Ready && state_ != State::Busy) return;
  const std::uint8_t quit = static_cast<std::uint8_t>(protocol::Command::Quit);
  protocol::append_message(ByteView(&quit, 1), 0, to_server_);
  reply_.reset();
  state_ = State::Quitting;
}

}  // namespace gw::session
