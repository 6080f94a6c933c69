#pragma once
// What a Session asks of whoever carries its bytes, in the order it must be done. Every Session
// call returns one list: bytes for a leg, a leg to close, a KILL to run, the close timer to arm,
// what to log and what to record. The proxy carries them out one by one and infers nothing from
// the session's state.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/bytes.h"
#include "session/session_event.h"

namespace gw::session {

// The two connections a session joins.
enum class Leg : std::uint8_t {
  Client,  // the client's connection to gracewire
  Server,  // gracewire's connection to the upstream server
};

// Bytes to write on a leg, after everything written before them.
struct Send {
  Leg leg = Leg::Client;
  Bytes bytes;
};

// Close a leg. Asked at most once per leg, except that Flush may later become Drop (or Reset).
struct CloseLeg {
  enum class How : std::uint8_t {
    Flush,  // write what is queued, then FIN
    Drop,   // close now: nobody will read what is queued
    Reset,  // close now with RST (client_abort = "mirror" of a client's reset)
  };
  Leg leg = Leg::Client;
  How how = How::Flush;
  friend bool operator==(const CloseLeg&, const CloseLeg&) = default;
};

// From here on the leg carries TLS: the proxy runs a TLS handshake on it (gracewire is the
// server toward a client, the client toward the server) and carries every later byte of the
// leg, both ways, inside TLS. `early` are bytes the client sent right after its SSLRequest,
// already read (the start of its ClientHello): the TLS layer's first input.
struct StartTls {
  Leg leg = Leg::Client;
  Bytes early;
  friend bool operator==(const StartTls&, const StartTls&) = default;
};

// Run KILL QUERY / KILL CONNECTION on the control connection.
struct KillRequest {
  enum class Kind : std::uint8_t {
    Query,       // KILL QUERY: end the statement in flight, repeated until CancelDone
    Connection,  // KILL CONNECTION: the only quiet end for a half-sent client packet
  };
  std::uint32_t server_connection_id = 0;
  Kind kind = Kind::Query;
  friend bool operator==(const KillRequest&, const KillRequest&) = default;
};

// The command a KILL QUERY was asked for has ended (or the session did): stop repeating it.
struct CancelDone {
  friend bool operator==(const CancelDone&, const CancelDone&) = default;
};

// COM_QUIT went upstream: the server's close after it is the clean ending, and is timed.
struct QuitSent {
  friend bool operator==(const QuitSent&, const QuitSent&) = default;
};

// The one timer a session needs, by what it bounds. Each arming replaces the previous one; the
// proxy maps the kind to its configured duration and reports expiry with the matching call.
enum class Timer : std::uint8_t {
  None,       // nothing is bounded now (authenticated, no ending under way)
  Connect,    // connecting upstream: connect_timeout, then on_upstream_unreachable()
  Greeting,   // the server's greeting: greeting_timeout, then on_greeting_timeout()
  Handshake,  // the client's HandshakeResponse: handshake_timeout, then on_handshake_timeout()
  Close,      // an ending step: close_timeout, then on_close_timeout(); never re-armed
};
struct ArmTimer {
  Timer timer = Timer::None;
  friend bool operator==(const ArmTimer&, const ArmTimer&) = default;
};

// Milestones for the operational log (info() holds the details).
struct UpstreamGreeted {  // the server greeted: its version and connection id are known
  friend bool operator==(const UpstreamGreeted&, const UpstreamGreeted&) = default;
};
struct Authenticated {  // the server accepted the client's login
  friend bool operator==(const Authenticated&, const Authenticated&) = default;
};

// With SessionSettings::track_gtids: a command went upstream, and later its answer came back
// naming the transactions it committed (MariaDB's last_gtid tracker), so that binlog change
// records can say which session made them. Only for sessions whose upstream tracks state.
struct CommandSent {
  friend bool operator==(const CommandSent&, const CommandSent&) = default;
};
struct CommandAnswered {
  std::vector<std::string> gtids;  // as the server wrote them, e.g. "0-1-42"; often none
  friend bool operator==(const CommandAnswered&, const CommandAnswered&) = default;
};

using Action = std::variant<Send, CloseLeg, StartTls, KillRequest, CancelDone, QuitSent, ArmTimer,
                            UpstreamGreeted, Authenticated, CommandSent, CommandAnswered,
                            AuthResultEvent, CommandBeginEvent, CommandEndEvent>;

// The list a Session call returns; valid until the next call. Bytes for the same leg that follow
// each other share one Send.
class Actions {
 public:
  // The buffer to append bytes for `leg` to: the last Send when it is for that leg.
  Bytes& bytes_for(Leg leg) {
    if (!list_.empty()) {
      if (auto* send = std::get_if<Send>(&list_.back()); send != nullptr && send->leg == leg) {
        return send->bytes;
      }
    }
    return std::get<Send>(list_.emplace_back(Send{leg, {}})).bytes;
  }
  void send(Leg leg, ByteView bytes) {
    if (bytes.empty()) return;
    Bytes& out = bytes_for(leg);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  void push(Action action) { list_.push_back(std::move(action)); }
  void clear() { list_.clear(); }

  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  auto begin() { return list_.begin(); }
  auto end() { return list_.end(); }
  auto begin() const { return list_.begin(); }
  auto end() const { return list_.end(); }

 private:
  std::vector<Action> list_;
};

}  // namespace gw::session
