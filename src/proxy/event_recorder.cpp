#include "proxy/event_recorder.h"

#include "eventlog/close_kinds.h"
#include "eventlog/secret_words.h"
#include "eventlog/sql_literal.h"
#include "eventlog/writer.h"
#include "protocol/commands.h"
#include "protocol/constants.h"

namespace gw::proxy {

using protocol::Command;
using session::Outcome;

EventRecorder::EventRecorder(eventlog::EventLog* log, std::uint64_t session_id)
    : log_(log), enabled_(log != nullptr && log->enabled()), session_id_(session_id) {}

void EventRecorder::submit(eventlog::Record&& record) {
  if (log_->submit(std::move(record)) == eventlog::Submitted::OverLimit) over_limit_ = true;
}

bool EventRecorder::take_room() {
  if (!over_limit_ || !log_->has_room()) return false;
  over_limit_ = false;
  return true;
}

eventlog::Common EventRecorder::common(const session::Session& session) const {
  const auto& info = session.info();
  return eventlog::Common{std::chrono::system_clock::now(),
                          session_id_,
                          info.server_connection_id,
                          client_,
                          info.user,
                          info.schema,
                          info.program()};
}

void EventRecorder::on_connect(std::string client, std::string listener) {
  client_ = std::move(client);
  if (!enabled_ || !log_->wants_lifecycle()) return;
  eventlog::Common c;
  c.ts = std::chrono::system_clock::now();
  c.session = session_id_;
  c.client = client_;
  submit(eventlog::ConnectRecord{std::move(c), std::move(listener)});
}

void EventRecorder::on_event(const session::Session& session, session::SessionEvent event,
                             SteadyTime now) {
  if (!enabled_) return;
  if (auto* auth = std::get_if<session::AuthResultEvent>(&event)) {
    on_auth(session, *auth);
  } else if (auto* begin = std::get_if<session::CommandBeginEvent>(&event)) {
    ++commands_;
    last_command_ = std::string(protocol::command_name(begin->command));
    command_started_ = now;
    command_bytes_from_client_ = bytes_from_client_;
    command_bytes_to_client_ = bytes_to_client_;
    command_ = std::move(*begin);
  } else if (auto* end = std::get_if<session::CommandEndEvent>(&event)) {
    on_command_end(session, *end, now);
  }
}

void EventRecorder::on_auth(const session::Session& session,
                            const session::AuthResultEvent& event) {
  if (!log_->wants_lifecycle()) return;
  const auto& info = session.info();
  submit(eventlog::AuthRecord{common(session), info.auth_plugin, event.ok, event.error_code,
                              event.error_message, info.attributes, info.capabilities, client_tls_,
                              server_tls_});
}

void EventRecorder::on_command_end(const session::Session& session,
                                   const session::CommandEndEvent& event, SteadyTime now) {
  const Outcome& outcome = event.outcome;
  const bool ok = outcome.kind != Outcome::Kind::Error;
  const auto command = static_cast<Command>(event.command);
  if (log_->wants_lifecycle() && command == Command::ChangeUser) {
    submit(
        eventlog::ChangeUserRecord{common(session), ok, outcome.error_code, outcome.error_message});
  } else if (log_->wants_lifecycle() && command == Command::ResetConnection && ok) {
    submit(eventlog::ResetRecord{common(session)});
  }
  if (command_) track_secret_statements(command, ok, outcome);
  const std::string name(protocol::command_name(event.command));
  if (!command_ || !log_->wants_audit(session.info().user, session.info().schema, name)) {
    command_.reset();
    return;
  }
  eventlog::CommandRecord record;
  record.common = common(session);
  record.command = name;
  record.statement = std::move(command_->statement);
  record.statement_truncated = command_->statement_truncated;
  record.statement_id = command_->statement_id;
  record.params.reserve(command_->params.size());
  for (const auto& param : command_->params) {
    record.params.push_back(eventlog::render_sql_literal(param));
  }
  switch (outcome.kind) {
    case Outcome::Kind::Error:
      record.result = eventlog::CommandRecord::Result::Error;
      record.error_code = outcome.error_code;
      record.sql_state = outcome.sql_state;
      record.error_message = outcome.error_message;
      break;
    case Outcome::Kind::Rows:
      record.result = eventlog::CommandRecord::Result::Rows;
      record.columns = outcome.columns;
      record.rows = outcome.rows;
      record.warnings = outcome.warnings;
      break;
    default:
      record.result = eventlog::CommandRecord::Result::Ok;
      record.affected_rows = outcome.affected_rows;
      record.last_insert_id = outcome.last_insert_id;
      record.warnings = outcome.warnings;
      break;
  }
  record.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(now - command_started_).count();
  record.bytes_from_client = bytes_from_client_ - command_bytes_from_client_;
  record.bytes_to_client = bytes_to_client_ - command_bytes_to_client_;
  record.in_transaction = event.in_transaction;
  command_.reset();
  submit(std::move(record));
}

// Bound parameters carry no statement text to judge them by, so a statement prepared from text
// that mentions a secret (ALTER USER ... IDENTIFIED BY ?) has every parameter of every
// execution redacted, as its literals would be.
void EventRecorder::track_secret_statements(Command command, bool ok, const Outcome& outcome) {
  switch (command) {
    case Command::StmtPrepare:
      if (!ok) return;
      last_prepared_ = outcome.statement_id;
      if (command_->statement_truncated ||
          eventlog::mention_in(command_->statement) != eventlog::Mention::None) {
        secret_statements_.insert(outcome.statement_id);
      }
      return;
    case Command::StmtExecute:
    case Command::StmtBulkExecute: {
      if (command_->params.empty() || !command_->statement_id) return;
      const std::uint32_t id = *command_->statement_id == protocol::kLastPreparedStatement
                                   ? last_prepared_
                                   : *command_->statement_id;
      if (!secret_statements_.contains(id)) return;
      for (auto& param : command_->params) param = protocol::String{"***"};  // renders '***'
      return;
    }
    case Command::StmtClose:
      if (command_->statement_id) secret_statements_.erase(*command_->statement_id);
      return;
    case Command::ChangeUser:
    case Command::ResetConnection:
      if (ok) secret_statements_.clear();
      return;
    default:
      return;
  }
}

void EventRecorder::on_close(const session::Session& session, std::chrono::milliseconds duration,
                             std::optional<std::chrono::milliseconds> upstream_close) {
  if (!enabled_ || !log_->wants_lifecycle()) return;
  eventlog::CloseRecord record;
  record.common = common(session);
  record.close_kind = std::string(session::to_string(session.close_reason()));
  record.detail = session.close_detail();
  record.in_transaction = session.in_transaction();
  record.last_command = last_command_;
  record.duration_ms = duration.count();
  record.commands = commands_;
  record.bytes_from_client = bytes_from_client_;
  record.bytes_to_client = bytes_to_client_;
  record.upstream_close = std::string(session::to_string(session.upstream_end()));
  record.upstream_close_ms = upstream_close ? upstream_close->count() : -1;
  record.server_error_code = session.server_error_code();
  record.client_tls_end = client_tls_end_;
  submit(std::move(record));
}

}  // namespace gw::proxy
