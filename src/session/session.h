#pragma once
// Session: one client connection and its upstream connection, as a sans-IO state machine.
// The proxy hands it bytes and socket events; every call answers with one ordered list of
// actions (actions.h): bytes for a leg, a leg to close, a KILL to run, the timer to arm, events
// to record. It forwards every byte it can as soon as it arrives, holding back only what it must
// check first (handshake and authentication messages, client commands up to hold_limit), each
// bounded by its kind and by the budget all sessions share. Each leg is its own object (legs.h);
// Exchange follows the command in flight.
//
//   Connecting ──upstream connected──► Greeting ──S: greeting──► Handshake ──C: response──► Auth
//   Auth ──S: OK──► Idle ──C: command──► Command ──response ends──► Idle
//   Auth ──S: ERR──► Closing (auth_failed)
//   Idle ──C: COM_QUIT──► Quitting ──S: EOF──► Closing
//   any ──bad input──► Closing: ERR to the client where the protocol allows it
//
// Endings (session_end.cpp; research/closing-mysql-sessions.md says why each is clean):
//   client leaves, idle        absorb: COM_QUIT upstream ──► Quitting;  mirror: same close upstream
//   client leaves, Command     cancel: KILL QUERY (via the proxy's control connection), drain;
//                              finish: drain; then COM_QUIT ──► Quitting
//   client leaves, pre-auth    with control credentials: authenticate as the control account and
//                              COM_QUIT in one write ──► Quitting; without: close (the server
//                              logs it)
//   client leaves mid-packet   (a streamed command or LOCAL INFILE data, longer than hold_limit)
//                              KILL CONNECTION ──► Quitting; never complete or pad the packet
//   replica's binlog dump      at shutdown or when the replica leaves: KILL QUERY; the server
//                              sends its EOF and closes by itself ──► Quitting (no COM_QUIT)
//   shutdown                   idle and no transaction: ERR 1053 to the client, COM_QUIT upstream;
//                              otherwise wait for the command / transaction to end; a session
//                              that connected just before the drain began (no command answered
//                              yet, or the proxy says so: a restart's race) is served until it
//                              quits; at the drain deadline: cancel what runs, ERR 1053 and
//                              COM_QUIT the rest
//   login timeouts             no greeting within greeting_timeout: ERR to the client, close;
//                              no HandshakeResponse within handshake_timeout: ERR, then as
//                              "client leaves, pre-auth"
// The close reason (close_kind) is decided in one place, settle_close(), first decision wins.
//
// A client message that arrives before its turn (pipelined behind a command in flight) waits
// in the client leg's backlog, and the proxy stops reading that client until it is consumed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"
#include "protocol/message_splitter.h"
#include "protocol/stmt_params.h"
#include "session/actions.h"
#include "session/close_reason.h"
#include "session/exchange.h"
#include "session/hold_budget.h"
#include "session/legs.h"
#include "session/session_event.h"

namespace gw::session {

// ER_CONNECT_TO_FOREIGN_DATA_SOURCE: what the client gets when the upstream is unreachable.
inline constexpr std::uint16_t kUpstreamUnreachableError = 1429;

// What to do upstream when a client leaves without COM_QUIT.
enum class ClientAbortPolicy {
  Absorb,  // end the upstream session cleanly: the server never sees the client's abort
  Mirror,  // close upstream the way the client closed: the server sees exactly what it did
};

// What to do with a command in flight when its client leaves (or the drain deadline passes).
enum class InFlightPolicy {
  Cancel,  // KILL QUERY over the control connection, then drain the response
  Finish,  // let the command complete and drain its response
};

// An account gracewire may authenticate as, to end an abandoned handshake cleanly.
struct ControlCredentials {
  std::string user;
  std::string password;  // never logged
};

// What gracewire holds whole before the server sees any of it, and the bounds on each kind. A
// held message is refused the moment its header declares more than its bound, before a byte of
// it is kept: the ERR the server would send (1153), and the upstream is ended cleanly.
inline constexpr std::size_t kHandshakeResponseLimit = 64 * kKiB;  // with connection attributes
inline constexpr std::size_t kAuthPacketLimit = 64 * kKiB;  // RSA-sealed passwords, GSSAPI tokens
// Of a command that is streamed rather than held, this much is kept for the audit record.
inline constexpr std::size_t kStatementHeadLimit = 64 * kKiB;
// The largest command that can be held: one packet (a longer message spans several, and the
// server reads those as they come).
inline constexpr std::size_t kMaxHoldLimit = protocol::kMaxPacketPayload - 1;
// GTIDs kept of one command (a multi-statement query may commit many; the rest go unnamed).
inline constexpr std::size_t kMaxGtidsPerCommand = 64;

// TLS toward the client: may it, must it, start TLS after the greeting.
enum class ClientTls {
  Off,      // CLIENT_SSL is not offered; an SSLRequest is refused as unsupported
  Offer,    // offered; the client chooses
  Require,  // offered; a HandshakeResponse in plaintext is refused before it goes upstream
};
// TLS toward the server, decided when the client's HandshakeResponse arrives.
enum class ServerTls {
  Off,        // never
  IfOffered,  // when the server's greeting offers CLIENT_SSL
  Require,    // always: a server that does not offer it is refused (ERR 2026 to the client)
  AsClient,   // when the client started TLS and the server offers it
};

struct SessionSettings {
  // Client commands up to this payload size are held whole and checked before the server sees
  // any of them, as long as the shared budget has room; longer ones (or when it has none) are
  // streamed after their header was checked. At most kMaxHoldLimit.
  std::size_t hold_limit = kMaxHoldLimit;
  // Shared by every session of the proxy; null: each session is bounded on its own only.
  std::shared_ptr<HoldBudget> hold_budget;
  ClientAbortPolicy client_abort = ClientAbortPolicy::Absorb;
  InFlightPolicy in_flight = InFlightPolicy::Finish;  // Cancel needs a control connection
  // A control connection exists, so the session may ask for KILL QUERY / KILL CONNECTION where
  // nothing else ends the upstream cleanly (a binlog dump at shutdown, a half-sent packet)
  // whatever in_flight says.
  bool can_kill = false;
  std::optional<ControlCredentials> handshake_credentials;
  // Without handshake_credentials: the control connection is still logging in (gracewire has
  // just started), so they may come. An abandoned handshake then waits for them
  // (offer_handshake_credentials), within close_timeout, instead of being dropped at once.
  bool handshake_credentials_coming = false;
  // Authentication results and each command's beginning and end are always reported (the
  // metrics count them); this adds what only the event log needs: each command's statement.
  bool record_events = false;
  // With record_events: decode COM_STMT_EXECUTE's bound parameters into the events. Keeps each
  // prepared statement's parameter count and types.
  bool record_params = false;
  // Report the GTIDs each command commits (CommandSent, CommandAnswered) for the binlog
  // follower's attribution: gracewire asks the server for CLIENT_SESSION_TRACK even when the
  // client does not, reads MariaDB's last_gtid tracker from OK packets, and takes the session
  // state out of every OK before a client that did not ask for it sees one.
  bool track_gtids = false;
  ClientTls client_tls = ClientTls::Off;
  ServerTls server_tls = ServerTls::Off;
};

// How the client's connection ended, when it ended without COM_QUIT.
enum class ClientEnd {
  Fin,    // an orderly close (read returned 0)
  Reset,  // ECONNRESET and other read errors
};

// What the session learned about its peers.
struct SessionInfo {
  std::uint32_t server_connection_id = 0;
  std::string server_version;
  std::uint64_t capabilities = 0;  // in effect after the handshake
  std::string user;
  std::string schema;
  std::string auth_plugin;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string program() const;  // the program_name connection attribute, if sent
};

class Session {
 public:
  enum class Phase {
    Connecting,  // the upstream connection is being made; nothing is sent to the client yet
    Greeting,    // waiting for the server's greeting
    Handshake,   // waiting for the client's HandshakeResponse41
    Auth,        // authentication exchange, until the server's OK or ERR
    Idle,        // authenticated, no command in flight
    Command,     // a command in flight; exchange() follows the response
    Quitting,    // the upstream is ending (COM_QUIT or KILL sent); waiting for the server to close
    Closing,     // the session is over; the proxy flushes what is pending and closes
  };

  explicit Session(SessionSettings settings = {});
  ~Session();
  // Its message handlers point back at it: a Session stays where it was made.
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The session's first actions: the connect timer.
  [[nodiscard]] Actions& start();
  // The control account became usable for handshakes after this session began (it logs in
  // while the first clients arrive): an abandoned handshake waiting for it ends cleanly now,
  // and one abandoned later will.
  [[nodiscard]] Actions& offer_handshake_credentials(const ControlCredentials& credentials);

  // Every call below returns what to do, in order; the list is valid until the next call.
  [[nodiscard]] Actions& on_upstream_connected();
  // The client gets an ERR in place of the greeting, as a server that refuses it would send.
  // Also the answer to Timer::Connect.
  [[nodiscard]] Actions& on_upstream_unreachable(std::string_view detail);
  // gracewire itself refuses the client (too many connections): ERR in place of the greeting.
  [[nodiscard]] Actions& refuse_client(std::uint16_t code, std::string_view sql_state,
                                       std::string_view message);
  // gracewire is stopping: end the session as soon as the protocol allows (see above). With
  // `now` (drain deadline, second signal) nothing is waited for any more.
  // `just_connected`: the client connected a moment before the drain began (the proxy judges
  // the moment): like one with no command answered yet, it is served until it quits.
  [[nodiscard]] Actions& shutdown(bool now = false, bool just_connected = false);
  [[nodiscard]] Actions& on_client_data(ByteView bytes);
  [[nodiscard]] Actions& on_server_data(ByteView bytes);
  // The client's connection ended (or its socket is gone).
  [[nodiscard]] Actions& on_client_eof(ClientEnd end = ClientEnd::Fin);
  [[nodiscard]] Actions& on_server_eof();
  // Timer::Close expired: close both legs now.
  [[nodiscard]] Actions& on_close_timeout();
  // TLS on a leg failed: its handshake, or a record later (`detail` says why, in OpenSSL's
  // words). On the client leg nothing can be said to the client; on the server leg the client
  // gets ERR 2026. The upstream is ended as cleanly as the session's phase still allows.
  [[nodiscard]] Actions& on_tls_failed(Leg leg, std::string_view detail);
  // Timer::Greeting expired: the client hears it as a lost connection; nothing was said
  // upstream, so nothing can be ended there. Also the bound on a TLS handshake with the server
  // (ERR 2026 to the client).
  [[nodiscard]] Actions& on_greeting_timeout(std::string_view detail);
  // Timer::Handshake expired: the client gets an ERR, and the upstream is ended as for an
  // abandoned handshake.
  [[nodiscard]] Actions& on_handshake_timeout(std::string_view detail);

  // While pipelined client bytes wait, the proxy should not read the client: a level, not an
  // event, so it is asked rather than announced.
  bool client_backlogged() const { return client_.backlogged(); }
  // A response nobody will read (its client is gone) while the KILL QUERY that ends it waits for
  // its answer: reading it meanwhile would only spend the server's and gracewire's time on
  // bytes that are dropped. A level too: the proxy stops reading the server until it clears.
  bool holds_server_reads() const {
    return cancel_requested_ && !cancel_acknowledged_ && client_.gone();
  }
  // The server answered the KILL QUERY (or none will be sent): the response is read again,
  // and ends once the server notices the kill.
  void cancel_acknowledged() { cancel_acknowledged_ = true; }
  // Bytes of client messages held back now (counted against the shared budget).
  std::size_t held_bytes() const { return held_reserved_; }

  // Whether each leg switched to TLS (after the SSLRequest that starts it).
  bool client_tls() const { return client_tls_; }
  bool server_tls() const { return server_tls_; }

  // What the session is, for logs and records.
  Phase phase() const { return phase_; }
  CloseReason close_reason() const { return close_reason_; }
  UpstreamEnd upstream_end() const { return upstream_end_; }
  const std::string& close_detail() const { return close_detail_; }
  const SessionInfo& info() const { return info_; }
  // The ERR the server sent just before it closed the session (4031 idle timeout, 1927 …).
  std::uint16_t server_error_code() const { return server_error_code_; }
  const Exchange& exchange() const { return exchange_; }
  bool in_transaction() const;

 private:
  // How far gracewire's own shutdown has come, for this session.
  enum class Shutdown : std::uint8_t {
    No,     // running
    Drain,  // end as soon as the protocol allows: wait for commands and transactions
    Now,    // drain deadline or second signal: wait for nothing
  };

  class ClientHandler final : public protocol::MessageHandler {
   public:
    explicit ClientHandler(Session& s) : s_(s) {}
    Result<protocol::MessagePlan> on_message_start(const protocol::MessageStart& m) override;
    void on_message_bytes(ByteView bytes) override;
    Result<void> on_message_end(const protocol::Message& m) override;

   private:
    Session& s_;
  };
  class ServerHandler final : public protocol::MessageHandler {
   public:
    explicit ServerHandler(Session& s) : s_(s) {}
    Result<protocol::MessagePlan> on_message_start(const protocol::MessageStart& m) override;
    void on_message_bytes(ByteView bytes) override;
    Result<void> on_message_end(const protocol::Message& m) override;

   private:
    Session& s_;
  };

  // Every public call begins with begin() and ends with finish(): finish() arms the timer the
  // new state needs.
  Actions& begin();
  Actions& finish();
  Timer wanted_timer() const;
  void set_phase(Phase phase);

  void feed_client(ByteView bytes);
  void resume_client();
  [[nodiscard]] Result<void> check_command_start(const protocol::MessageStart& m) const;
  [[nodiscard]] Result<void> expect_client_sequence(const protocol::MessageStart& m,
                                                    std::uint8_t expected);
  [[nodiscard]] Result<protocol::MessagePlan> hold(const protocol::MessageStart& m,
                                                   std::size_t limit);
  [[nodiscard]] Result<protocol::MessagePlan> plan_command(const protocol::MessageStart& m);
  [[nodiscard]] Result<protocol::MessagePlan> plan_auth_packet(const protocol::MessageStart& m);
  bool reserve_hold(std::size_t bytes);
  void release_hold();
  void end_half_sent_message();
  void end_binlog_dump();
  bool in_binlog_dump() const;
  [[nodiscard]] Result<void> on_handshake_response(const protocol::Message& m);
  // session_tls.cpp: the SSLRequest on each leg, and the sequence ids it shifts.
  [[nodiscard]] Result<void> on_client_ssl_request(const protocol::Message& m);
  void take_tls_bytes(ByteView rest);
  [[nodiscard]] bool decide_server_tls();
  void on_server_tls_timeout(std::string_view detail);
  // Authentication across legs of different TLS (session_tls.cpp).
  void follow_server_auth_message(const protocol::Message& m);
  // `answer`: the client's authentication data; an ERR refusing it goes out as
  // `reply_sequence` (the client's numbering).
  [[nodiscard]] bool auth_answer_may_cross(ByteView answer, std::uint8_t reply_sequence);
  [[nodiscard]] Result<void> refuse_plaintext_client(const protocol::Message& m);
  void refuse_login(CloseReason reason, std::uint16_t code, std::string_view message,
                    std::uint8_t sequence_id);
  // While authenticating, a leg that switched to TLS numbers its packets one higher than a leg
  // that did not (its SSLRequest took sequence id 1). The exchange counts the server's ids.
  bool shifts_sequence_ids() const {
    return client_tls_ != server_tls_ && (phase_ == Phase::Handshake || phase_ == Phase::Auth);
  }
  std::uint8_t to_client_sequence(std::uint8_t server_sequence) const;
  // Before its HandshakeResponse, the client's next read is its authentication result: sequence
  // id 2, or 3 after an SSLRequest.
  std::uint8_t auth_result_sequence() const { return client_tls_ ? 3 : 2; }
  std::uint8_t to_server_sequence(std::uint8_t client_sequence) const;
  protocol::Message renumbered_for_server(const protocol::Message& m) const;
  [[nodiscard]] Result<void> on_command(const protocol::Message& m);
  [[nodiscard]] Result<void> on_greeting(const protocol::Message& m);
  [[nodiscard]] Result<void> on_exchange_message(const protocol::Message& m);
  void on_ok_packet(const protocol::OkPacket& ok, std::uint8_t sequence_id, bool held);
  // The server leg tracks session state and the client did not ask for it: OK packets are held
  // and re-encoded without it.
  bool strips_session_state() const {
    return (upstream_capabilities_ & ~info_.capabilities & protocol::cap::kSessionTrack) != 0;
  }
  bool tracks_gtids() const {
    return settings_.track_gtids && (upstream_capabilities_ & protocol::cap::kSessionTrack) != 0;
  }
  [[nodiscard]] Result<void> on_unsolicited(const protocol::Message& m);
  void exchange_done();
  void track_statement(std::uint8_t command, const protocol::Message& m, CommandBeginEvent& event);
  CloseReason reason_for_client_leaving(ClientEnd end) const;
  void settle_close(CloseReason reason, std::string detail = {});
  void continue_without_client(ClientEnd end, bool mirror);
  void mirror_client(ClientEnd end);
  void client_left_mid_command();
  void client_quit_mid_command();
  void client_left_before_auth();
  void authenticate_and_quit();
  void end_for_shutdown();
  void request_cancel();
  void request_kill(KillRequest::Kind kind);
  void send_quit_upstream();
  void drop_upstream();
  void close_client_leg();
  void send_error_to_client(std::uint16_t code, std::string_view sql_state,
                            std::string_view message, std::uint8_t sequence_id);
  void client_protocol_error(std::error_code ec, std::string_view what);
  void server_protocol_error(std::error_code ec);
  void close(CloseReason reason, std::string detail = {});

  SessionSettings settings_;
  Phase phase_ = Phase::Connecting;
  Shutdown shutdown_ = Shutdown::No;
  SessionInfo info_;
  // In effect on the server leg: info_.capabilities, plus CLIENT_SESSION_TRACK with track_gtids.
  std::uint64_t upstream_capabilities_ = 0;
  bool ok_held_ = false;  // the server message in progress is an OK to re-encode for the client
  std::vector<std::string> committed_gtids_;  // by the command in flight (track_gtids)
  Exchange exchange_;
  ClientLeg client_;
  ServerLeg server_;
  ClientHandler client_handler_{*this};
  ServerHandler server_handler_{*this};
  Actions actions_;
  Timer armed_timer_ = Timer::None;
  std::size_t held_reserved_ = 0;  // of settings_.hold_budget, for the message being held
  std::string pending_schema_;     // COM_INIT_DB awaiting its OK
  std::pair<std::string, std::string> pending_user_;  // COM_CHANGE_USER: user, schema
  // A KILL QUERY was asked for the command in flight; CancelDone when it ends.
  bool cancel_requested_ = false;
  bool answered_a_command_ = false;   // since login
  bool new_at_drain_ = false;         // just connected when the drain began: served until it quits
  bool cancel_acknowledged_ = false;  // the server answered that KILL QUERY
  bool client_tls_ = false;           // the client sent its SSLRequest
  bool server_tls_ = false;           // gracewire sent one upstream
  bool client_tls_starting_ = false;  // the SSLRequest just ended: the rest of this read is TLS
  bool renumber_held_ = false;        // a server auth message held to go on with the client's ids
  bool awaiting_server_tls_ = false;  // TLS started upstream; the server has not answered yet
  // The plugin of the authentication under way (the response's, then any auth switch's), and
  // whether caching_sha2_password asked for the full authentication (the password itself).
  std::string auth_plugin_now_;
  bool full_auth_asked_ = false;
  // How the upstream ended when the server closes while Quitting: after COM_QUIT, after a KILL,
  // or by itself (after a binlog dump, the server always closes).
  UpstreamEnd quit_end_ = UpstreamEnd::ComQuitEof;

  // Prepared statements, for decoding their parameters (record_params only).
  struct PreparedStatement {
    std::uint16_t params = 0;
    std::vector<protocol::ParamType> types;  // as last bound
    std::vector<bool> long_data;             // parameters sent with COM_STMT_SEND_LONG_DATA
  };
  std::unordered_map<std::uint32_t, PreparedStatement> statements_;
  std::uint32_t last_prepared_ = 0;
  std::uint16_t server_error_code_ = 0;
  CloseReason close_reason_ = CloseReason::None;
  UpstreamEnd upstream_end_ = UpstreamEnd::Open;
  std::string close_detail_;
};

std::string_view to_string(Session::Phase phase);

}  // namespace gw::session
