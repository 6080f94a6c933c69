#pragma once
// DumpSession: the binlog follower's replication connection, sans-IO. It logs in through
// protocol::ClientLogin, runs the set-up statements one at a time (read by
// protocol::TextResultDecoder), registers as a replica, asks for the dump and then hands the
// events over one at a time, so that its owner can stop reading while a slow record sink
// catches up (backpressure) without the session buffering more than one event.
//
//   Greeting --S: greeting, C: response--> Auth --S: OK--> Ready
//   Greeting --S: greeting with CLIENT_SSL, TLS wanted, C: SSLRequest--> Auth, wants_tls(): the
//            owner starts TLS, then continue_in_tls() adds the response, to go inside it
//   Greeting/Auth --S: ERR, or a plugin gracewire cannot speak--> Failed, login_refused()
//   Ready --query() / register_replica()--> Busy --S: OK, ERR or a result set--> Ready
//   Ready --start_dump()--> Dumping
//   Dumping --S: 0x00 + event--> Dumping, event() holds it until release_event()
//   Dumping --S: EOF packet (after a KILL QUERY of the dump thread)--> Ended
//   Dumping --S: ERR (position purged, GTID diverged, ...)--> Failed, dump_error()
//   Ended --S: TCP EOF--> Closed: the clean end of a dump, nothing logged by the server
//   Ready or Busy --quit()--> Quitting --S: TCP EOF--> Closed
//   any --bad packet, unexpected EOF--> Failed (failure() says why)
//
// COM_QUIT is never sent while Dumping: the dump thread does not read it, and a close after it
// is logged as an aborted connection (research: closing-mysql-sessions.md, Q6). The only clean
// ends are a KILL QUERY of connection_id() from another connection, read here to the EOF packet
// and the server's close, or a non-blocking dump that reaches the end of the binlog.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/bytes.h"
#include "protocol/binlog/replica_commands.h"
#include "protocol/client_login.h"
#include "protocol/message_splitter.h"
#include "protocol/response.h"
#include "protocol/text_result.h"

namespace gw::session {

class DumpSession {
 public:
  enum class State {
    Greeting,  // waiting for the server's greeting
    Auth,      // response sent; waiting for OK (or an auth switch)
    Ready,     // authenticated and idle
    Busy,      // a set-up statement or COM_REGISTER_SLAVE is in flight
    Dumping,   // COM_BINLOG_DUMP sent; events arrive
    Ended,     // the server ended the dump with an EOF packet; its close follows
    Quitting,  // COM_QUIT sent (before any dump); waiting for the server to close
    Closed,    // the server closed after Ended or Quitting: a clean end
    Failed,    // unusable; failure() says why
  };

  // Set-up statements read short results (SHOW BINARY LOGS lists every binlog file).
  static constexpr protocol::TextResultLimits kResultLimits{.max_rows = 100'000,
                                                            .max_bytes = 16 * kMiB};

  DumpSession(std::string user, std::string password,
              protocol::LoginTls tls = protocol::LoginTls::Off);
  DumpSession(const DumpSession&) = delete;
  DumpSession& operator=(const DumpSession&) = delete;

  // Bytes from the server. While an event is held (event()), nothing more is decoded: the bytes
  // wait inside until release_event(); the owner should stop reading the socket meanwhile, so
  // that what waits is bounded by one read.
  void on_server_data(ByteView bytes);
  void on_server_eof();
  Bytes& to_server() { return to_server_; }
  // An SSLRequest went out (it is in to_server()): the owner sends it, starts TLS and calls
  // continue_in_tls(); all that follows goes inside TLS.
  bool wants_tls() const {
    return login_.state() == protocol::ClientLogin::State::StartTls && state_ == State::Auth;
  }
  void continue_in_tls() { login_.continue_in_tls(to_server_); }

  // Only when Ready. The result comes through take_result() once Ready again; an ERR is a
  // result with ok = false.
  void query(std::string_view sql);
  void register_replica(const protocol::binlog::RegisterReplica& command);
  std::optional<protocol::TextResult> take_result() { return std::exchange(result_, {}); }
  // Only when Ready.
  void start_dump(const protocol::binlog::BinlogDump& command);
  // Only when Ready or Busy (a dump is never quit).
  void quit();

  // The event being handed over: its bytes without the packet's 0x00 (header, body, checksum).
  // Stays valid until release_event().
  std::optional<ByteView> event() const;
  // Done with event(); decodes what arrived meanwhile, which may hold the next event already.
  void release_event();

  State state() const { return state_; }
  const std::string& failure() const { return failure_; }
  // The ERR that ended the dump (Failed while Dumping), for the follower to classify.
  const std::optional<protocol::ErrPacket>& dump_error() const { return dump_error_; }
  bool login_refused() const { return login_refused_; }
  // The dump thread's id on the server: what KILL QUERY names to end the dump cleanly.
  std::uint32_t connection_id() const { return connection_id_; }
  // Events handed over so far, and their bytes (for the metrics and the logs).
  std::uint64_t events() const { return events_; }
  std::uint64_t event_bytes() const { return event_bytes_; }

 private:
  class Handler final : public protocol::MessageHandler {
   public:
    explicit Handler(DumpSession& s) : s_(s) {}
    Result<protocol::MessagePlan> on_message_start(const protocol::MessageStart& m) override;
    void on_message_bytes(ByteView) override {}
    Result<void> on_message_end(const protocol::Message& m) override;

   private:
    DumpSession& s_;
  };
  [[nodiscard]] Result<void> on_login_message(const protocol::Message& m);
  [[nodiscard]] Result<void> on_reply(const protocol::Message& m);
  [[nodiscard]] Result<void> on_dump_message(const protocol::Message& m);
  void send_command(ByteView payload);
  void feed_waiting();
  void fail_with(std::string why);

  protocol::ClientLogin login_;  // holds the password until the login ends; never logged
  State state_ = State::Greeting;
  std::string failure_;
  bool login_refused_ = false;
  std::uint32_t connection_id_ = 0;
  std::uint8_t next_sequence_id_ = 0;  // command phase; the login counts its own
  std::optional<protocol::TextResultDecoder> reply_;
  std::optional<protocol::TextResult> result_;
  std::optional<protocol::ErrPacket> dump_error_;
  bool holding_event_ = false;
  Bytes event_;    // the event handed over, without the packet's 0x00
  Bytes waiting_;  // bytes that arrived while an event was held
  std::uint64_t events_ = 0, event_bytes_ = 0;
  protocol::MessageSplitter splitter_;
  Handler handler_{*this};
  Bytes to_server_;
};

}  // namespace gw::session
