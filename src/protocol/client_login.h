#pragma once
// The client side of the connection phase, for every connection gracewire opens itself (the
// control connection, ending an abandoned client handshake, next the binlog follower). Sans-IO:
// whole server messages in, framed client messages out.
//
//   Greeting --S(seq 0): greeting, C(seq 1): HandshakeResponse41--> Auth
//   Greeting --S(seq 0): greeting with CLIENT_SSL, TLS wanted, C(seq 1): SSLRequest--> StartTls
//   StartTls --continue_in_tls(), C(seq 2, inside TLS): HandshakeResponse41--> Auth
//   Greeting --S(seq 0): greeting without CLIENT_SSL, TLS required--> Refused
//   Greeting --S(seq 0): ERR (too many connections, host blocked)--> Failed
//   Auth --S: OK--> LoggedIn
//   Auth --S: ERR--> Refused (error() holds the server's ERR)
//   Auth --S: AuthSwitchRequest to a plugin in the table--> (answered, seq + 1) --> Auth
//   Auth --S: AuthSwitchRequest to any other plugin--> Refused ("unsupported plugin X")
//   Auth --S: AuthMoreData (0x01)--> Failed (no plugin in the table continues an exchange yet)
//   any --bad sequence id, malformed packet--> Failed, and on_message returns the error
//
// The first response always carries a mysql_native_password answer to the greeting's scramble,
// whatever plugin the greeting names: the server then switches the account to its own plugin
// (MariaDB KB "Connection", "Authentication switch request"). Plugins live in a table of
// per-plugin answer functions (client_login.cpp); client_ed25519 and caching_sha2_password
// belong there when gracewire's own accounts need them.
//
// The password is never logged nor put in failure(); ClientLogin wipes its copy once the login
// has ended (LoggedIn, Refused, Failed) and when destroyed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"
#include "protocol/response.h"

namespace gw::protocol {

// What gracewire's own connections ask for, intersected with what the greeting offers. Nothing
// beyond a plain 4.1 login (and CLIENT_SSL when LoginTls asks for TLS): no compression, no
// multi-statements or multi-results, no CLIENT_DEPRECATE_EOF (result sets end with EOF packets),
// no connect attributes, no MariaDB extended capabilities. CLIENT_MYSQL survives only against
// MySQL (MariaDB clears it to say its greeting carries extended capabilities).
// CLIENT_CONNECT_WITH_DB is added only with a schema.
inline constexpr std::uint64_t kClientLoginCapabilities = cap::kMysql | cap::kLongFlag |
                                                          cap::kProtocol41 | cap::kTransactions |
                                                          cap::kSecureConnection | cap::kPluginAuth;
inline constexpr std::uint32_t kClientLoginMaxPacket = 16 * 1024 * 1024;

// Whether gracewire's own connection asks for TLS (upstream.tls_mode, seen from a connection
// that follows no client): IfOffered when the greeting offers CLIENT_SSL, Require or fail.
enum class LoginTls : std::uint8_t { Off, IfOffered, Require };

struct LoginCredentials {
  std::string_view user = {};
  std::string_view password = {};  // never logged
  std::string_view schema = {};    // empty: no default schema
};

// The capabilities a login answering `greeting` uses: kClientLoginCapabilities (plus
// CLIENT_CONNECT_WITH_DB when `with_schema`) & greeting.capabilities.
[[nodiscard]] std::uint64_t client_login_capabilities(const Greeting& greeting, bool with_schema);

// The HandshakeResponse41 payload (no frame header; it travels with sequence id 1) answering
// `greeting`: client_login_capabilities(), 16 MiB max packet, the greeting's charset, and a
// mysql_native_password answer to the greeting's scramble; CLIENT_SSL too when `in_tls` (the
// response after an SSLRequest).
[[nodiscard]] gw::Bytes login_response_payload(const Greeting& greeting,
                                               const LoginCredentials& credentials,
                                               bool in_tls = false);

class ClientLogin {
 public:
  enum class State {
    Greeting,  // waiting for the server's greeting
    StartTls,  // an SSLRequest is sent: the caller starts TLS, then calls continue_in_tls()
    Auth,      // a response is sent; waiting for OK, ERR or an auth switch
    LoggedIn,  // the server answered OK; the command phase may start (sequence ids from 0)
    Refused,   // ERR to the login, or a plugin gracewire cannot speak: lasts until the account
               // changes, so retrying soon only fills the server's log
    Failed,    // the server refused the connection before the login, or broke the protocol
  };

  ClientLogin(std::string user, std::string password, std::string schema = {},
              LoginTls tls = LoginTls::Off);
  ClientLogin(const ClientLogin&) = delete;
  ClientLogin& operator=(const ClientLogin&) = delete;
  ~ClientLogin();

  // One whole logical message from the server whose first packet carried `sequence_id`.
  // Appends what to answer, framed, to `to_server`. Returns an error (and state() becomes
  // Failed) for a wrong sequence id, a message that does not decode, or a message after the
  // login ended; a refusal is not an error of the protocol: see state(). A cut message is
  // need_more and changes nothing.
  [[nodiscard]] Result<void> on_message(std::uint8_t sequence_id, ByteView payload,
                                        gw::Bytes& to_server);

  // Once the TLS handshake the SSLRequest announced is done (only in StartTls): appends the
  // HandshakeResponse41, for the caller to send inside TLS.
  void continue_in_tls(gw::Bytes& to_server);

  State state() const { return state_; }
  bool ended() const {
    return state_ != State::Greeting && state_ != State::StartTls && state_ != State::Auth;
  }
  // The login asked for TLS (an SSLRequest went out).
  bool uses_tls() const { return (capabilities_ & cap::kSsl) != 0; }
  // Set once the greeting arrived.
  const std::optional<Greeting>& greeting() const { return greeting_; }
  // The capabilities in effect (sent in the response); 0 before the greeting.
  std::uint64_t capabilities() const { return capabilities_; }
  // True when the server asked for an auth switch: only a login that needed none may be
  // pipelined with a command (as ending an abandoned handshake does).
  bool switched() const { return switched_; }
  // The server's ERR, in place of the greeting or in answer to the login.
  const std::optional<ErrPacket>& error() const { return error_; }
  // Why the login is Refused or Failed, fit for a log line: never the password.
  const std::string& failure() const { return failure_; }

 private:
  [[nodiscard]] Result<void> on_greeting(ByteView payload, gw::Bytes& to_server);
  [[nodiscard]] Result<void> on_auth_reply(ByteView payload, gw::Bytes& to_server);
  [[nodiscard]] Result<void> on_auth_switch(ByteView payload, gw::Bytes& to_server);
  void send_response(gw::Bytes& to_server);
  void end(State state, std::string failure);
  void wipe_password();

  std::string user_;
  std::string password_;  // never logged; wiped when the login ends
  std::string schema_;
  LoginTls tls_;
  State state_ = State::Greeting;
  std::optional<Greeting> greeting_;
  std::uint64_t capabilities_ = 0;
  bool switched_ = false;
  std::uint8_t next_sequence_id_ = 0;
  std::optional<ErrPacket> error_;
  std::string failure_;
};

}  // namespace gw::protocol
