#pragma once
// ControlSession: gracewire's own upstream session as the control account, sans-IO. It logs in
// through protocol::ClientLogin (mysql_native_password, auth switch), runs one statement at a
// time (KILL QUERY, SHOW GRANTS, SHOW GLOBAL STATUS) read by protocol::TextResultDecoder, and
// ends with COM_QUIT like every other session.
//
//   Greeting --S: greeting, C: response--> Auth
//   Greeting --S: greeting with CLIENT_SSL, TLS wanted, C: SSLRequest--> Auth, wants_tls():
//            the caller starts TLS, then continue_in_tls() adds the response, to go inside it
//   Greeting --S: ERR (too many connections, host blocked)--> Failed
//   Auth --S: switch to mysql_native_password, C: answer--> Auth
//   Auth --S: OK--> Ready
//   Auth --S: ERR, or a switch to another plugin--> Failed, login_refused()
//   Ready --query()--> Busy
//   Busy --S: OK, ERR or a whole result set--> Ready (take_result())
//   Ready or Busy --quit()--> Quitting
//   Quitting --S: EOF--> Closed
//   any --bad packet, unexpected EOF--> Failed (failure() says why)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "protocol/client_login.h"
#include "protocol/message_splitter.h"
#include "protocol/text_result.h"

namespace gw::session {

class ControlSession {
 public:
  enum class State {
    Greeting,  // waiting for the server's greeting
    Auth,      // response sent; waiting for OK (or an auth switch)
    Ready,     // authenticated and idle
    Busy,      // a statement is in flight
    Quitting,  // COM_QUIT sent; waiting for the server to close
    Closed,    // the server closed after COM_QUIT
    Failed,    // unusable; failure() says why
  };

  // ok, error_code, error_message, rows (text protocol; NULL = nullopt).
  using QueryResult = protocol::TextResult;
  // Status packets and the few short rows gracewire asks for (SHOW GLOBAL STATUS is ~600 rows).
  static constexpr protocol::TextResultLimits kResultLimits{.max_rows = 10'000, .max_bytes = kMiB};

  ControlSession(std::string user, std::string password,
                 protocol::LoginTls tls = protocol::LoginTls::Off);
  ControlSession(const ControlSession&) = delete;
  ControlSession& operator=(const ControlSession&) = delete;

  void on_server_data(ByteView bytes);
  void on_server_eof();
  Bytes& to_server() { return to_server_; }

  // Only when Ready. The result arrives through take_result() once the state is Ready again.
  void query(std::string_view sql);
  std::optional<QueryResult> take_result() { return std::exchange(result_, {}); }
  void quit();

  // An SSLRequest went out (it is in to_server()): the caller sends it, starts TLS and calls
  // continue_in_tls() once the handshake is done; all that follows goes inside TLS.
  bool wants_tls() const {
    return login_.state() == protocol::ClientLogin::State::StartTls && state_ == State::Auth;
  }
  void continue_in_tls() { login_.continue_in_tls(to_server_); }
  bool uses_tls() const { return login_.uses_tls(); }

  State state() const { return state_; }
  const std::string& failure() const { return failure_; }
  // The login cannot succeed until someone changes the account: the server answered it with ERR
  // (wrong password, no such account) or asked for a plugin gracewire cannot speak. Retrying
  // soon only fills the server's log ("Access denied", aborted connects).
  bool login_refused() const { return login_refused_; }
  std::uint32_t connection_id() const { return connection_id_; }
  // True when the server accepted mysql_native_password straight away: only then may the same
  // credentials be pipelined with COM_QUIT to end an abandoned client handshake.
  bool logged_in_without_switch() const { return state_ >= State::Ready && !login_.switched(); }

 private:
  class Handler final : public protocol::MessageHandler {
   public:
    explicit Handler(ControlSession& s) : s_(s) {}
    Result<protocol::MessagePlan> on_message_start(const protocol::MessageStart& m) override;
    void on_message_bytes(ByteView) override {}
    Result<void> on_message_end(const protocol::Message& m) override;

   private:
    ControlSession& s_;
  };
  [[nodiscard]] Result<void> on_login_message(const protocol::Message& m);
  [[nodiscard]] Result<void> on_query_reply(const protocol::Message& m);
  void fail_with(std::string why);

  protocol::ClientLogin login_;  // holds the password until the login ends; never logged
  State state_ = State::Greeting;
  std::string failure_;
  bool login_refused_ = false;
  std::uint32_t connection_id_ = 0;
  std::uint8_t next_sequence_id_ = 0;  // command phase; the login counts its own
  std::optional<protocol::TextResultDecoder> reply_;
  std::optional<QueryResult> result_;
  protocol::MessageSplitter splitter_;
  Handler handler_{*this};
  Bytes to_server_;
};

// What SHOW GRANTS says about the control account's right to KILL QUERY another account's
// statement. MariaDB 10.11, measured: CONNECTION ADMIN, SUPER or ALL PRIVILEGES on *.*, held
// directly or through the default role (whose grants SHOW GRANTS lists too), allow it; PROCESS
// alone does not (ERR 1095 "You are not owner of thread").
struct KillPrivilege {
  bool allowed = false;
  std::string account;  // 'user'@'host' as the server names it, for the GRANT to suggest
};
// `rows` are SHOW GRANTS's rows; `user` the control account's user name. The rows hold the
// password hash: nothing of them but the account name may be logged.
KillPrivilege kill_privilege_from_grants(
    const std::vector<std::vector<std::optional<std::string>>>& rows, std::string_view user);
// The GRANT that gives `account` what KILL QUERY needs.
std::string kill_grant_statement(std::string_view account);

}  // namespace gw::session
