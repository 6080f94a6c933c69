#include <array>
#include <vector>

#include "probe.h"

namespace gw::probe {

Connection::Connection(const ConnectParams& params, unsigned long client_flags) {
  mysql_ = mysql_init(nullptr);
  if (mysql_ == nullptr) throw ProbeFailure("mysql_init: out of memory");
  // libmariadb takes "localhost" to mean the unix socket; the proxy only listens on TCP.
  unsigned int protocol = MYSQL_PROTOCOL_TCP;
  unsigned int timeout_s = 30;
  mysql_options(mysql_, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_options(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout_s);
  mysql_options(mysql_, MYSQL_OPT_READ_TIMEOUT, &timeout_s);
  mysql_options(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &timeout_s);
  const char* db = params.database.empty() ? nullptr : params.database.c_str();
  if (mysql_real_connect(mysql_, params.host.c_str(), params.user.c_str(), params.password.c_str(),
                         db, params.port, nullptr, client_flags) == nullptr) {
    std::string message = fmt::format("connect to {}:{} as {}: {}", params.host, params.port,
                                      params.user, describe_error(mysql_));
    mysql_close(mysql_);
    throw ProbeFailure(message);
  }
}

Connection::~Connection() { mysql_close(mysql_); }

Statement::Statement(MYSQL* mysql) : stmt_(mysql_stmt_init(mysql)) {
  if (stmt_ == nullptr) fail("mysql_stmt_init", mysql);
}

Statement::~Statement() { close(); }

void Statement::close() {
  if (stmt_ != nullptr) mysql_stmt_close(stmt_);
  stmt_ = nullptr;
}

ResultSet::~ResultSet() {
  if (res_ != nullptr) mysql_free_result(res_);
}

std::string describe_error(MYSQL* mysql) {
  return fmt::format("error {} {} {}", mysql_errno(mysql), mysql_sqlstate(mysql),
                     mysql_error(mysql));
}

std::string describe_error(MYSQL_STMT* stmt) {
  return fmt::format("error {} {} {}", mysql_stmt_errno(stmt), mysql_stmt_sqlstate(stmt),
                     mysql_stmt_error(stmt));
}

void fail(std::string_view step, MYSQL* mysql) {
  throw ProbeFailure(fmt::format("{}: {}", step, describe_error(mysql)));
}

void fail(std::string_view step, MYSQL_STMT* stmt) {
  throw ProbeFailure(fmt::format("{}: {}", step, describe_error(stmt)));
}

void exec(MYSQL* mysql, std::string_view sql) {
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) fail(sql, mysql);
  for (;;) {
    ResultSet discard(mysql_store_result(mysql));
    if (discard.get() == nullptr && mysql_field_count(mysql) != 0) fail(sql, mysql);
    int next = mysql_next_result(mysql);
    if (next > 0) fail(sql, mysql);
    if (next < 0) return;
  }
}

std::string query_scalar(MYSQL* mysql, std::string_view sql) {
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) fail(sql, mysql);
  ResultSet res(mysql_store_result(mysql));
  if (res.get() == nullptr) fail(sql, mysql);
  MYSQL_ROW row = mysql_fetch_row(res.get());
  if (row == nullptr || mysql_num_fields(res.get()) != 1 || mysql_num_rows(res.get()) != 1) {
    throw ProbeFailure(fmt::format("{}: expected exactly one value", sql));
  }
  return row[0] == nullptr ? std::string("NULL") : std::string(row[0]);
}

bool is_string_type(enum_field_types type) {
  switch (type) {
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_BIT:
    case MYSQL_TYPE_GEOMETRY:
    case MYSQL_TYPE_JSON:
    case MYSQL_TYPE_ENUM:
    case MYSQL_TYPE_SET:
      return true;
    default:
      return false;
  }
}

namespace {

// Text-protocol values of numeric and temporal columns are printed bare; strings are quoted.
std::string render_text_value(const MYSQL_FIELD& field, const char* data, unsigned long length) {
  if (data == nullptr) return "NULL";
  std::string_view bytes(data, length);
  if (!is_string_type(field.type)) return std::string(bytes);
  return render_bytes(bytes, field.charsetnr == kBinaryCharset);
}

void print_rows(Transcript& t, std::string_view label, MYSQL_RES* res) {
  const unsigned int count = mysql_num_fields(res);
  const MYSQL_FIELD* fields = mysql_fetch_fields(res);
  std::uint64_t rows = 0;
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    const unsigned long* lengths = mysql_fetch_lengths(res);
    std::string text;
    for (unsigned int i = 0; i < count; ++i) {
      if (i > 0) text += " | ";
      text += render_text_value(fields[i], row[i], lengths[i]);
    }
    t.line("{} row {}: {}", label, rows++, text);
  }
  t.line("{} rows={}", label, rows);
}

void print_one_result(Transcript& t, MYSQL* mysql, std::string_view label) {
  if (mysql_field_count(mysql) == 0) {
    print_ok(t, mysql, label);
    return;
  }
  ResultSet res(mysql_store_result(mysql));
  if (res.get() == nullptr) {
    t.line("{} {}", label, describe_error(mysql));
    return;
  }
  print_fields(
      t, label,
      std::span<const MYSQL_FIELD>(mysql_fetch_fields(res.get()), mysql_num_fields(res.get())));
  print_rows(t, label, res.get());
}

}  // namespace

void print_text_results(Transcript& t, MYSQL* mysql, std::string_view label, int rc) {
  if (rc != 0) {
    t.line("{} {}", label, describe_error(mysql));
    return;
  }
  bool failed = false;
  for (int index = 1;; ++index) {
    std::string result_label = index == 1 ? std::string(label) : fmt::format("{}/{}", label, index);
    print_one_result(t, mysql, result_label);
    const bool more = mysql_more_results(mysql);
    int next = mysql_next_result(mysql);
    if (next < 0) break;
    if (next > 0) {
      t.line("{}/{} {}", label, index + 1, describe_error(mysql));
      failed = true;
      break;
    }
    if (!more) throw ProbeFailure(fmt::format("{}: next result without MORE_RESULTS", label));
  }
  // SHOW WARNINGS describes the last statement only; good enough for single statements.
  if (!failed && mysql_warning_count(mysql) > 0) {
    print_warnings(t, mysql, label);
  }
}

void run_text_query(Transcript& t, MYSQL* mysql, std::string_view label, std::string_view sql) {
  print_text_results(t, mysql, label, mysql_real_query(mysql, sql.data(), sql.size()));
}

void print_ok(Transcript& t, MYSQL* mysql, std::string_view label) {
  const char* info = mysql_info(mysql);
  std::string suffix = info == nullptr ? std::string() : fmt::format(" info='{}'", info);
  t.line("{} ok affected={} insert_id={} warnings={}{}", label, mysql_affected_rows(mysql),
         mysql_insert_id(mysql), mysql_warning_count(mysql), suffix);
}

void print_warnings(Transcript& t, MYSQL* mysql, std::string_view label) {
  constexpr std::string_view kSql = "SHOW WARNINGS";
  if (mysql_real_query(mysql, kSql.data(), kSql.size()) != 0) fail(kSql, mysql);
  ResultSet res(mysql_store_result(mysql));
  if (res.get() == nullptr) fail(kSql, mysql);
  while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
    t.line("{} warning {} {} {}", label, row[0], row[1], row[2]);
  }
}

namespace {

std::string field_ext(const MYSQL_FIELD& field) {
  std::string ext;
  MARIADB_CONST_STRING attr{};
  if (mariadb_field_attr(&attr, &field, MARIADB_FIELD_ATTR_DATA_TYPE_NAME) == 0 &&
      attr.length > 0) {
    ext += fmt::format(" ext_type={}", std::string_view(attr.str, attr.length));
  }
  if (mariadb_field_attr(&attr, &field, MARIADB_FIELD_ATTR_FORMAT_NAME) == 0 && attr.length > 0) {
    ext += fmt::format(" ext_format={}", std::string_view(attr.str, attr.length));
  }
  return ext;
}

}  // namespace

void print_fields(Transcript& t, std::string_view label, std::span<const MYSQL_FIELD> fields) {
  t.line("{} columns={}", label, fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const MYSQL_FIELD& f = fields[i];
    t.line(
        "{} column {}: name={} org_name={} table={} org_table={} db={} type={} length={} "
        "decimals={} charset={} flags={}{}",
        label, i, f.name, f.org_name, f.table, f.org_table, f.db, type_name(f.type), f.length,
        f.decimals, f.charsetnr, flag_names(f.flags), field_ext(f));
  }
}

std::string_view type_name(enum_field_types type) {
  switch (type) {
    case MYSQL_TYPE_DECIMAL:
      return "DECIMAL";
    case MYSQL_TYPE_TINY:
      return "TINY";
    case MYSQL_TYPE_SHORT:
      return "SHORT";
    case MYSQL_TYPE_LONG:
      return "LONG";
    case MYSQL_TYPE_FLOAT:
      return "FLOAT";
    case MYSQL_TYPE_DOUBLE:
      return "DOUBLE";
    case MYSQL_TYPE_NULL:
      return "NULL";
    case MYSQL_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case MYSQL_TYPE_LONGLONG:
      return "LONGLONG";
    case MYSQL_TYPE_INT24:
      return "INT24";
    case MYSQL_TYPE_DATE:
      return "DATE";
    case MYSQL_TYPE_TIME:
      return "TIME";
    case MYSQL_TYPE_DATETIME:
      return "DATETIME";
    case MYSQL_TYPE_YEAR:
      return "YEAR";
    case MYSQL_TYPE_NEWDATE:
      return "NEWDATE";
    case MYSQL_TYPE_VARCHAR:
      return "VARCHAR";
    case MYSQL_TYPE_BIT:
      return "BIT";
    case MYSQL_TYPE_JSON:
      return "JSON";
    case MYSQL_TYPE_NEWDECIMAL:
      return "NEWDECIMAL";
    case MYSQL_TYPE_ENUM:
      return "ENUM";
    case MYSQL_TYPE_SET:
      return "SET";
    case MYSQL_TYPE_TINY_BLOB:
      return "TINY_BLOB";
    case MYSQL_TYPE_MEDIUM_BLOB:
      return "MEDIUM_BLOB";
    case MYSQL_TYPE_LONG_BLOB:
      return "LONG_BLOB";
    case MYSQL_TYPE_BLOB:
      return "BLOB";
    case MYSQL_TYPE_VAR_STRING:
      return "VAR_STRING";
    case MYSQL_TYPE_STRING:
      return "STRING";
    case MYSQL_TYPE_GEOMETRY:
      return "GEOMETRY";
    default:
      return "UNKNOWN";
  }
}

std::string flag_names(unsigned int flags) {
  // GROUP (same bit as NUM), UNIQUE and BINCMP are server-internal; any other bit is shown in hex.
  static constexpr std::array<std::pair<unsigned int, std::string_view>, 16> kNames{{
      {NOT_NULL_FLAG, "NOT_NULL"},
      {PRI_KEY_FLAG, "PRI_KEY"},
      {UNIQUE_KEY_FLAG, "UNIQUE_KEY"},
      {MULTIPLE_KEY_FLAG, "MULTIPLE_KEY"},
      {BLOB_FLAG, "BLOB"},
      {UNSIGNED_FLAG, "UNSIGNED"},
      {ZEROFILL_FLAG, "ZEROFILL"},
      {BINARY_FLAG, "BINARY"},
      {ENUM_FLAG, "ENUM"},
      {AUTO_INCREMENT_FLAG, "AUTO_INCREMENT"},
      {TIMESTAMP_FLAG, "TIMESTAMP"},
      {SET_FLAG, "SET"},
      {NO_DEFAULT_VALUE_FLAG, "NO_DEFAULT_VALUE"},
      {ON_UPDATE_NOW_FLAG, "ON_UPDATE_NOW"},
      {PART_KEY_FLAG, "PART_KEY"},
      {NUM_FLAG, "NUM"},
  }};
  std::string out;
  unsigned int rest = flags;
  for (const auto& [bit, name] : kNames) {
    if ((flags & bit) == 0) continue;
    if (!out.empty()) out += '|';
    out += name;
    rest &= ~bit;
  }
  if (rest != 0) out += fmt::format("{}0x{:x}", out.empty() ? "" : "|", rest);
  return out.empty() ? std::string("none") : out;
}

std::string render_bytes(std::string_view bytes, bool binary) {
  if (bytes.size() > kInlineLimit) {
    return fmt::format("<len={} fnv64={:016x}>", bytes.size(), fnv1a(bytes));
  }
  std::string out;
  if (binary) {
    out = "x'";
    for (char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
    return out + "'";
  }
  out = "'";
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t hash = seed;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace gw::probe
