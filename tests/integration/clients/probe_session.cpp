// change_user and misc_commands: COM_CHANGE_USER, COM_PING, COM_STATISTICS, COM_INIT_DB,
// COM_RESET_CONNECTION, COM_FIELD_LIST, COM_PROCESS_INFO, COM_PROCESS_KILL and the transaction
// status flags.
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "scenarios.h"

namespace gw::probe {
namespace {

struct Credentials {
  std::string user;
  std::string password;
  bool from_env = false;
};

// GW_PROBE_OTHER_USER / GW_PROBE_OTHER_PASSWORD name an existing second account; otherwise the
// scenario creates gw_other itself.
Credentials other_credentials() {
  const char* user = std::getenv("GW_PROBE_OTHER_USER");
  const char* password = std::getenv("GW_PROBE_OTHER_PASSWORD");
  if (user != nullptr && *user != '\0') {
    return {user, password == nullptr ? "" : password, true};
  }
  return {"gw_other", "gw_other_pw_1", false};
}

void ensure_user(MYSQL* mysql, const Credentials& other) {
  if (other.from_env) return;
  exec(mysql, fmt::format("CREATE USER IF NOT EXISTS '{}'@'%' IDENTIFIED BY '{}'", other.user,
                          other.password));
  // The account may survive from an earlier run with another password.
  exec(mysql, fmt::format("ALTER USER '{}'@'%' IDENTIFIED BY '{}'", other.user, other.password));
}

void print_identity(Transcript& t, MYSQL* mysql, std::string_view label) {
  run_text_query(t, mysql, label,
                 "SELECT CURRENT_USER() AS who, DATABASE() AS db, @gw_probe_mark AS mark");
}

void change_user(Transcript& t, MYSQL* mysql, std::string_view label, const std::string& user,
                 const std::string& password, const char* db) {
  if (mysql_change_user(mysql, user.c_str(), password.c_str(), db) != 0) {
    t.line("{} {}", label, describe_error(mysql));
  } else {
    t.line("{} ok", label);
  }
}

}  // namespace

void scenario_change_user(Transcript& t, const ConnectParams& params) {
  const Credentials other = other_credentials();
  Connection conn(params);
  MYSQL* mysql = conn.get();
  ensure_user(mysql, other);
  exec(mysql, "SET @gw_probe_mark = 'before'");
  print_identity(t, mysql, "initial");
  change_user(t, mysql, "change to other", other.user, other.password, nullptr);
  print_identity(t, mysql, "as other");
  exec(mysql, "SET @gw_probe_mark = 'other'");
  change_user(t, mysql, "change back", params.user, params.password, params.database.c_str());
  print_identity(t, mysql, "back");
  exec(mysql, "SET @gw_probe_mark = 'back'");
  change_user(t, mysql, "change wrong password", other.user, other.password + "-wrong", nullptr);
  // Whether the session survives a failed COM_CHANGE_USER is the server's choice; show it.
  if (mysql_ping(mysql) != 0) {
    t.line("ping after failed change {}", describe_error(mysql));
    return;
  }
  t.line("ping after failed change ok");
  print_identity(t, mysql, "after failed change");
}

namespace {

// Everything the last OK packet's session-state block carried, in wire order per type.
void print_session_track(Transcript& t, MYSQL* mysql, std::string_view label) {
  static constexpr std::pair<enum_session_state_type, std::string_view> kTypes[] = {
      {SESSION_TRACK_SYSTEM_VARIABLES, "system_variables"},
      {SESSION_TRACK_SCHEMA, "schema"},
      {SESSION_TRACK_STATE_CHANGE, "state_change"},
      {SESSION_TRACK_TRANSACTION_CHARACTERISTICS, "transaction_characteristics"},
      {SESSION_TRACK_TRANSACTION_STATE, "transaction_state"},
  };
  for (const auto& [type, name] : kTypes) {
    const char* data = nullptr;
    std::size_t length = 0;
    std::string values;
    for (int rc = mysql_session_track_get_first(mysql, type, &data, &length); rc == 0;
         rc = mysql_session_track_get_next(mysql, type, &data, &length)) {
      values += fmt::format(" '{}'", std::string_view(data, length));
    }
    if (!values.empty()) t.line("{} tracked {}:{}", label, name, values);
  }
}

// Session state changes ride on OK packets of ordinary queries (libmariadb does not parse the OK
// of COM_INIT_DB for them).
void session_track(Transcript& t, MYSQL* mysql, const ConnectParams& params) {
  const std::string statements[] = {
      "USE gw_probe_other_db",
      "SET time_zone = '+01:00'",
      "SET autocommit = 0, character_set_results = NULL",
      "SET autocommit = 1, time_zone = DEFAULT, character_set_results = utf8mb4",
      fmt::format("USE `{}`", params.database),
  };
  for (const std::string& sql : statements) {
    const std::string label = fmt::format("track {}", sql);
    run_text_query(t, mysql, label, sql);
    print_session_track(t, mysql, label);
  }
}

void ping_stat_init_db(Transcript& t, MYSQL* mysql, const ConnectParams& params) {
  t.line("ping {}", mysql_ping(mysql) == 0 ? "ok" : describe_error(mysql));
  const char* stat = mysql_stat(mysql);
  if (stat == nullptr) {
    t.line("stat {}", describe_error(mysql));
  } else {
    const std::string_view text(stat);
    t.line("stat nonempty={} starts_with_uptime={}", text.empty() ? "no" : "yes",
           text.starts_with("Uptime") ? "yes" : "no");
  }
  exec(mysql, "CREATE DATABASE IF NOT EXISTS gw_probe_other_db");
  for (const std::string& db :
       {std::string("gw_probe_other_db"), std::string("gw_probe_no_such_db"), params.database}) {
    const std::string label = fmt::format("select_db {}", db);
    if (mysql_select_db(mysql, db.c_str()) != 0) {
      t.line("{} {}", label, describe_error(mysql));
      continue;
    }
    t.line("{} ok", label);
    t.line("{} database={}", label, query_scalar(mysql, "SELECT DATABASE()"));
  }
  session_track(t, mysql, params);
  exec(mysql, "DROP DATABASE gw_probe_other_db");
}

void reset_connection(Transcript& t, MYSQL* mysql) {
  exec(mysql, "SET @gw_probe_var = 42");
  exec(mysql, "CREATE TEMPORARY TABLE gw_probe_reset_tmp (id INT)");
  run_text_query(t, mysql, "before reset", "SELECT @gw_probe_var AS v");
  const int rc = mysql_reset_connection(mysql);
  t.line("reset_connection {}", rc == 0 ? "ok" : describe_error(mysql));
  run_text_query(t, mysql, "after reset", "SELECT @gw_probe_var AS v");
  run_text_query(t, mysql, "after reset temp table", "SELECT COUNT(*) FROM gw_probe_reset_tmp");
}

void print_field_list(Transcript& t, MYSQL* mysql, std::string_view label, const char* table,
                      const char* wild) {
  ResultSet res(mysql_list_fields(mysql, table, wild));
  if (res.get() == nullptr) {
    t.line("{} {}", label, describe_error(mysql));
    return;
  }
  const unsigned int count = mysql_num_fields(res.get());
  const MYSQL_FIELD* fields = mysql_fetch_fields(res.get());
  print_fields(t, label, std::span<const MYSQL_FIELD>(fields, count));
  for (unsigned int i = 0; i < count; ++i) {
    const MYSQL_FIELD& f = fields[i];
    t.line("{} default {}={}", label, f.name,
           f.def == nullptr ? "none" : render_bytes(std::string_view(f.def, f.def_length), false));
  }
}

void field_list(Transcript& t, MYSQL* mysql) {
  exec(mysql, "DROP TABLE IF EXISTS gw_probe_fields");
  exec(
      mysql,
      "CREATE TABLE gw_probe_fields (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
      "name VARCHAR(40) NOT NULL DEFAULT 'anon', score DECIMAL(6,2) DEFAULT 1.50, "
      "note TEXT, created DATETIME DEFAULT '2020-01-02 03:04:05', kind ENUM('x','y') DEFAULT 'y')");
  print_field_list(t, mysql, "field_list all", "gw_probe_fields", nullptr);
  print_field_list(t, mysql, "field_list wild", "gw_probe_fields", "n%");
  print_field_list(t, mysql, "field_list missing", "gw_probe_no_such_table", nullptr);
  exec(mysql, "DROP TABLE gw_probe_fields");
}

void process_list(Transcript& t, MYSQL* mysql) {
  ResultSet res(mysql_list_processes(mysql));
  if (res.get() == nullptr) {
    t.line("process_list {}", describe_error(mysql));
    return;
  }
  const unsigned int count = mysql_num_fields(res.get());
  const MYSQL_FIELD* fields = mysql_fetch_fields(res.get());
  std::string names;
  for (unsigned int i = 0; i < count; ++i)
    names += fmt::format("{}{}", i ? "," : "", fields[i].name);
  t.line("process_list columns={} has_rows={}", names,
         mysql_num_rows(res.get()) > 0 ? "yes" : "no");
}

// Kills a second connection by id; prints only outcomes that don't depend on ids or timing.
void kill_other(Transcript& t, MYSQL* mysql, const ConnectParams& params) {
  Connection victim(params);
  const unsigned long id = mysql_thread_id(victim.get());
  t.line("kill {}", mysql_kill(mysql, id) == 0 ? "ok" : describe_error(mysql));
  const std::string probe =
      fmt::format("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = {}", id);
  bool gone = false;
  for (int attempt = 0; attempt < 100 && !gone; ++attempt) {
    gone = query_scalar(mysql, probe) == "0";
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  t.line("killed connection gone={}", gone ? "yes" : "no");
  t.line("ping on killed connection {}", mysql_ping(victim.get()) == 0 ? "ok" : "failed");
}

void transaction_flags(Transcript& t, MYSQL* mysql) {
  auto show = [&](std::string_view label) {
    const unsigned int status = mysql->server_status;
    t.line("{} in_trans={} autocommit={} readonly={}", label,
           (status & SERVER_STATUS_IN_TRANS) ? 1 : 0, (status & SERVER_STATUS_AUTOCOMMIT) ? 1 : 0,
           (status & SERVER_STATUS_IN_TRANS_READONLY) ? 1 : 0);
  };
  exec(mysql, "CREATE TEMPORARY TABLE gw_probe_txn (id INT) ENGINE=InnoDB");
  show("txn initial");
  exec(mysql, "START TRANSACTION");
  show("txn after start");
  exec(mysql, "INSERT INTO gw_probe_txn VALUES (1)");
  show("txn after insert");
  exec(mysql, "COMMIT");
  show("txn after commit");
  exec(mysql, "START TRANSACTION READ ONLY");
  show("txn read only");
  exec(mysql, "ROLLBACK");
  if (mysql_autocommit(mysql, 0) != 0) fail("mysql_autocommit(0)", mysql);
  show("txn autocommit off");
  exec(mysql, "INSERT INTO gw_probe_txn VALUES (2)");
  show("txn implicit");
  if (mysql_rollback(mysql) != 0) fail("mysql_rollback", mysql);
  show("txn after rollback");
  if (mysql_autocommit(mysql, 1) != 0) fail("mysql_autocommit(1)", mysql);
  show("txn autocommit on");
  run_text_query(t, mysql, "txn rows", "SELECT id FROM gw_probe_txn ORDER BY id");
  exec(mysql, "DROP TEMPORARY TABLE gw_probe_txn");
}

}  // namespace

void scenario_misc_commands(Transcript& t, const ConnectParams& params) {
  Connection conn(params);
  MYSQL* mysql = conn.get();
  ping_stat_init_db(t, mysql, params);
  reset_connection(t, mysql);
  field_list(t, mysql);
  process_list(t, mysql);
  kill_other(t, mysql, params);
  transaction_flags(t, mysql);
}

}  // namespace gw::probe
