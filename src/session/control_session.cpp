#include "session/control_session.h"

#include <fmt/format.h>

#include "core/errors.h"
#include "protocol/constants.h"
#include "protocol/frame.h"

namespace gw::session {

namespace {
// A login packet, a status packet or one short row; the result as a whole is bounded by
// kResultLimits.
constexpr std::size_t kKeep = 64 * kKiB;
}  // namespace

ControlSession::ControlSession(std::string user, std::string password, protocol::LoginTls tls)
    : login_(std::move(user), std::move(password), {}, tls) {}

void ControlSession::on_server_data(ByteView bytes) {
  if (state_ == State::Failed || state_ == State::Closed) return;
  auto consumed = splitter_.feed(bytes, handler_);
  if (!consumed && state_ != State::Failed) {
    fail_with(fmt::format("bad packet from the server: {}", consumed.error().message()));
  }
}

void ControlSession::on_server_eof() {
  if (state_ == State::Quitting) {
    state_ = State::Closed;
    return;
  }
  if (state_ != State::Failed) fail_with("the server closed the control connection");
}

void ControlSession::fail_with(std::string why) {
  state_ = State::Failed;
  failure_ = std::move(why);
  reply_.reset();
}

Result<protocol::MessagePlan> ControlSession::Handler::on_message_start(
    const protocol::MessageStart& m) {
  // The login checks its own sequence ids (at the message's end).
  if (s_.state_ == State::Busy && m.header.sequence_id != s_.next_sequence_id_) {
    return fail(session_errc::bad_sequence);
  }
  return protocol::MessagePlan{.keep = kKeep};
}

Result<void> ControlSession::Handler::on_message_end(const protocol::Message& m) {
  if (!m.whole()) return fail(session_errc::message_too_large);
  if (m.length == 0) return fail(session_errc::malformed_packet);
  switch (s_.state_) {
    case State::Greeting:
    case State::Auth:
      return s_.on_login_message(m);
    case State::Busy:
      s_.next_sequence_id_ = static_cast<std::uint8_t>(m.last_sequence_id + 1);
      return s_.on_query_reply(m);
    default:
      return fail(codec_errc::unexpected_message);
  }
}

Result<void> ControlSession::on_login_message(const protocol::Message& m) {
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
      // As lasting as a wrong password, whether ERR or a plugin gracewire cannot speak.
      login_refused_ = true;
      fail_with("control " + login_.failure());
      break;
    case protocol::ClientLogin::State::Failed:
      fail_with(login_.failure());
      break;
  }
  return {};
}

void ControlSession::query(std::string_view sql) {
  if (state_ != State::Ready) return;
  Bytes payload{static_cast<std::uint8_t>(protocol::Command::Query)};
  payload.insert(payload.end(), sql.begin(), sql.end());
  next_sequence_id_ = protocol::append_message(payload, 0, to_server_);
  reply_.emplace(login_.capabilities(), kResultLimits);
  state_ = State::Busy;
}

Result<void> ControlSession::on_query_reply(const protocol::Message& m) {
  auto done = reply_->on_message(m.head);
  if (!done) {
    if (done.error() == session_errc::message_too_large) {
      fail_with(fmt::format("a control statement's result passed {} rows or {} bytes",
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

void ControlSession::quit() {
  if (state_ == State::Ready || state_ == State::Busy) {
    const std::uint8_t quit = static_cast<std::uint8_t>(protocol::Command::Quit);
    protocol::append_message(ByteView(&quit, 1), 0, to_server_);
    reply_.reset();
    state_ = State::Quitting;
  }
}

namespace {

// The privilege list of a "GRANT <privileges> ON *.* TO ..." line, or "" for any other line
// (grants on one database, role grants, SET DEFAULT ROLE).
std::string_view global_privileges(std::string_view line) {
  constexpr std::string_view kGrant = "GRANT ";
  constexpr std::string_view kOnAll = " ON *.* TO ";
  if (!line.starts_with(kGrant)) return {};
  const auto on = line.find(kOnAll);
  if (on == std::string_view::npos) return {};
  return line.substr(kGrant.size(), on - kGrant.size());
}

bool grants_kill(std::string_view privileges) {
  // MySQL 8 spells it CONNECTION_ADMIN.
  constexpr std::string_view kEnough[] = {"ALL PRIVILEGES", "SUPER", "CONNECTION ADMIN",
                                          "CONNECTION_ADMIN"};
  while (!privileges.empty()) {
    const auto comma = privileges.find(", ");
    const std::string_view one = privileges.substr(0, comma);
    for (std::string_view enough : kEnough) {
      if (one == enough) return true;
    }
    if (comma == std::string_view::npos) break;
    privileges.remove_prefix(comma + 2);
  }
  return false;
}

// `user`@`host` after " TO " -> 'user'@'host'; empty when the line grants to someone else (a role).
std::string grantee(std::string_view line, std::string_view user) {
  const std::string prefix = fmt::format(" TO `{}`@`", user);
  const auto at = line.find(prefix);
  if (at == std::string_view::npos) return {};
  const auto host_start = at + prefix.size();
  const auto host_end = line.find('`', host_start);
  if (host_end == std::string_view::npos) return {};
  return fmt::format("'{}'@'{}'", user, line.substr(host_start, host_end - host_start));
}

}  // namespace

KillPrivilege kill_privilege_from_grants(
    const std::vector<std::vector<std::optional<std::string>>>& rows, std::string_view user) {
  KillPrivilege found;
  for (const auto& row : rows) {
    if (row.empty() || !row[0]) continue;
    const std::string_view line = *row[0];
    if (grants_kill(global_privileges(line))) found.allowed = true;
    if (found.account.empty()) found.account = grantee(line, user);
  }
  if (found.account.empty()) found.account = fmt::format("'{}'@'%'", user);
  return found;
}

std::string kill_grant_statement(std::string_view account) {
  return fmt::format("GRANT CONNECTION ADMIN ON *.* TO {}", account);
}

}  // namespace gw::session
