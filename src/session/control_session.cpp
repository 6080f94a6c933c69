#include "session/control_session.h"

#include <fmt/format.h>

#include "core/byte_reader.h"
#include "core/errors.h"
#include "protocol/auth.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/handshake.h"
#include "protocol/native_password.h"
#include "protocol/response.h"
#include "protocol/resultset.h"

namespace gw::session {

namespace cap = protocol::cap;

namespace {
// Status packets and the few short rows gracewire asks for.
constexpr std::size_t kKeep = 64 * 1024;
constexpr std::uint64_t kControlCapabilities = cap::kMysql | cap::kLongFlag | cap::kProtocol41 |
                                               cap::kTransactions | cap::kSecureConnection |
                                               cap::kPluginAuth;
}  // namespace

ControlSession::ControlSession(std::string user, std::string password)
    : user_(std::move(user)), password_(std::move(password)) {}

void ControlSession::on_server_data(ByteView bytes) {
  if (state_ == State::Failed || state_ == State::Closed) return;
  auto consumed = splitter_.feed(bytes, handler_);
  if (!consumed)
    fail_with(fmt::format("bad packet from the server: {}", consumed.error().message()));
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
  building_ = {};
}

Result<protocol::MessagePlan> ControlSession::Handler::on_message_start(
    const protocol::MessageStart& m) {
  if (m.header.sequence_id != s_.next_sequence_id_) return fail(session_errc::bad_sequence);
  return protocol::MessagePlan{.keep = kKeep};
}

Result<void> ControlSession::Handler::on_message_end(const protocol::Message& m) {
  if (!m.whole()) return fail(session_errc::message_too_large);
  if (m.length == 0) return fail(session_errc::malformed_packet);
  s_.next_sequence_id_ = static_cast<std::uint8_t>(m.last_sequence_id + 1);
  switch (s_.state_) {
    case State::Greeting:
      return s_.on_greeting(m);
    case State::Auth:
      return s_.on_auth_reply(m);
    case State::Busy:
      return s_.on_query_reply(m);
    default:
      return fail(codec_errc::unexpected_message);
  }
}

Result<void> ControlSession::on_greeting(const protocol::Message& m) {
  if (m.head[0] == protocol::kErrHeader) {
    auto err = protocol::decode_err(m.head, cap::kProtocol41);
    fail_with(
        err ? fmt::format("the server refused the connection: ERR {}: {}", err->code, err->message)
            : "the server refused the connection");
    return {};
  }
  auto greeting = protocol::decode_greeting(m.head);
  if (!greeting) return fail(greeting.error());
  connection_id_ = greeting->connection_id;
  capabilities_ = greeting->capabilities & kControlCapabilities;
  protocol::HandshakeResponse response;
  response.capabilities = capabilities_;
  response.max_packet_size = 16 * 1024 * 1024;
  response.charset = greeting->charset;
  response.user = user_;
  response.auth_response = protocol::native_password_response(password_, greeting->auth_data);
  response.auth_plugin = std::string(protocol::kNativePasswordPlugin);
  response.has_auth_plugin = true;
  Bytes payload;
  protocol::encode_handshake_response(response, payload);
  next_sequence_id_ = protocol::append_message(payload, next_sequence_id_, to_server_);
  state_ = State::Auth;
  return {};
}

Result<void> ControlSession::on_auth_reply(const protocol::Message& m) {
  switch (m.head[0]) {
    case protocol::kOkHeader:
      state_ = State::Ready;
      return {};
    case protocol::kErrHeader: {
      auto err = protocol::decode_err(m.head, capabilities_);
      login_refused_ = true;
      fail_with(err ? fmt::format("control login refused: ERR {} ({}): {}", err->code,
                                  err->sql_state, err->message)
                    : "control login refused");
      return {};
    }
    case protocol::kAuthSwitchHeader: {
      auto request = protocol::decode_auth_switch_request(m.head);
      if (!request) return fail(request.error());
      if (request->plugin != protocol::kNativePasswordPlugin) {
        login_refused_ = true;  // as lasting as a wrong password
        fail_with(fmt::format("the control account authenticates with {}; gracewire needs {}",
                              request->plugin, protocol::kNativePasswordPlugin));
        return {};
      }
      switched_ = true;
      const std::string answer = protocol::native_password_response(password_, request->data);
      next_sequence_id_ = protocol::append_message(as_bytes(answer), next_sequence_id_, to_server_);
      return {};
    }
    default:
      fail_with("unexpected authentication packet for the control account");
      return {};
  }
}

void ControlSession::query(std::string_view sql) {
  if (state_ != State::Ready) return;
  Bytes payload{static_cast<std::uint8_t>(protocol::Command::Query)};
  payload.insert(payload.end(), sql.begin(), sql.end());
  next_sequence_id_ = protocol::append_message(payload, 0, to_server_);
  building_ = {};
  reply_ = Reply::First;
  state_ = State::Busy;
}

Result<void> ControlSession::on_query_reply(const protocol::Message& m) {
  const std::uint8_t first = m.head[0];
  if (first == protocol::kErrHeader) {
    auto err = protocol::decode_err(m.head, capabilities_);
    if (!err) return fail(err.error());
    building_.ok = false;
    building_.error_code = err->code;
    building_.error_message = err->message;
    result_ = std::move(building_);
    state_ = State::Ready;
    return {};
  }
  switch (reply_) {
    case Reply::First: {
      if (first == protocol::kOkHeader) {
        building_.ok = true;
        result_ = std::move(building_);
        state_ = State::Ready;
        return {};
      }
      auto count = protocol::decode_column_count(m.head);
      if (!count) return fail(count.error());
      columns_left_ = *count;
      reply_ = Reply::Columns;
      return {};
    }
    case Reply::Columns:
      if (--columns_left_ == 0) reply_ = Reply::ColumnsEof;
      return {};
    case Reply::ColumnsEof:
      reply_ = Reply::Rows;
      return {};
    case Reply::Rows:
      if (protocol::is_eof_packet(first, m.length)) {
        building_.ok = true;
        result_ = std::move(building_);
        state_ = State::Ready;
        return {};
      }
      return on_row(m);
  }
  return {};
}

Result<void> ControlSession::on_row(const protocol::Message& m) {
  ByteReader reader(m.head);
  std::vector<std::optional<std::string>> row;
  while (reader.ok() && !reader.empty()) {
    if (reader.peek() == 0xfb) {
      reader.skip(1);
      row.emplace_back(std::nullopt);
    } else {
      row.emplace_back(std::string(reader.lenenc_string()));
    }
  }
  if (!reader.ok()) return fail(reader.error());
  building_.rows.push_back(std::move(row));
  return {};
}

void ControlSession::quit() {
  if (state_ == State::Ready || state_ == State::Busy) {
    const std::uint8_t quit = static_cast<std::uint8_t>(protocol::Command::Quit);
    protocol::append_message(ByteView(&quit, 1), 0, to_server_);
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
