#pragma once
// Exchange follows one request/response exchange between client and server, packet by packet:
// the handshake and authentication, or one client command and the server's whole answer. It
// checks the shared sequence-id counter, knows whose turn it is, and keeps what the session
// needs (status flags, the command's outcome). It never sees raw bytes, only messages.
//
// Command responses (S = server, C = client), one arrow chain per line:
//
//   Response --S: OK/ERR--> done, or Response again while OK says MORE_RESULTS_EXIST
//   Response --S: 0xFB file name--> InfileData --C: empty packet--> InfileReply
//   InfileReply --S: OK/ERR--> as Response's OK/ERR
//   Response --S: column count--> ColumnDefs --> [ColumnsEof] --> Rows
//   Rows --S: EOF/OK(0xFE)--> done, or Response again while it says MORE_RESULTS_EXIST
//   Rows --S: ERR--> done
//   PrepareReply --S: PREPARE_OK--> PrepareParams --> [PrepareParamsEof] --> PrepareColumns
//   PrepareColumns --> [PrepareColumnsEof] --> done
//   PrepareReply --S: ERR--> done
//   SimpleReply, StatisticsReply, FieldListDefs --> done
//   AuthExchange (handshake, COM_CHANGE_USER): either side, seq-checked, until S: OK or ERR
//   BinlogEvents: events until EOF or ERR
//
// [X] is a step only without CLIENT_DEPRECATE_EOF.

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "protocol/constants.h"
#include "protocol/message_splitter.h"
#include "protocol/response.h"

namespace gw::session {

// Whose message the exchange waits for next.
enum class Turn {
  Server,  // the server's
  Client,  // the client's (LOCAL INFILE contents)
  Either,  // authentication: plugins decide who speaks (caching_sha2 full auth, for instance)
  Done,    // the exchange is over; the next client message starts a new one
};

// How a finished command ended, for logs and (later) audit records.
struct Outcome {
  enum class Kind { None, Ok, Error, Rows };
  Kind kind = Kind::None;
  std::uint64_t affected_rows = 0;
  std::uint64_t last_insert_id = 0;
  std::uint16_t warnings = 0;
  std::uint64_t columns = 0;       // of the last result set
  std::uint32_t statement_id = 0;  // COM_STMT_PREPARE: the new statement
  std::uint16_t params = 0;        // COM_STMT_PREPARE: its parameter count
  std::uint64_t rows = 0;          // over all result sets
  std::uint16_t error_code = 0;
  std::string sql_state{};
  std::string error_message{};
};

class Exchange {
 public:
  // What the exchange expects next. One value per protocol step; see the diagram above.
  enum class Expect {
    Nothing,            // no exchange in progress
    AuthExchange,       // auth packets from either side until the server's OK or ERR
    Response,           // first packet of a result: OK, ERR, LOCAL INFILE request, column count
    SimpleReply,        // OK, EOF or ERR (COM_PING, COM_INIT_DB, COM_SET_OPTION, …)
    StatisticsReply,    // one text packet (COM_STATISTICS), or ERR
    ColumnDefs,         // column definitions of a result set
    ColumnsEof,         // the EOF after column definitions, without CLIENT_DEPRECATE_EOF
    Rows,               // rows until EOF, OK terminator or ERR
    InfileData,         // client's file contents; an empty packet ends them
    InfileReply,        // the server's OK or ERR for the file
    PrepareReply,       // COM_STMT_PREPARE_OK or ERR
    PrepareParams,      // parameter definitions of a prepared statement
    PrepareParamsEof,   // EOF after them, without CLIENT_DEPRECATE_EOF
    PrepareColumns,     // column definitions of a prepared statement
    PrepareColumnsEof,  // EOF after them, without CLIENT_DEPRECATE_EOF
    FieldListDefs,      // COM_FIELD_LIST: column definitions until EOF or ERR
    BinlogEvents,       // replication events until EOF or ERR
  };

  // The handshake: greeting (seq 0) and response (seq 1, or 2 after an SSLRequest) were
  // handled by the session; the authentication exchange continues at `next_sequence_id`.
  void begin_authentication(std::uint64_t capabilities, std::uint8_t next_sequence_id = 2);
  // A client command was forwarded; it began with sequence id 0 and, when it spanned several
  // packets, ended with `last_sequence_id`. Returns false for commands that get no reply
  // (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA, COM_QUIT): the exchange is then done.
  bool begin_command(std::uint8_t command, std::uint8_t last_sequence_id,
                     std::uint64_t capabilities);

  // Bytes of a server message to keep for on_server_message: whole status packets, nothing of
  // rows and column definitions.
  std::size_t keep_for_server(const protocol::MessageStart& start) const;
  // The server message starting now is an OK packet (not a row, an EOF or a prepare OK): what
  // a session that re-encodes OKs must hold.
  bool is_ok(const protocol::MessageStart& start) const;
  [[nodiscard]] Result<Turn> on_server_message(const protocol::Message& message);
  [[nodiscard]] Result<Turn> on_client_message(const protocol::Message& message);

  Turn turn() const;
  Expect expect() const { return expect_; }
  // True from the column count until the result set ends: a result set is streaming.
  bool in_result_set() const {
    return expect_ == Expect::ColumnDefs || expect_ == Expect::ColumnsEof ||
           expect_ == Expect::Rows;
  }
  // Authentication: the client spoke last, so the server owes the next packet.
  bool server_owes_auth_reply() const {
    return expect_ == Expect::AuthExchange && client_spoke_last_;
  }
  std::uint8_t command() const { return command_; }
  std::uint8_t next_sequence_id() const { return next_sequence_id_; }
  std::uint16_t status_flags() const { return status_; }
  const Outcome& outcome() const { return outcome_; }
  // The last server message, decoded, when it was an OK packet (reset by every server message).
  const std::optional<protocol::OkPacket>& ok() const { return ok_; }

 private:
  [[nodiscard]] Result<void> check_sequence(const protocol::Message& message);
  [[nodiscard]] Result<Turn> on_response(const protocol::Message& message);
  [[nodiscard]] Result<Turn> on_ok(const protocol::Message& message);
  [[nodiscard]] Result<Turn> on_err(const protocol::Message& message);
  [[nodiscard]] Result<Turn> on_eof(const protocol::Message& message, Expect next);
  [[nodiscard]] Result<Turn> on_result_end(const protocol::Message& message);
  [[nodiscard]] Result<Turn> on_definition(Expect eof_step, Expect after);
  [[nodiscard]] Result<Turn> on_prepare_ok(const protocol::Message& message);
  [[nodiscard]] Result<Turn> on_auth_message(const protocol::Message& message);
  Turn finish();
  bool deprecate_eof() const { return (capabilities_ & protocol::cap::kDeprecateEof) != 0; }

  Expect expect_ = Expect::Nothing;
  std::uint64_t capabilities_ = 0;
  std::uint8_t command_ = 0;
  std::uint8_t next_sequence_id_ = 0;
  std::uint64_t remaining_ = 0;        // definitions left in the current block
  std::uint16_t prepare_columns_ = 0;  // column definitions after a prepared statement's params
  std::uint16_t status_ = protocol::status::kAutocommit;
  bool client_spoke_last_ = false;
  Outcome outcome_;
  std::optional<protocol::OkPacket> ok_;
};

}  // namespace gw::session
