// gw_probe: a MariaDB Connector/C client that drives the binary protocol and the rarer commands,
// printing a canonical transcript. Integration tests run each scenario once against MariaDB and
// once through gracewire and require identical transcripts, so everything printed here must be a
// pure function of the scenario: never thread ids, statement timings, versions or timestamps.
//
// Transcript lines ("<label>" names the step; a command's K-th result, K >= 2, is "<label>/K"):
//   == <scenario>
//   <label> ok affected=N insert_id=N warnings=N [info='...']
//   <label> error <errno> <sqlstate> <message>
//   <label> columns=N
//   <label> column I: name=.. org_name=.. table=.. org_table=.. db=.. type=.. length=..
//                     decimals=.. charset=.. flags=A|B [ext_type=..] [ext_format=..]
//   <label> row I: <value> | <value> ...
//   <label> rows=N
// Values: NULL; numbers, decimals and temporals bare; strings quoted with \\ \' \n \xNN escapes;
// binary-charset values as x'hex'; anything longer than 96 bytes as <len=N fnv64=H>.
//
// Unexpected failures throw ProbeFailure (this is a test driver, not the data path): the scenario
// stops and main exits non-zero with the message on stderr. Server errors a scenario provokes on
// purpose are printed to the transcript instead.
#pragma once

#include <fmt/format.h>
#include <mysql.h>

#include <cstdint>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace gw::probe {

struct ConnectParams {
  std::string host;
  unsigned int port = 0;
  std::string user;
  std::string password;
  std::string database;
};

class ProbeFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes transcript lines to stdout.
class Transcript {
 public:
  template <typename... Args>
  void line(fmt::format_string<Args...> format, Args&&... args) {
    fmt::print(stdout, "{}\n", fmt::format(format, std::forward<Args>(args)...));
  }
};

// Owns a connected MYSQL handle; closes it (COM_QUIT) on destruction.
class Connection {
 public:
  // Connects over TCP (never the unix socket, even for "localhost") with utf8mb4.
  explicit Connection(const ConnectParams& params, unsigned long client_flags = 0);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  MYSQL* get() const { return mysql_; }

 private:
  MYSQL* mysql_ = nullptr;
};

// Owns a MYSQL_STMT; closes it (COM_STMT_CLOSE) on destruction.
class Statement {
 public:
  explicit Statement(MYSQL* mysql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  MYSQL_STMT* get() const { return stmt_; }
  // Closes now; for scenarios that need the close to happen at a precise point.
  void close();

 private:
  MYSQL_STMT* stmt_ = nullptr;
};

// Owns a MYSQL_RES.
class ResultSet {
 public:
  explicit ResultSet(MYSQL_RES* res) : res_(res) {}
  ~ResultSet();
  ResultSet(const ResultSet&) = delete;
  ResultSet& operator=(const ResultSet&) = delete;

  MYSQL_RES* get() const { return res_; }

 private:
  MYSQL_RES* res_ = nullptr;
};

// "error <errno> <sqlstate> <message>" for the last error on the connection / statement.
std::string describe_error(MYSQL* mysql);
std::string describe_error(MYSQL_STMT* stmt);

[[noreturn]] void fail(std::string_view step, MYSQL* mysql);
[[noreturn]] void fail(std::string_view step, MYSQL_STMT* stmt);

// Runs setup SQL that must succeed; consumes and discards every result. Prints nothing.
void exec(MYSQL* mysql, std::string_view sql);
// Runs one query that must return exactly one row with one column; returns it ("NULL" for NULL).
std::string query_scalar(MYSQL* mysql, std::string_view sql);

// Runs a text-protocol query and prints every result set, OK packet and error it produces.
void run_text_query(Transcript& t, MYSQL* mysql, std::string_view label, std::string_view sql);
// Prints the results of a query that was already sent (mysql_real_query returned `rc`).
void print_text_results(Transcript& t, MYSQL* mysql, std::string_view label, int rc);
// Prints "<label> ok affected=.. insert_id=.. warnings=.. [info=..]" and the warnings themselves.
void print_ok(Transcript& t, MYSQL* mysql, std::string_view label);
// Prints SHOW WARNINGS when the last statement left any.
void print_warnings(Transcript& t, MYSQL* mysql, std::string_view label);

// "<label> columns=N", then one "<label> column I: ..." line per field.
void print_fields(Transcript& t, std::string_view label, std::span<const MYSQL_FIELD> fields);
// String-like types whose values are quoted (or hex for the binary charset) in transcripts.
bool is_string_type(enum_field_types type);
std::string_view type_name(enum_field_types type);
std::string flag_names(unsigned int flags);

// Canonical rendering of column bytes: 'text' (escaped) or x'hex' for the binary charset;
// values longer than kInlineLimit are summarised as "<len=N fnv64=H>".
inline constexpr std::size_t kInlineLimit = 96;
inline constexpr unsigned int kBinaryCharset = 63;
std::string render_bytes(std::string_view bytes, bool binary);

// FNV-1a 64 for compact, deterministic checksums of values and rows.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t seed = 0xcbf29ce484222325ULL);

}  // namespace gw::probe
