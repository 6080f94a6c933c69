// long_data and stmt_reset_close: COM_STMT_SEND_LONG_DATA, COM_STMT_RESET, COM_STMT_CLOSE and the
// server's answer to an execute of a statement id it no longer knows.
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <string>

#include "probe_binary.h"
#include "scenarios.h"

namespace gw::probe {
namespace {

constexpr std::size_t kPayloadSize = std::size_t{3} * 1024 * 1024;

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw ProbeFailure("EVP_Digest(sha256) failed");
  }
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// Deterministic, incompressible-looking bytes (a 64-bit LCG's high byte).
std::string make_payload(std::size_t size) {
  std::string out(size, '\0');
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (char& c : out) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    c = static_cast<char>(state >> 56);
  }
  return out;
}

void send_long_data(MYSQL_STMT* stmt, unsigned int param, std::string_view bytes) {
  if (mysql_stmt_send_long_data(stmt, param, bytes.data(),
                                static_cast<unsigned long>(bytes.size())) != 0) {
    fail("mysql_stmt_send_long_data", stmt);
  }
}

// Sends `payload` in uneven chunks (1 byte up to 1 MB) so packet boundaries fall everywhere.
int send_in_chunks(MYSQL_STMT* stmt, unsigned int param, std::string_view payload) {
  constexpr std::array<std::size_t, 5> kChunkSizes{1, 8191, 65536, 1000000, 262144};
  int chunks = 0;
  for (std::size_t offset = 0; offset < payload.size(); ++chunks) {
    std::size_t size = std::min(kChunkSizes[chunks % kChunkSizes.size()], payload.size() - offset);
    send_long_data(stmt, param, payload.substr(offset, size));
    offset += size;
  }
  return chunks;
}

void insert_long_row(Transcript& t, MYSQL* mysql, std::string_view payload) {
  Statement stmt(mysql);
  prepare(stmt.get(), "INSERT INTO gw_probe_long (id, payload, note) VALUES (?, ?, ?)");
  ParamSet params;
  params.add_int(1);
  params.add_long_data(MYSQL_TYPE_LONG_BLOB);
  params.add_long_data(MYSQL_TYPE_STRING);
  params.bind(stmt.get());
  int chunks = send_in_chunks(stmt.get(), 1, payload);
  // Split inside the two-byte UTF-8 sequence for "e with acute": the server must join raw bytes.
  send_long_data(stmt.get(), 2, "caf\xc3");
  send_long_data(stmt.get(), 2, "\xa9 au lait");
  t.line("long_data sent bytes={} chunks={} sha256={}", payload.size(), chunks,
         sha256_hex(payload));
  execute(stmt.get());
  print_stmt_ok(t, stmt.get(), "long_data insert");
}

void read_long_row(Transcript& t, MYSQL* mysql, std::string_view payload) {
  Statement summary(mysql);
  prepare(summary.get(),
          "SELECT id, LENGTH(payload) AS len, SHA2(payload, 256) AS sha, note FROM gw_probe_long");
  execute(summary.get());
  print_binary_result(t, summary.get(), "long_data summary");

  Statement whole(mysql);
  prepare(whole.get(), "SELECT payload FROM gw_probe_long WHERE id = 1");
  execute(whole.get());
  RowReader reader(whole.get());
  if (!reader.fetch()) throw ProbeFailure("long_data: row 1 missing");
  const std::string& got = reader.bytes(0);
  t.line("long_data readback bytes={} sha256={} matches_sent={}", got.size(), sha256_hex(got),
         got == payload ? "yes" : "no");
  if (reader.fetch()) throw ProbeFailure("long_data: more than one row");
}

}  // namespace

void scenario_long_data(Transcript& t, const ConnectParams& params) {
  Connection conn(params);
  exec(conn.get(), "DROP TEMPORARY TABLE IF EXISTS gw_probe_long");
  exec(conn.get(),
       "CREATE TEMPORARY TABLE gw_probe_long (id INT PRIMARY KEY, payload LONGBLOB, note TEXT)");
  const std::string payload = make_payload(kPayloadSize);
  insert_long_row(t, conn.get(), payload);
  read_long_row(t, conn.get(), payload);
  exec(conn.get(), "DROP TEMPORARY TABLE gw_probe_long");
}

namespace {

// A multi-row result abandoned half-read, then the statement re-executed with new parameters.
void reset_mid_result(Transcript& t, MYSQL* mysql) {
  Statement stmt(mysql);
  prepare(stmt.get(),
          "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?) "
          "SELECT n, n * ? AS scaled FROM s ORDER BY n");
  ParamSet params;
  params.add_int(std::int64_t{5});
  params.add_int(std::int64_t{10});
  params.bind(stmt.get());
  execute(stmt.get());
  RowReader reader(stmt.get());
  for (int i = 0; i < 2 && reader.fetch(); ++i)
    t.line("partial row {}: {}", i, reader.render_row());
  if (mysql_stmt_reset(stmt.get()) != 0) fail("mysql_stmt_reset", stmt.get());
  t.line("reset after 2 of 5 rows ok");
  params.set_int(0, 3);
  params.set_int(1, 100);
  execute(stmt.get());
  print_binary_result(t, stmt.get(), "re-execute");
}

// Long data is discarded by COM_STMT_RESET: only what is sent after the reset reaches execute.
void reset_long_data(Transcript& t, MYSQL* mysql) {
  Statement stmt(mysql);
  prepare(stmt.get(), "SELECT CONCAT('[', ?, ']') AS wrapped");
  ParamSet params;
  params.add_long_data(MYSQL_TYPE_STRING);
  params.bind(stmt.get());
  send_long_data(stmt.get(), 0, "discarded ");
  if (mysql_stmt_reset(stmt.get()) != 0) fail("mysql_stmt_reset", stmt.get());
  send_long_data(stmt.get(), 0, "kept");
  execute(stmt.get());
  print_binary_result(t, stmt.get(), "long data after reset");
}

void execution_errors(Transcript& t, MYSQL* mysql) {
  for (std::string_view sql : {"SELEC 1", "SELECT * FROM gw_probe_no_such_table"}) {
    Statement stmt(mysql);
    if (mysql_stmt_prepare(stmt.get(), sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
      t.line("prepare '{}' {}", sql, describe_error(stmt.get()));
    }
  }
  exec(mysql, "CREATE TEMPORARY TABLE gw_probe_reset (id INT PRIMARY KEY)");
  Statement stmt(mysql);
  prepare(stmt.get(), "INSERT INTO gw_probe_reset VALUES (?)");
  ParamSet params;
  params.add_int(7);
  params.bind(stmt.get());
  for (int attempt = 1; attempt <= 2; ++attempt) {
    std::string label = fmt::format("insert attempt {}", attempt);
    if (mysql_stmt_execute(stmt.get()) != 0) {
      t.line("{} {}", label, describe_error(stmt.get()));
    } else {
      print_stmt_ok(t, stmt.get(), label);
    }
  }
  exec(mysql, "DROP TEMPORARY TABLE gw_probe_reset");
}

// Connector/C frees a closed MYSQL_STMT, so to execute an id the server has forgotten we point a
// live handle at the closed one's id for one execute, then restore it.
void execute_closed_id(Transcript& t, MYSQL* mysql) {
  unsigned long closed_id = 0;
  {
    Statement victim(mysql);
    prepare(victim.get(), "SELECT 1 AS one");
    closed_id = victim.get()->stmt_id;
    victim.close();
    t.line("close ok");
  }
  t.line("ping after close {}", mysql_ping(mysql) == 0 ? "ok" : describe_error(mysql));
  Statement live(mysql);
  prepare(live.get(), "SELECT 2 AS two");
  const unsigned long live_id = live.get()->stmt_id;
  live.get()->stmt_id = closed_id;
  if (mysql_stmt_execute(live.get()) != 0) {
    // Statement ids come from a server-wide counter, so the id in the message is masked.
    std::string message = describe_error(live.get());
    const std::string id_text = fmt::format("({})", closed_id);
    if (auto at = message.find(id_text); at != std::string::npos) {
      message.replace(at, id_text.size(), "(<closed id>)");
    }
    t.line("execute closed statement {}", message);
  } else {
    t.line("execute closed statement unexpectedly succeeded");
  }
  live.get()->stmt_id = live_id;
  execute(live.get());
  print_binary_result(t, live.get(), "execute live statement");
}

}  // namespace

void scenario_stmt_reset_close(Transcript& t, const ConnectParams& params) {
  Connection conn(params);
  reset_mid_result(t, conn.get());
  reset_long_data(t, conn.get());
  execution_errors(t, conn.get());
  execute_closed_id(t, conn.get());
}

}  // namespace gw::probe
