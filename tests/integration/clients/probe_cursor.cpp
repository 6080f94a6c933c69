// cursor_fetch: read-only server-side cursors drained by COM_STMT_FETCH in small rounds, two
// cursors interleaved on one connection with a text query between fetches, a cursor abandoned by
// COM_STMT_RESET, and a cursor over an empty result.
#include <cstdint>
#include <string>

#include "probe_binary.h"
#include "scenarios.h"

namespace gw::probe {
namespace {

constexpr int kRows = 1000;

// kRows rows; every 7th flag is NULL so the NULL bitmaps of the binary rows vary.
constexpr std::string_view kFill =
    R"sql(INSERT INTO gw_probe_cursor (id, label, amount, created, flag)
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {})
SELECT n, CONCAT('row-', n), n * 1.25, TIMESTAMP'2024-01-01 00:00:00' + INTERVAL n MINUTE,
       IF(n % 7 = 0, NULL, n % 3)
FROM s)sql";

constexpr std::string_view kAscending =
    "SELECT id, label, amount, created, flag FROM gw_probe_cursor WHERE id <= ? ORDER BY id";
constexpr std::string_view kDescending =
    "SELECT id, label, amount, created, flag FROM gw_probe_cursor WHERE id > ? ORDER BY id DESC";

// Running totals over the rows a cursor returned.
struct Tally {
  std::uint64_t rows = 0;
  std::int64_t id_sum = 0;
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  std::string first;
  std::string last;

  void add(const RowReader& reader) {
    std::string row = reader.render_row();
    ++rows;
    id_sum += std::stoll(reader.render(0));
    hash = fnv1a(row + "\n", hash);
    if (rows == 1) first = row;
    last = std::move(row);
  }
  void print(Transcript& t, std::string_view label) const {
    t.line("{} count={} id_sum={} fnv64={:016x}", label, rows, id_sum, hash);
    t.line("{} first={}", label, first.empty() ? "-" : first);
    t.line("{} last={}", label, last.empty() ? "-" : last);
  }
};

// A prepared cursor statement with its single BIGINT parameter.
class CursorStmt {
 public:
  CursorStmt(MYSQL* mysql, std::string_view sql, unsigned long prefetch) : stmt_(mysql) {
    unsigned long cursor = CURSOR_TYPE_READ_ONLY;
    if (mysql_stmt_attr_set(stmt_.get(), STMT_ATTR_CURSOR_TYPE, &cursor) != 0 ||
        mysql_stmt_attr_set(stmt_.get(), STMT_ATTR_PREFETCH_ROWS, &prefetch) != 0) {
      fail("mysql_stmt_attr_set", stmt_.get());
    }
    prepare(stmt_.get(), sql);
    params_.add_int(std::int64_t{0});
    params_.bind(stmt_.get());
  }

  MYSQL_STMT* get() const { return stmt_.get(); }

  // Executes with `bound`; reports whether the server opened a cursor for the result.
  bool execute_with(long long bound) {
    params_.set_int(0, bound);
    execute(stmt_.get());
    return (stmt_.get()->mysql->server_status & SERVER_STATUS_CURSOR_EXISTS) != 0;
  }

 private:
  Statement stmt_;
  ParamSet params_;
};

void single_cursor(Transcript& t, MYSQL* mysql) {
  CursorStmt cursor(mysql, kAscending, 7);
  unsigned long prefetch = 0;
  mysql_stmt_attr_get(cursor.get(), STMT_ATTR_PREFETCH_ROWS, &prefetch);
  t.line("single prefetch_rows={}", prefetch);
  const bool opened = cursor.execute_with(kRows);
  t.line("single cursor_exists={}", opened ? "yes" : "no");
  RowReader reader(cursor.get());
  print_fields(t, "single", reader.fields());
  Tally tally;
  while (reader.fetch()) tally.add(reader);
  tally.print(t, "single");
}

void interleaved_cursors(Transcript& t, MYSQL* mysql) {
  CursorStmt up(mysql, kAscending, 7);
  CursorStmt down(mysql, kDescending, 3);
  t.line("interleave up cursor_exists={}", up.execute_with(600) ? "yes" : "no");
  t.line("interleave down cursor_exists={}", down.execute_with(400) ? "yes" : "no");
  RowReader up_reader(up.get());
  RowReader down_reader(down.get());
  Tally up_tally;
  Tally down_tally;
  bool up_open = true;
  bool down_open = true;
  auto advance = [](RowReader& reader, Tally& tally, bool& open) {
    if (open) open = reader.fetch();
    if (open) tally.add(reader);
  };
  for (int step = 0; up_open || down_open; ++step) {
    advance(up_reader, up_tally, up_open);
    advance(down_reader, down_tally, down_open);
    if (step < 3) {
      t.line("interleave step {}: up={} down={}", step, up_open ? up_reader.render(0) : "end",
             down_open ? down_reader.render(0) : "end");
    }
    // Other commands may run while cursors are open: rows come only on COM_STMT_FETCH.
    if (step == 100) {
      run_text_query(t, mysql, "interleave text query",
                     "SELECT COUNT(*) AS n, SUM(id) AS s FROM gw_probe_cursor");
    }
  }
  up_tally.print(t, "interleave up");
  down_tally.print(t, "interleave down");
}

void abandoned_and_empty(Transcript& t, MYSQL* mysql) {
  CursorStmt cursor(mysql, kAscending, 7);
  cursor.execute_with(kRows);
  {
    RowReader reader(cursor.get());
    Tally partial;
    for (int i = 0; i < 10 && reader.fetch(); ++i) partial.add(reader);
    partial.print(t, "abandoned");
    if (mysql_stmt_reset(cursor.get()) != 0) fail("mysql_stmt_reset", cursor.get());
    t.line("abandoned reset ok");
  }
  t.line("after reset cursor_exists={}", cursor.execute_with(20) ? "yes" : "no");
  RowReader again(cursor.get());
  Tally tally;
  while (again.fetch()) tally.add(again);
  tally.print(t, "after reset");

  t.line("empty cursor_exists={}", cursor.execute_with(0) ? "yes" : "no");
  RowReader empty(cursor.get());
  Tally none;
  while (empty.fetch()) none.add(empty);
  none.print(t, "empty");
}

}  // namespace

void scenario_cursor_fetch(Transcript& t, const ConnectParams& params) {
  Connection conn(params);
  exec(conn.get(), "DROP TEMPORARY TABLE IF EXISTS gw_probe_cursor");
  exec(conn.get(),
       "CREATE TEMPORARY TABLE gw_probe_cursor (id INT PRIMARY KEY, label VARCHAR(32) NOT NULL, "
       "amount DECIMAL(12,2), created DATETIME(3), flag TINYINT)");
  exec(conn.get(), fmt::format(kFill, kRows));
  single_cursor(t, conn.get());
  interleaved_cursors(t, conn.get());
  abandoned_and_empty(t, conn.get());
  exec(conn.get(), "DROP TEMPORARY TABLE gw_probe_cursor");
}

}  // namespace gw::probe
