// mariadb_ps_extensions: MariaDB-only prepared-statement traffic.
// - mariadb_stmt_execute_direct pipelines COM_STMT_PREPARE and COM_STMT_EXECUTE without waiting;
//   the execute names statement id 0xffffffff, meaning "the statement just prepared".
// - Array binding (STMT_ATTR_ARRAY_SIZE) sends all rows in one COM_STMT_BULK_EXECUTE.
#include <array>
#include <cstdint>
#include <string>

#include "probe_binary.h"
#include "scenarios.h"

namespace gw::probe {
namespace {

void execute_direct(Transcript& t, MYSQL* mysql, std::string_view label, std::string_view sql) {
  Statement stmt(mysql);
  unsigned int prebound = 2;
  if (mysql_stmt_attr_set(stmt.get(), STMT_ATTR_PREBIND_PARAMS, &prebound) != 0) {
    fail("STMT_ATTR_PREBIND_PARAMS", stmt.get());
  }
  ParamSet params;
  params.add_int(std::int64_t{40});
  params.add_bytes(MYSQL_TYPE_STRING, "direct");
  params.bind(stmt.get());
  if (mariadb_stmt_execute_direct(stmt.get(), sql.data(), sql.size()) != 0) {
    t.line("{} {}", label, describe_error(stmt.get()));
    return;
  }
  print_binary_result(t, stmt.get(), label);
  // The statement stays prepared: a plain COM_STMT_EXECUTE by its real id works too.
  params.set_int(0, 1);
  execute(stmt.get());
  print_binary_result(t, stmt.get(), fmt::format("{} re-execute", label));
}

// Five rows bound column-wise; row 3 has NULL name and score through indicators.
class BulkRows {
 public:
  explicit BulkRows(std::array<int, 5> ids) : ids_(ids) {
    for (std::size_t i = 0; i < kRows; ++i) {
      names_text_[i] = fmt::format("name-{}", ids[i]);
      names_[i] = names_text_[i].c_str();
      scores_[i] = ids[i] * 0.5;
      name_ind_[i] = i == 2 ? STMT_INDICATOR_NULL : STMT_INDICATOR_NTS;
      score_ind_[i] = i == 2 ? STMT_INDICATOR_NULL : STMT_INDICATOR_NONE;
    }
    binds_[0].buffer_type = MYSQL_TYPE_LONG;
    binds_[0].buffer = ids_.data();
    binds_[1].buffer_type = MYSQL_TYPE_STRING;
    binds_[1].buffer = names_.data();
    binds_[1].u.indicator = name_ind_.data();
    binds_[2].buffer_type = MYSQL_TYPE_DOUBLE;
    binds_[2].buffer = scores_.data();
    binds_[2].u.indicator = score_ind_.data();
  }

  void bind(MYSQL_STMT* stmt) {
    unsigned int size = kRows;
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &size) != 0) {
      fail("STMT_ATTR_ARRAY_SIZE", stmt);
    }
    if (mysql_stmt_bind_param(stmt, binds_.data()) != 0) fail("mysql_stmt_bind_param", stmt);
  }

 private:
  static constexpr std::size_t kRows = 5;
  std::array<int, kRows> ids_;
  std::array<std::string, kRows> names_text_;
  std::array<const char*, kRows> names_{};
  std::array<double, kRows> scores_{};
  std::array<char, kRows> name_ind_{};
  std::array<char, kRows> score_ind_{};
  std::array<MYSQL_BIND, 3> binds_{};
};

void bulk_insert(Transcript& t, MYSQL* mysql) {
  exec(mysql, "DROP TEMPORARY TABLE IF EXISTS gw_probe_bulk");
  exec(mysql,
       "CREATE TEMPORARY TABLE gw_probe_bulk (id INT PRIMARY KEY, name VARCHAR(20), score DOUBLE)");
  Statement stmt(mysql);
  prepare(stmt.get(), "INSERT INTO gw_probe_bulk VALUES (?, ?, ?)");
  const std::array<std::array<int, 5>, 2> batches{{{1, 2, 3, 4, 5}, {6, 7, 3, 8, 9}}};
  int batch_no = 1;
  for (const auto& ids : batches) {
    BulkRows rows(ids);
    rows.bind(stmt.get());
    std::string label = fmt::format("bulk batch {}", batch_no++);
    if (mysql_stmt_execute(stmt.get()) != 0) {
      t.line("{} {}", label, describe_error(stmt.get()));
    } else {
      print_stmt_ok(t, stmt.get(), label);
    }
  }
  run_text_query(t, mysql, "bulk rows", "SELECT id, name, score FROM gw_probe_bulk ORDER BY id");
  exec(mysql, "DROP TEMPORARY TABLE gw_probe_bulk");
}

}  // namespace

void scenario_mariadb_ps_extensions(Transcript& t, const ConnectParams& params) {
  Connection conn(params);
  execute_direct(t, conn.get(), "execute_direct", "SELECT ? + 2 AS answer, CONCAT(?, '!') AS tag");
  execute_direct(t, conn.get(), "execute_direct failing",
                 "SELECT * FROM gw_probe_no_such_table WHERE id = ? AND name = ?");
  run_text_query(t, conn.get(), "after failing direct", "SELECT 'in sync' AS state");
  bulk_insert(t, conn.get());
}

}  // namespace gw::probe
