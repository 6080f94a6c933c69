// multi_result_proc and multi_statements: several result sets for one command, in the binary
// protocol (prepared CALL with OUT parameters) and the text protocol (CALL, COM_SET_OPTION).
#include <cstdint>
#include <string>

#include "probe_binary.h"
#include "scenarios.h"

namespace gw::probe {
namespace {

constexpr std::string_view kProcedure = R"sql(CREATE OR REPLACE PROCEDURE gw_probe_proc(
    IN p_in INT, OUT p_out VARCHAR(32), INOUT p_io BIGINT)
BEGIN
  SELECT p_in AS in_value, p_in * 2 AS doubled;
  SELECT n, CONCAT('item-', n) AS label
    FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) AS s ORDER BY n;
  SELECT p_io AS io_before, 1.5 AS dec_val, DATE'2024-05-06' AS d, NULL AS nothing;
  SET p_out = CONCAT('out-', p_in);
  SET p_io = p_io * 10 + p_in;
END)sql";

// Walks every result of an executed prepared CALL; the OUT parameter row is flagged by the
// server with SERVER_PS_OUT_PARAMS, and the final OK packet ends the sequence.
void print_call_results(Transcript& t, MYSQL_STMT* stmt) {
  for (int index = 1;; ++index) {
    std::string label = fmt::format("prepared call/{}", index);
    if (mysql_stmt_field_count(stmt) > 0) {
      const bool out_params = (stmt->mysql->server_status & SERVER_PS_OUT_PARAMS) != 0;
      t.line("{} out_params={}", label, out_params ? "yes" : "no");
      print_binary_result(t, stmt, label);
    } else {
      print_stmt_ok(t, stmt, label);
    }
    const int next = mysql_stmt_next_result(stmt);
    if (next < 0) return;
    if (next > 0) {
      t.line("{} next {}", label, describe_error(stmt));
      return;
    }
  }
}

void prepared_call(Transcript& t, MYSQL* mysql) {
  Statement stmt(mysql);
  prepare(stmt.get(), "CALL gw_probe_proc(?, ?, ?)");
  t.line("prepared call param_count={}", mysql_stmt_param_count(stmt.get()));
  ParamSet params;
  params.add_int(5);
  params.add_null(MYSQL_TYPE_VAR_STRING);
  params.add_int(std::int64_t{4});
  params.bind(stmt.get());
  execute(stmt.get());
  print_call_results(t, stmt.get());
}

void text_call(Transcript& t, MYSQL* mysql) {
  exec(mysql, "SET @gw_probe_out = NULL, @gw_probe_io = 4");
  run_text_query(t, mysql, "text call", "CALL gw_probe_proc(6, @gw_probe_out, @gw_probe_io)");
  run_text_query(t, mysql, "text call out", "SELECT @gw_probe_out AS p_out, @gw_probe_io AS p_io");
}

}  // namespace

void scenario_multi_result_proc(Transcript& t, const ConnectParams& params) {
  Connection conn(params, CLIENT_MULTI_RESULTS);
  exec(conn.get(), kProcedure);
  prepared_call(t, conn.get());
  text_call(t, conn.get());
  // Errors inside a procedure arrive after the result sets that preceded them.
  exec(conn.get(),
       "CREATE OR REPLACE PROCEDURE gw_probe_proc_fail() BEGIN SELECT 'before' AS step; "
       "SELECT * FROM gw_probe_no_such_table; END");
  run_text_query(t, conn.get(), "failing call", "CALL gw_probe_proc_fail()");
  exec(conn.get(), "DROP PROCEDURE gw_probe_proc_fail");
  exec(conn.get(), "DROP PROCEDURE gw_probe_proc");
}

namespace {

constexpr std::string_view kMixed =
    "CREATE TEMPORARY TABLE gw_probe_multi (id INT PRIMARY KEY, v VARCHAR(16));"
    "INSERT INTO gw_probe_multi VALUES (1, 'one'), (2, 'two'), (3, 'three');"
    "SELECT id, v FROM gw_probe_multi ORDER BY id;"
    "UPDATE gw_probe_multi SET v = UPPER(v) WHERE id >= 2;"
    "SELECT id FROM gw_probe_multi WHERE id > 100;"
    "SELECT COUNT(*) AS n, GROUP_CONCAT(v ORDER BY id) AS vs FROM gw_probe_multi;"
    "SET @gw_probe_x = 7;"
    "SELECT @gw_probe_x AS x, 'tail' AS t";

constexpr std::string_view kFailsMidway =
    "SELECT 1 AS a; DELETE FROM gw_probe_multi WHERE id = 1; "
    "SELECT * FROM gw_probe_no_such_table; SELECT 3 AS never";

void set_option(Transcript& t, MYSQL* mysql, enum_mysql_set_option option, std::string_view name) {
  const int rc = mysql_set_server_option(mysql, option);
  t.line("set_server_option {} {}", name, rc == 0 ? "ok" : describe_error(mysql));
}

}  // namespace

void scenario_multi_statements(Transcript& t, const ConnectParams& params) {
  Connection conn(params);
  MYSQL* mysql = conn.get();
  run_text_query(t, mysql, "before on", "SELECT 1 AS a; SELECT 2 AS b");
  set_option(t, mysql, MYSQL_OPTION_MULTI_STATEMENTS_ON, "MULTI_STATEMENTS_ON");
  run_text_query(t, mysql, "mixed", kMixed);
  run_text_query(t, mysql, "fails midway", kFailsMidway);
  run_text_query(t, mysql, "after failure", "SELECT COUNT(*) AS n FROM gw_probe_multi");
  set_option(t, mysql, MYSQL_OPTION_MULTI_STATEMENTS_OFF, "MULTI_STATEMENTS_OFF");
  run_text_query(t, mysql, "after off", "SELECT 1 AS a; SELECT 2 AS b");
  run_text_query(t, mysql, "single after off", "SELECT 'still usable' AS s");
  exec(mysql, "DROP TEMPORARY TABLE gw_probe_multi");
}

}  // namespace gw::probe
