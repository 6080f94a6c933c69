#pragma once
// The event log's records as plain values. The proxy fills them on the event-loop thread and
// hands them to EventLog::submit(); json.h turns each into one line. Field names here are the
// JSON names, so the two cannot drift apart. Records are never mutated after submit().

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/binlog/rows.h"

namespace gw::eventlog {

// In every record.
struct Common {
  std::chrono::system_clock::time_point ts{};
  std::uint64_t session = 0;            // gracewire's session id
  std::uint32_t server_conn_id = 0;     // the server's connection id; 0 = not known yet (null)
  std::string client{};                 // "127.0.0.1:54321" / "[::1]:5000"
  std::string user{}, db{}, program{};  // program = the program_name connection attribute
};

// type "connect": a client was accepted.
struct ConnectRecord {
  Common common{};
  std::string listener{};
};

// type "auth": the end of authentication, either way.
// What TLS a leg negotiated; empty strings for a plaintext leg.
struct LegTls {
  std::string version{};  // "TLSv1.3"
  std::string cipher{};   // OpenSSL's name, "TLS_AES_256_GCM_SHA384"
  std::string subject{};  // the peer certificate's subject, when one was presented and verified
};

struct AuthRecord {
  Common common{};
  std::string auth_plugin{};
  bool ok = false;
  std::uint16_t error_code = 0;
  std::string error_message{};
  std::vector<std::pair<std::string, std::string>> attributes{};  // connection attributes, in order
  std::uint64_t capabilities = 0;                                 // in effect after negotiation
  LegTls client_tls{};  // the client's leg, toward gracewire
  LegTls server_tls{};  // gracewire's leg toward the server
};

// type "change_user": the end of a COM_CHANGE_USER exchange.
struct ChangeUserRecord {
  Common common{};
  bool ok = false;
  std::uint16_t error_code = 0;
  std::string error_message{};
};

// type "reset": COM_RESET_CONNECTION succeeded.
struct ResetRecord {
  Common common{};
};

// type "close": the session is over. close_kind and upstream_close take the words in
// close_kinds.h.
struct CloseRecord {
  Common common{};
  std::string close_kind{};
  std::string detail{};  // the why behind close_kind, such as a protocol error's reason
  bool in_transaction = false;
  std::string last_command{};
  std::int64_t duration_ms = 0;
  std::uint64_t commands = 0, bytes_from_client = 0, bytes_to_client = 0;
  std::string upstream_close{};
  std::int64_t upstream_close_ms = -1;  // -1 = not measured (null)
  std::uint16_t server_error_code = 0;  // the ERR the server sent when it ended the session
  // How a TLS client ended its TLS: "close_notify", "none" (its socket closed without one), or
  // "open" (gracewire closed first); "" for a plaintext client.
  std::string client_tls_end{};
};

// type "command": one client command and its outcome (the audit record).
struct CommandRecord {
  Common common{};
  std::string command{};    // "COM_QUERY"
  std::string statement{};  // redacted by the writer before it is encoded (redact.h)
  bool statement_truncated = false;
  std::optional<std::uint32_t> statement_id{};
  std::vector<std::string> params{};  // only when configured; already rendered as text
  enum class Result { Ok, Rows, Error } result = Result::Ok;
  std::uint64_t affected_rows = 0, last_insert_id = 0;
  std::uint16_t warnings = 0;
  std::uint64_t columns = 0, rows = 0;
  std::uint16_t error_code = 0;
  std::string sql_state{}, error_message{};
  std::int64_t duration_us = 0;
  std::uint64_t bytes_from_client = 0, bytes_to_client = 0;
  bool in_transaction = false;
};

// Change records (the binlog follower). `common` attributes the change: server_conn_id is the
// thread id of the transaction's QUERY event, and session/client/user/program are filled when
// that connection is (or was recently) a session gracewire proxied; common.db is the changed
// row's database (ddl: the statement's default database). common.ts is when the record was made.

// Where a change sits in the server's binlog. (gtid, event_index, row_index) is the key a
// consumer deduplicates on: event_index counts the events of the transaction from its GTID
// event (0), row_index the rows of one row event.
struct ChangePosition {
  std::string gtid{};  // "0-1-42"; empty when the server runs without GTIDs (never on MariaDB)
  std::string binlog_file{};
  std::uint64_t binlog_pos = 0;  // where the event starts
  std::uint64_t event_index = 0;
  std::chrono::system_clock::time_point commit_ts{};  // the transaction's binlog timestamp
};

// type "row": one row inserted, updated or deleted.
struct RowRecord {
  Common common{};
  std::string table{};
  enum class Op { Insert, Update, Delete } op = Op::Insert;
  // Column names, shared by every row of a table version; a column without a name (no FULL
  // metadata) is rendered "@1", "@2", ... as mariadb-binlog does.
  std::shared_ptr<const std::vector<std::string>> columns{};
  std::optional<protocol::binlog::RowImage> before{}, after{};
  ChangePosition position{};
  std::uint64_t row_index = 0;
  std::string statement{};  // from ANNOTATE_ROWS; redacted by the writer like audit statements
  bool statement_truncated = false;  // set by the writer (statement_limit, the line limit)
};

// type "ddl": a schema statement (a QUERY event outside a row transaction).
struct DdlRecord {
  Common common{};
  std::string statement{};           // redacted by the writer
  bool statement_truncated = false;  // set by the writer (statement_limit, the line limit)
  ChangePosition position{};
};

// type "commit": the end of a transaction that changed rows.
struct CommitRecord {
  Common common{};
  ChangePosition position{};
  std::uint64_t rows = 0;
};

using Record = std::variant<ConnectRecord, AuthRecord, ChangeUserRecord, ResetRecord, CloseRecord,
                            CommandRecord, RowRecord, DdlRecord, CommitRecord>;

// Row, ddl and commit records: never dropped by the queue, never filtered (writer.h).
inline bool is_change_record(const Record& record) {
  return std::holds_alternative<RowRecord>(record) || std::holds_alternative<DdlRecord>(record) ||
         std::holds_alternative<CommitRecord>(record);
}

}  // namespace gw::eventlog
