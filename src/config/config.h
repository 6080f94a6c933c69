#pragma once
// gracewire's configuration as plain values. The defaults written here are the product's
// defaults: conf/gracewire.toml repeats them and a unit test keeps the two equal. Every member
// has an initializer, so designated initializers may set only the fields they care about.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/address.h"
#include "config/defaults.h"

namespace gw::config {

enum class LogLevel {
  Trace,     // every frame and state change; very loud
  Debug,     // per-connection detail useful when chasing a bug
  Info,      // lifecycle: start, stop, listener bound, upstream reachable
  Warn,      // something was wrong but gracewire carried on
  Error,     // an operation failed
  Critical,  // gracewire cannot carry on
  Off,       // nothing at all
};

enum class LogFormat {
  Text,  // one human-readable line per record
  Json,  // one JSON object per line, for log shippers
};

// What to do with the server side when a client disconnects without COM_QUIT.
enum class ClientAbort {
  Absorb,  // end the server session cleanly (COM_QUIT): the server counts nothing
  Mirror,  // close it the way the client did (FIN or RST): the server sees the abort
};

// What to do with a command still running when its client leaves (or, at shutdown, when
// close.drain_timeout has passed).
enum class InFlight {
  Cancel,  // KILL QUERY over the control connection, drain the response, COM_QUIT
  Finish,  // let it complete, discard the response, COM_QUIT
};

// [listener] tls_mode: whether clients may, or must, start TLS.
enum class ListenerTls {
  Disabled,   // CLIENT_SSL is not offered: every client connects in plaintext
  Preferred,  // offered once listener.tls_cert is set; each client chooses
  Required,   // a client that does not start TLS gets an ERR before any credentials cross
};

// [upstream] tls_mode: TLS toward the server, named as the MySQL clients name their modes.
enum class UpstreamTls {
  Disabled,        // never
  Preferred,       // when the server offers it; its certificate is not checked
  Required,        // always (the server must offer it); its certificate is not checked
  VerifyCa,        // always, and the certificate must chain to upstream.tls_ca
  VerifyIdentity,  // as VerifyCa, and it must name the server (tls_server_name or the host)
  AsClient,        // as the client's own leg: TLS upstream exactly when the client used TLS
};

// The oldest TLS version a leg accepts.
enum class TlsVersion {
  Tls12,  // "TLSv1.2"
  Tls13,  // "TLSv1.3"
};

struct ListenerConfig {
  Endpoint address = Endpoint::tcp("127.0.0.1", defaults::kListenPort);
  std::uint32_t max_connections = defaults::kMaxConnections;
  // Event loops serving clients, each on its own thread with its own listening socket
  // (SO_REUSEPORT: the kernel spreads new connections over them). 0: one per CPU.
  std::uint32_t loops = defaults::kLoops;
  // A client must send its HandshakeResponse this long after the greeting.
  std::chrono::milliseconds handshake_timeout = defaults::kHandshakeTimeout;
  // TLS toward clients: off until tls_cert and tls_key are set (validate.cpp).
  ListenerTls tls_mode = ListenerTls::Preferred;
  std::string tls_cert{};  // PEM, the full chain, leaf first
  std::string tls_key{};   // PEM
  std::string tls_ca{};    // PEM; set: clients must present a certificate that it verifies
  TlsVersion tls_min_version = TlsVersion::Tls12;
  std::string tls_ciphers{};  // OpenSSL's TLS 1.2 cipher list; "" = OpenSSL's default

  bool operator==(const ListenerConfig&) const = default;
};

struct UpstreamConfig {
  // Empty means "not configured": the tools/ scripts then start a throwaway MariaDB and pass
  // --upstream; gracewire itself refuses to run without one.
  std::optional<Endpoint> address{};
  std::chrono::milliseconds connect_timeout = defaults::kConnectTimeout;
  // The server must greet this long after the connection is made.
  std::chrono::milliseconds greeting_timeout = defaults::kGreetingTimeout;
  UpstreamTls tls_mode = UpstreamTls::AsClient;
  std::string tls_ca{};           // PEM; "" = the system's CA store (verify modes)
  std::string tls_server_name{};  // SNI and the name checked; "" = the address's host
  std::string tls_cert{};         // PEM: a client certificate toward the server, with tls_key
  std::string tls_key{};

  bool operator==(const UpstreamConfig&) const = default;
};

// Per-direction write-queue marks: past high_water gracewire stops reading from the peer, and
// resumes once the queue drains below low_water.
struct BufferConfig {
  std::uint64_t high_water = defaults::kHighWater;
  std::uint64_t low_water = defaults::kLowWater;
  // Client commands up to this size are held whole before the server sees them (at most one
  // packet, 16MiB - 1); all sessions together hold at most hold_budget.
  std::uint64_t hold_limit = defaults::kHoldLimit;
  std::uint64_t hold_budget = defaults::kHoldBudget;

  bool operator==(const BufferConfig&) const = default;
};

struct LogConfig {
  LogLevel level = LogLevel::Info;
  LogFormat format = LogFormat::Text;

  bool operator==(const LogConfig&) const = default;
};

struct CloseConfig {
  // How long one connection may take to close both sides gracefully before it is cut.
  std::chrono::milliseconds close_timeout = defaults::kCloseTimeout;
  // How long shutdown waits for connections to finish before closing what is left.
  std::chrono::milliseconds drain_timeout = defaults::kDrainTimeout;
  // A client that connected within this long before the drain began is served until it quits.
  std::chrono::milliseconds serve_recent = defaults::kServeRecent;
  ClientAbort client_abort = ClientAbort::Absorb;
  InFlight in_flight = InFlight::Cancel;

  bool operator==(const CloseConfig&) const = default;
};

// Credentials for the control interface. At most one password source is set; read it with
// read_password() (password.h). The password must never be logged or printed.
struct ControlConfig {
  std::string user{};
  std::string password{};
  std::string password_env{};   // name of an environment variable holding the password
  std::string password_file{};  // path of a file holding the password

  bool operator==(const ControlConfig&) const = default;
};

// The event log: lifecycle and audit records as JSON lines (src/eventlog). Off unless a path is
// set.
struct EventLogConfig {
  std::string path{};                                 // "" = off, "-" = standard output
  std::uint64_t rotate_size = defaults::kRotateSize;  // bytes; 0 = never rotate
  std::uint32_t rotate_keep = defaults::kRotateKeep;  // rotated files kept: path.1 ... path.N
  std::chrono::milliseconds flush_interval = defaults::kFlushInterval;
  EventLogLoss loss = defaults::kEventLogLoss;
  std::uint32_t queue_records = defaults::kQueueRecords;
  bool hash_chain = defaults::kHashChain;
  bool lifecycle = defaults::kLifecycle;  // connect, auth, change_user, reset, close records
  bool audit = defaults::kAudit;          // one command record per client command
  bool params = defaults::kParams;  // bound parameter values in COM_STMT_EXECUTE audit records
  std::uint64_t statement_limit = defaults::kStatementLimit;  // statement bytes kept per record
  // Audit filters; empty = everything. Command classes are listed in enum_names.h.
  std::vector<std::string> users{};
  std::vector<std::string> schemas{};
  std::vector<std::string> commands{};

  bool operator==(const EventLogConfig&) const = default;
};

// Where the binlog follower starts when it has no checkpoint to resume from (binlog.start).
// Parsed once by the loader; the text forms are in conf/gracewire.toml.
struct BinlogStart {
  enum class Kind {
    Current,  // "current": the server's end of log (SHOW MASTER STATUS / @@gtid_binlog_pos)
    FilePos,  // "binlog.000003:4": a binlog file and a byte offset in it (4 or more)
    Gtid,     // "0-1-42,1-1-7": a MariaDB GTID position, one entry per domain
  };
  Kind kind = Kind::Current;
  std::string file{};     // FilePos: a file name (no '/', 1..255 bytes)
  std::uint64_t pos = 0;  // FilePos: >= 4 (the first event follows the 4-byte magic)
  std::string gtid{};     // Gtid: the list as the server spells it ("0-1-42,1-1-7", sorted)

  bool operator==(const BinlogStart&) const = default;
};

// The binlog follower (issue 10): gracewire's own replication stream, turned into change
// records. Off by default; enabling it needs server_id and user (validate.cpp). The password
// follows the [control] rules: at most one source, read with read_password() (password.h),
// never logged or printed.
struct BinlogConfig {
  bool enabled = defaults::kBinlogEnabled;
  std::string user{};  // REPLICATION SLAVE and BINLOG MONITOR
  std::string password{};
  std::string password_env{};   // name of an environment variable holding the password
  std::string password_file{};  // path of a file holding the password
  // Must differ from the server's and every other replica's; 0 = not set (1..4294967295 valid).
  std::uint32_t server_id = 0;
  BinlogStart start{};
  std::string checkpoint{};  // checkpoint file; "" = none (every start uses `start`)
  std::chrono::milliseconds heartbeat = defaults::kBinlogHeartbeat;
  // Change records: "" = the event log's own file, "-" = standard output, else a file with
  // the event log's rotation settings.
  std::string path{};

  bool operator==(const BinlogConfig&) const = default;
};

// The admin endpoint: metrics, health, readiness and drain over HTTP (README, "Operating
// gracewire"). Off when address is empty.
struct AdminConfig {
  std::optional<Endpoint> address = Endpoint::tcp("127.0.0.1", defaults::kAdminPort);

  bool operator==(const AdminConfig&) const = default;
};

// Publishing records to NATS JetStream (issue 13, src/publish). Off while nats_url is empty. One
// way to log in at most: nats_creds, or nats_user with nats_password_env (validate.cpp); the
// password is read from the environment at start-up and never logged or printed.
struct PublishConfig {
  // "nats://HOST[:PORT]" or "tls://HOST[:PORT]", one per server of a cluster (nats_names.h).
  std::vector<std::string> nats_url{};
  std::string nats_creds{};         // path of a NATS credentials file (user JWT and NKey seed)
  std::string nats_user{};          // with nats_password_env
  std::string nats_password_env{};  // name of an environment variable holding the password
  std::string nats_tls_ca{};        // PEM; set: the server's certificate must chain to it
  std::string stream = std::string(defaults::kPublishStream);
  std::string subject_prefix = std::string(defaults::kSubjectPrefix);  // first subject tokens
  // Which records are published: lifecycle, audit (command) and change records.
  bool lifecycle = defaults::kPublishLifecycle;
  bool audit = defaults::kPublishAudit;
  bool changes = defaults::kPublishChanges;
  std::uint32_t max_pending = defaults::kMaxPending;  // publishes awaiting the stream's ack
  EventLogLoss loss = defaults::kPublishLoss;         // a lifecycle or audit record finding no room
  bool create_stream = defaults::kCreateStream;
  // The duplicate window of a stream gracewire creates (a message sent again must fall inside
  // it to be stored once). An existing stream keeps its own; it must have one.
  std::chrono::milliseconds duplicate_window = defaults::kDuplicateWindow;
  std::string instance{};  // in message ids and headers; "" = the host name, at run time

  bool operator==(const PublishConfig&) const = default;
};

struct Config {
  ListenerConfig listener;
  UpstreamConfig upstream;
  BufferConfig buffers;
  LogConfig log;
  CloseConfig close;
  ControlConfig control;
  EventLogConfig event_log;
  BinlogConfig binlog;
  AdminConfig admin;
  PublishConfig publish;

  bool operator==(const Config&) const = default;
};

}  // namespace gw::config
