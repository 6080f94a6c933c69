#include "eventlog/json.h"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "eventlog/json_string.h"
#include "eventlog/timestamp.h"
#include "eventlog/value_json.h"

namespace gw::eventlog {
namespace {

// Writes the members of one object. Keys are the compile-time names of this file, plain ASCII
// that needs no escaping.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ~ObjectWriter() { out_ += '}'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  void text(std::string_view name, std::string_view value) {
    key(name);
    if (append_json_string(out_, value)) return;
    // Ill-formed UTF-8 was replaced; keep the exact bytes beside it.
    key(name, "_base64");
    out_ += '"';
    append_base64(out_, value);
    out_ += '"';
  }
  void number(std::string_view name, std::uint64_t value) {
    key(name);
    const fmt::format_int digits(value);
    out_.append(digits.data(), digits.size());
  }
  void number(std::string_view name, std::int64_t value) {
    key(name);
    const fmt::format_int digits(value);
    out_.append(digits.data(), digits.size());
  }
  void boolean(std::string_view name, bool value) {
    key(name);
    out_ += value ? "true" : "false";
  }
  void null(std::string_view name) {
    key(name);
    out_ += "null";
  }
  void time(std::string_view name, std::chrono::system_clock::time_point value) {
    key(name);
    out_ += '"';
    append_rfc3339(out_, value);
    out_ += '"';
  }
  // The caller writes the value itself.
  std::string& raw(std::string_view name, std::string_view suffix = {}) {
    key(name, suffix);
    return out_;
  }

 private:
  void key(std::string_view name, std::string_view suffix = {}) {
    out_.append(first_ ? "\"" : ",\"", first_ ? 1 : 2);
    first_ = false;
    out_.append(name);
    out_.append(suffix);
    out_.append("\":", 2);
  }

  std::string& out_;
  bool first_ = true;
};

void write_common(ObjectWriter& w, std::string_view type, const Common& c) {
  w.time("ts", c.ts);
  std::string& out = w.raw("type");
  out += '"';
  out += type;
  out += '"';
  w.number("session", c.session);
  if (c.server_conn_id == 0) {
    w.null("server_conn_id");
  } else {
    w.number("server_conn_id", std::uint64_t{c.server_conn_id});
  }
  w.text("client", c.client);
  w.text("user", c.user);
  w.text("db", c.db);
  w.text("program", c.program);
}

// Connection attributes as an object, in the order the client sent them. A client may repeat a
// key; JSON parsers then keep the last one, and attributes_base64 (written only when some key or
// value is not UTF-8) holds every pair exactly, as [key, value] arrays of base64.
void write_attributes(ObjectWriter& w,
                      const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::string& out = w.raw("attributes");
  out += '{';
  bool well_formed = true;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) out += ',';
    well_formed &= append_json_string(out, attributes[i].first);
    out += ':';
    well_formed &= append_json_string(out, attributes[i].second);
  }
  out += '}';
  if (well_formed) return;
  std::string& exact = w.raw("attributes_base64");
  exact += '[';
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    exact += i > 0 ? ",[\"" : "[\"";
    append_base64(exact, attributes[i].first);
    exact += "\",\"";
    append_base64(exact, attributes[i].second);
    exact += "\"]";
  }
  exact += ']';
}

// Bound parameters as an array of strings; params_base64 (all of them, in base64) follows when
// any is not UTF-8.
void write_params(ObjectWriter& w, const std::vector<std::string>& params) {
  std::string& out = w.raw("params");
  out += '[';
  bool well_formed = true;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out += ',';
    well_formed &= append_json_string(out, params[i]);
  }
  out += ']';
  if (well_formed) return;
  std::string& exact = w.raw("params_base64");
  exact += '[';
  for (std::size_t i = 0; i < params.size(); ++i) {
    exact += i > 0 ? ",\"" : "\"";
    append_base64(exact, params[i]);
    exact += '"';
  }
  exact += ']';
}

void write_fields(ObjectWriter& w, const ConnectRecord& r) { w.text("listener", r.listener); }

void write_fields(ObjectWriter& w, const AuthRecord& r) {
  w.text("auth_plugin", r.auth_plugin);
  w.boolean("ok", r.ok);
  w.number("error_code", std::uint64_t{r.error_code});
  w.text("error_message", r.error_message);
  write_attributes(w, r.attributes);
  w.number("capabilities", r.capabilities);
  w.text("client_tls_version", r.client_tls.version);
  w.text("client_tls_cipher", r.client_tls.cipher);
  if (!r.client_tls.subject.empty()) w.text("client_cert_subject", r.client_tls.subject);
  w.text("server_tls_version", r.server_tls.version);
  w.text("server_tls_cipher", r.server_tls.cipher);
}

void write_fields(ObjectWriter& w, const ChangeUserRecord& r) {
  w.boolean("ok", r.ok);
  w.number("error_code", std::uint64_t{r.error_code});
  w.text("error_message", r.error_message);
}

void write_fields(ObjectWriter&, const ResetRecord&) {}

void write_fields(ObjectWriter& w, const CloseRecord& r) {
  w.text("close_kind", r.close_kind);
  w.text("detail", r.detail);
  w.boolean("in_transaction", r.in_transaction);
  w.text("last_command", r.last_command);
  w.number("duration_ms", r.duration_ms);
  w.number("commands", r.commands);
  w.number("bytes_from_client", r.bytes_from_client);
  w.number("bytes_to_client", r.bytes_to_client);
  w.text("upstream_close", r.upstream_close);
  if (r.upstream_close_ms < 0) {
    w.null("upstream_close_ms");
  } else {
    w.number("upstream_close_ms", r.upstream_close_ms);
  }
  w.number("server_error_code", std::uint64_t{r.server_error_code});
  w.text("client_tls_end", r.client_tls_end);
}

// Only the fields of the result that happened: ok -> affected_rows, last_insert_id, warnings;
// rows -> columns, rows, warnings; error -> error_code, sql_state, error_message.
void write_result(ObjectWriter& w, const CommandRecord& r) {
  switch (r.result) {
    case CommandRecord::Result::Ok:
      w.raw("result") += "\"ok\"";
      w.number("affected_rows", r.affected_rows);
      w.number("last_insert_id", r.last_insert_id);
      w.number("warnings", std::uint64_t{r.warnings});
      return;
    case CommandRecord::Result::Rows:
      w.raw("result") += "\"rows\"";
      w.number("columns", r.columns);
      w.number("rows", r.rows);
      w.number("warnings", std::uint64_t{r.warnings});
      return;
    case CommandRecord::Result::Error:
      w.raw("result") += "\"error\"";
      w.number("error_code", std::uint64_t{r.error_code});
      w.text("sql_state", r.sql_state);
      w.text("error_message", r.error_message);
      return;
  }
}

void write_fields(ObjectWriter& w, const CommandRecord& r) {
  w.text("command", r.command);
  w.text("statement", r.statement);
  w.boolean("statement_truncated", r.statement_truncated);
  if (r.statement_id) {
    w.number("statement_id", std::uint64_t{*r.statement_id});
  } else {
    w.null("statement_id");
  }
  if (!r.params.empty()) write_params(w, r.params);
  write_result(w, r);
  w.number("duration_us", r.duration_us);
  w.number("bytes_from_client", r.bytes_from_client);
  w.number("bytes_to_client", r.bytes_to_client);
  w.boolean("in_transaction", r.in_transaction);
}

// A column's name as an object key: its name, or "@<index+1>" when the table map carried none
// (no FULL metadata), as mariadb-binlog -v names them. Names come from the server in utf8.
void append_column_key(std::string& out, const std::vector<std::string>* names, std::size_t index) {
  if (names != nullptr && index < names->size() && !(*names)[index].empty()) {
    append_json_string(out, (*names)[index]);
  } else {
    out += "\"@";
    const fmt::format_int digits(index + 1);
    out.append(digits.data(), digits.size());
    out += '"';
  }
  out += ':';
}

// The keys of a table version's columns, `"name":` each, rendered once per version and thread:
// the rows of a transaction share one names vector, and the cache holds it, so its address is
// never reused for other names while cached.
class ColumnKeys {
 public:
  const std::string& key(const std::shared_ptr<const std::vector<std::string>>& names,
                         std::size_t index) {
    if (names != names_) {
      names_ = names;
      keys_.clear();
    }
    while (keys_.size() <= index) {
      std::string key;
      append_column_key(key, names_.get(), keys_.size());
      keys_.push_back(std::move(key));
    }
    return keys_[index];
  }

 private:
  std::shared_ptr<const std::vector<std::string>> names_;
  std::vector<std::string> keys_;
};

// An image as an object keyed by column name, without the columns the image does not carry;
// then, when some text value was not UTF-8, `<name>_base64` with those values' exact bytes
// (value_json.h).
void write_image(ObjectWriter& w, std::string_view name, const protocol::binlog::RowImage& image,
                 const std::shared_ptr<const std::vector<std::string>>& names) {
  thread_local ColumnKeys keys;
  std::string& out = w.raw(name);
  out += '{';
  bool well_formed = true, first = true;
  for (std::size_t i = 0; i < image.size(); ++i) {
    if (!image[i]) continue;
    if (!first) out += ',';
    first = false;
    out += keys.key(names, i);
    well_formed &= append_value_json(out, *image[i]);
  }
  out += '}';
  if (well_formed) return;
  std::string& exact = w.raw(name, "_base64");
  exact += '{';
  first = true;
  for (std::size_t i = 0; i < image.size(); ++i) {
    if (!image[i]) continue;
    std::string ignored;
    if (append_value_json(ignored, *image[i])) continue;
    if (!first) exact += ',';
    first = false;
    append_column_key(exact, names.get(), i);
    append_exact_base64(exact, *image[i]);
  }
  exact += '}';
}

void write_position(ObjectWriter& w, const ChangePosition& p) {
  w.text("gtid", p.gtid);
  w.text("binlog_file", p.binlog_file);
  w.number("binlog_pos", p.binlog_pos);
  w.number("event_index", p.event_index);
}

std::string_view op_name(RowRecord::Op op) {
  switch (op) {
    case RowRecord::Op::Insert:
      return "insert";
    case RowRecord::Op::Update:
      return "update";
    case RowRecord::Op::Delete:
      return "delete";
  }
  return "insert";
}

void write_fields(ObjectWriter& w, const RowRecord& r) {
  w.text("table", r.table);
  std::string& op = w.raw("op");
  op += '"';
  op += op_name(r.op);
  op += '"';
  if (r.before) write_image(w, "before", *r.before, r.columns);
  if (r.after) write_image(w, "after", *r.after, r.columns);
  write_position(w, r.position);
  w.number("row_index", r.row_index);
  w.time("commit_ts", r.position.commit_ts);
  if (!r.statement.empty()) w.text("statement", r.statement);
  if (r.statement_truncated) w.boolean("statement_truncated", true);
}

void write_fields(ObjectWriter& w, const DdlRecord& r) {
  w.text("statement", r.statement);
  if (r.statement_truncated) w.boolean("statement_truncated", true);
  write_position(w, r.position);
  w.time("commit_ts", r.position.commit_ts);
}

void write_fields(ObjectWriter& w, const CommitRecord& r) {
  w.number("rows", r.rows);
  write_position(w, r.position);
  w.time("commit_ts", r.position.commit_ts);
}

struct TypeName {
  std::string_view operator()(const ConnectRecord&) const { return "connect"; }
  std::string_view operator()(const AuthRecord&) const { return "auth"; }
  std::string_view operator()(const ChangeUserRecord&) const { return "change_user"; }
  std::string_view operator()(const ResetRecord&) const { return "reset"; }
  std::string_view operator()(const CloseRecord&) const { return "close"; }
  std::string_view operator()(const CommandRecord&) const { return "command"; }
  std::string_view operator()(const RowRecord&) const { return "row"; }
  std::string_view operator()(const DdlRecord&) const { return "ddl"; }
  std::string_view operator()(const CommitRecord&) const { return "commit"; }
};

}  // namespace

std::string_view type_name(const Record& record) { return std::visit(TypeName{}, record); }

void append_json(std::string& out, const Record& record) {
  ObjectWriter w(out);
  std::visit(
      [&](const auto& r) {
        write_common(w, TypeName{}(r), r.common);
        write_fields(w, r);
      },
      record);
}

std::string to_json(const Record& record) {
  std::string out;
  append_json(out, record);
  return out;
}

void append_json(std::string& out, const DroppedNotice& notice) {
  ObjectWriter w(out);
  w.time("ts", notice.ts);
  w.raw("type") += "\"dropped\"";
  w.number("count", notice.count);
  w.time("since", notice.since);
  w.time("until", notice.until);
  w.text("reason", notice.reason);
  if (!notice.last_written_hash.empty()) w.text("last_written_hash", notice.last_written_hash);
}

}  // namespace gw::eventlog
