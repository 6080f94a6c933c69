#include "session/exchange.h"

#include "core/errors.h"
#include "protocol/response.h"
#include "protocol/resultset.h"

namespace gw::session {

using protocol::Command;
using protocol::Message;

namespace {

// Status packets (OK, ERR, EOF, prepare OK, column count) are small; a status message that does
// not fit is treated as malformed rather than kept without bound.
constexpr std::size_t kKeepStatus = 64 * kKiB;

}  // namespace

void Exchange::begin_authentication(std::uint64_t capabilities, std::uint8_t next_sequence_id) {
  capabilities_ = capabilities;
  command_ = 0;
  next_sequence_id_ = next_sequence_id;
  outcome_ = {};
  expect_ = Expect::AuthExchange;
  client_spoke_last_ = true;  // the handshake response
}

bool Exchange::begin_command(std::uint8_t command, std::uint8_t last_sequence_id,
                             std::uint64_t capabilities) {
  capabilities_ = capabilities;
  command_ = command;
  next_sequence_id_ = static_cast<std::uint8_t>(last_sequence_id + 1);
  outcome_ = {};
  client_spoke_last_ = true;  // the command itself
  switch (static_cast<Command>(command)) {
    case Command::Quit:
    case Command::StmtClose:
    case Command::StmtSendLongData:
      expect_ = Expect::Nothing;
      return false;
    case Command::Query:
    case Command::StmtExecute:
    case Command::StmtBulkExecute:
    case Command::ProcessInfo:
      expect_ = Expect::Response;
      break;
    case Command::StmtFetch:
      expect_ = Expect::Rows;
      break;
    case Command::StmtPrepare:
      expect_ = Expect::PrepareReply;
      break;
    case Command::FieldList:
      expect_ = Expect::FieldListDefs;
      break;
    case Command::Statistics:
      expect_ = Expect::StatisticsReply;
      break;
    case Command::ChangeUser:
      expect_ = Expect::AuthExchange;
      break;
    case Command::BinlogDump:
    case Command::BinlogDumpGtid:
      expect_ = Expect::BinlogEvents;
      break;
    default:
      expect_ = Expect::SimpleReply;
      break;
  }
  return true;
}

std::size_t Exchange::keep_for_server(const protocol::MessageStart& start) const {
  if (!start.first_byte) return 0;
  switch (expect_) {
    case Expect::ColumnDefs:
    case Expect::PrepareParams:
    case Expect::PrepareColumns:
    case Expect::FieldListDefs:
    case Expect::Rows:
    case Expect::BinlogEvents: {
      // Only terminators and errors matter here; rows and definitions pass through unkept.
      const std::uint8_t b = *start.first_byte;
      return b == protocol::kEofHeader || b == protocol::kErrHeader ? kKeepStatus : 0;
    }
    default:
      return kKeepStatus;
  }
}

bool Exchange::is_ok(const protocol::MessageStart& start) const {
  if (!start.first_byte) return false;
  const std::uint8_t b = *start.first_byte;
  const bool terminator =
      deprecate_eof() && protocol::is_ok_terminator(b, start.header.payload_length);
  switch (expect_) {
    case Expect::AuthExchange:
    case Expect::Response:
    case Expect::InfileReply:
      return b == protocol::kOkHeader;
    case Expect::SimpleReply:
      return b == protocol::kOkHeader || terminator;
    case Expect::Rows:
    case Expect::FieldListDefs:
      return terminator;
    default:
      return false;
  }
}

Turn Exchange::turn() const {
  switch (expect_) {
    case Expect::Nothing:
      return Turn::Done;
    case Expect::InfileData:
      return Turn::Client;
    case Expect::AuthExchange:
      return Turn::Either;
    default:
      return Turn::Server;
  }
}

Turn Exchange::finish() {
  expect_ = Expect::Nothing;
  return Turn::Done;
}

Result<void> Exchange::check_sequence(const Message& message) {
  if (message.first_sequence_id != next_sequence_id_) return fail(session_errc::bad_sequence);
  next_sequence_id_ = static_cast<std::uint8_t>(message.last_sequence_id + 1);
  return {};
}

Result<Turn> Exchange::on_client_message(const Message& message) {
  if (expect_ != Expect::InfileData && expect_ != Expect::AuthExchange) {
    return fail(codec_errc::unexpected_message);
  }
  if (auto r = check_sequence(message); !r) return fail(r.error());
  client_spoke_last_ = true;
  if (expect_ == Expect::InfileData && message.length == 0) {
    expect_ = Expect::InfileReply;
    return Turn::Server;
  }
  return turn();
}

Result<Turn> Exchange::on_server_message(const Message& message) {
  if (expect_ == Expect::Nothing) return fail(codec_errc::unexpected_message);
  ok_.reset();
  if (auto r = check_sequence(message); !r) return fail(r.error());
  client_spoke_last_ = false;
  const auto b = message.first_byte;
  if (!b) return fail(session_errc::malformed_packet);
  if (*b == protocol::kErrHeader) {
    // MariaDB progress reports look like ERR packets but neither end nor change anything.
    if (protocol::is_progress_report(message.head)) return turn();
    return on_err(message);
  }
  const bool terminator = deprecate_eof() ? protocol::is_ok_terminator(*b, message.length)
                                          : protocol::is_eof_packet(*b, message.length);
  switch (expect_) {
    case Expect::AuthExchange:
      return on_auth_message(message);
    case Expect::Response:
    case Expect::InfileReply:
      if (*b == protocol::kOkHeader) return on_ok(message);
      if (expect_ == Expect::Response && *b == protocol::kLocalInfileHeader) {
        expect_ = Expect::InfileData;
        return Turn::Client;
      }
      if (expect_ == Expect::Response) return on_response(message);
      return fail(codec_errc::unexpected_message);
    case Expect::SimpleReply:
      // COM_SET_OPTION's reply is an EOF, or under CLIENT_DEPRECATE_EOF an OK with 0xFE header.
      if (*b == protocol::kOkHeader || (terminator && deprecate_eof())) return on_ok(message);
      if (protocol::is_eof_packet(*b, message.length)) return on_eof(message, Expect::Nothing);
      return fail(codec_errc::unexpected_message);
    case Expect::StatisticsReply:
      return finish();
    case Expect::ColumnDefs:
      return on_definition(Expect::ColumnsEof, Expect::Rows);
    case Expect::ColumnsEof:
      return on_eof(message, Expect::Rows);
    case Expect::Rows:
      if (terminator) return on_result_end(message);
      ++outcome_.rows;
      return Turn::Server;
    case Expect::PrepareReply:
      if (*b == protocol::kOkHeader) return on_prepare_ok(message);
      return fail(codec_errc::unexpected_message);
    case Expect::PrepareParams:
      return on_definition(Expect::PrepareParamsEof, Expect::PrepareColumns);
    case Expect::PrepareParamsEof:
      return on_eof(message, Expect::PrepareColumns);
    case Expect::PrepareColumns:
      return on_definition(Expect::PrepareColumnsEof, Expect::Nothing);
    case Expect::PrepareColumnsEof:
      return on_eof(message, Expect::Nothing);
    case Expect::FieldListDefs:
      if (terminator) return on_result_end(message);
      return Turn::Server;
    case Expect::BinlogEvents:
      if (protocol::is_eof_packet(*b, message.length)) return on_result_end(message);
      return Turn::Server;
    case Expect::InfileData:
    case Expect::Nothing:
      break;
  }
  return fail(codec_errc::unexpected_message);
}

Result<Turn> Exchange::on_response(const Message& message) {
  if (!message.whole()) return fail(session_errc::message_too_large);
  auto count = protocol::decode_column_count(message.head);
  if (!count) return fail(count.error());
  if (*count == 0) return fail(codec_errc::invalid_value);
  outcome_.columns = *count;
  remaining_ = *count;
  expect_ = Expect::ColumnDefs;
  return Turn::Server;
}

// One definition of a block arrived; after the last one comes an EOF (classic) or `after`.
Result<Turn> Exchange::on_definition(Expect eof_step, Expect after) {
  if (remaining_ == 0) return fail(codec_errc::unexpected_message);
  if (--remaining_ > 0) return Turn::Server;
  if (!deprecate_eof()) {
    expect_ = eof_step;
    return Turn::Server;
  }
  if (after == Expect::PrepareColumns && prepare_columns_ > 0) {
    remaining_ = prepare_columns_;
    expect_ = Expect::PrepareColumns;
    return Turn::Server;
  }
  if (after == Expect::Rows) {
    expect_ = Expect::Rows;
    return Turn::Server;
  }
  return finish();
}

// The EOF that closes a block of definitions, or a simple command's EOF reply.
Result<Turn> Exchange::on_eof(const Message& message, Expect next) {
  if (!protocol::is_eof_packet(message.first_byte.value_or(0), message.length)) {
    return fail(codec_errc::unexpected_message);
  }
  auto eof = protocol::decode_eof(message.head);
  if (!eof) return fail(eof.error());
  status_ = eof->status;
  if (next == Expect::Rows) {
    // A cursor was opened (COM_STMT_EXECUTE with a cursor type): rows come with COM_STMT_FETCH.
    if (status_ & protocol::status::kCursorExists) {
      outcome_.kind = Outcome::Kind::Rows;
      return finish();
    }
    expect_ = Expect::Rows;
    return Turn::Server;
  }
  if (next == Expect::PrepareColumns && prepare_columns_ > 0) {
    remaining_ = prepare_columns_;
    expect_ = Expect::PrepareColumns;
    return Turn::Server;
  }
  if (outcome_.kind == Outcome::Kind::None) outcome_.kind = Outcome::Kind::Ok;
  return finish();
}

// EOF or OK terminator after rows (or definitions, for COM_FIELD_LIST).
Result<Turn> Exchange::on_result_end(const Message& message) {
  if (!message.whole()) return fail(session_errc::message_too_large);
  if (deprecate_eof()) {
    auto ok = protocol::decode_ok(message.head, capabilities_);
    if (!ok) return fail(ok.error());
    status_ = ok->status;
    outcome_.warnings = ok->warnings;
    ok_ = std::move(*ok);
  } else {
    auto eof = protocol::decode_eof(message.head);
    if (!eof) return fail(eof.error());
    status_ = eof->status;
    outcome_.warnings = eof->warnings;
  }
  if (expect_ == Expect::Rows) outcome_.kind = Outcome::Kind::Rows;
  if (expect_ == Expect::Rows && (status_ & protocol::status::kMoreResultsExist)) {
    expect_ = Expect::Response;
    return Turn::Server;
  }
  if (outcome_.kind == Outcome::Kind::None) outcome_.kind = Outcome::Kind::Ok;
  return finish();
}

Result<Turn> Exchange::on_ok(const Message& message) {
  if (!message.whole()) return fail(session_errc::message_too_large);
  auto ok = protocol::decode_ok(message.head, capabilities_);
  if (!ok) return fail(ok.error());
  status_ = ok->status;
  if (outcome_.kind != Outcome::Kind::Rows) outcome_.kind = Outcome::Kind::Ok;
  outcome_.affected_rows = ok->affected_rows;
  outcome_.last_insert_id = ok->last_insert_id;
  outcome_.warnings = ok->warnings;
  ok_ = std::move(*ok);
  if (expect_ != Expect::AuthExchange && (status_ & protocol::status::kMoreResultsExist)) {
    expect_ = Expect::Response;
    return Turn::Server;
  }
  return finish();
}

Result<Turn> Exchange::on_err(const Message& message) {
  if (!message.whole()) return fail(session_errc::message_too_large);
  auto err = protocol::decode_err(message.head, capabilities_);
  if (!err) return fail(err.error());
  outcome_.kind = Outcome::Kind::Error;
  outcome_.error_code = err->code;
  outcome_.sql_state = err->sql_state;
  outcome_.error_message = err->message;
  return finish();
}

Result<Turn> Exchange::on_prepare_ok(const Message& message) {
  if (!message.whole()) return fail(session_errc::message_too_large);
  auto prepared = protocol::decode_prepare_ok(message.head);
  if (!prepared) return fail(prepared.error());
  outcome_.kind = Outcome::Kind::Ok;
  outcome_.warnings = prepared->warnings;
  outcome_.columns = prepared->columns;
  outcome_.statement_id = prepared->statement_id;
  outcome_.params = prepared->params;
  prepare_columns_ = prepared->columns;
  if (prepared->params > 0) {
    remaining_ = prepared->params;
    expect_ = Expect::PrepareParams;
    return Turn::Server;
  }
  if (prepared->columns > 0) {
    remaining_ = prepared->columns;
    expect_ = Expect::PrepareColumns;
    return Turn::Server;
  }
  return finish();
}

Result<Turn> Exchange::on_auth_message(const Message& message) {
  switch (*message.first_byte) {
    case protocol::kOkHeader:
      return on_ok(message);
    case protocol::kAuthSwitchHeader:
    case protocol::kAuthMoreDataHeader:
      return Turn::Either;
    default:
      return fail(codec_errc::unexpected_message);
  }
}

}  // namespace gw::session
