#pragma once
// The two legs of a Session, each its own object: its framing (a MessageSplitter), where the
// bytes of the message in progress go, the sequence ids it has seen, what it knows of its peer,
// and how far it is closed. The Session decides; a leg remembers.

#include <cstdint>
#include <optional>

#include "core/bytes.h"
#include "protocol/handshake.h"
#include "protocol/message_splitter.h"
#include "session/actions.h"

namespace gw::session {

// Where the bytes of the message in progress on a leg go.
enum class Route : std::uint8_t {
  Forward,   // to the other leg as they arrive
  Hold,      // kept whole by the splitter (its head); forwarded once complete and checked
  Drop,      // nowhere: the other side no longer wants them
  DropQuit,  // nowhere: a COM_QUIT pipelined behind a command in flight (the client is leaving)
};

// How far the session has asked the proxy to close a leg.
enum class LegClosing : std::uint8_t {
  Open,      // not asked
  Flushing,  // asked to close once what is queued is written
  Closed,    // asked to close now (drop or reset)
};

class ClientLeg {
 public:
  // The client's connection is over for the session: it closed, reset, timed out or was let go.
  // Nothing more is read from it, and nothing queued for it matters.
  bool gone() const { return gone_; }
  void set_gone() {
    gone_ = true;
    backlog_.clear();
  }

  // Bytes may still be sent to the client: it is there and was not asked to close. What comes
  // after the close was asked would arrive after the ending the session chose.
  bool accepts_bytes() const { return !gone_ && closing_ == LegClosing::Open; }

  protocol::MessageSplitter& splitter() { return splitter_; }
  const protocol::MessageSplitter& splitter() const { return splitter_; }
  Route route = Route::Forward;

  // Part of the client message in progress already went upstream.
  bool message_half_sent() const { return route == Route::Forward && splitter_.in_message(); }
  // Client bytes that arrived before their turn (pipelined behind a command in flight); the
  // proxy stops reading the client while there are any.
  Bytes& backlog() { return backlog_; }
  bool backlogged() const { return !backlog_.empty() || splitter_.deferred(); }

  // The sequence id of the client's last packet header; an ERR in answer takes the next one.
  std::uint8_t last_sequence_id = 0;

  // The CloseLeg to ask for now, if any: Flush while the client may still read, Drop once it is
  // gone (also upgrading an earlier Flush).
  std::optional<CloseLeg> close() {
    const LegClosing wanted = gone_ ? LegClosing::Closed : LegClosing::Flushing;
    if (closing_ >= wanted) return std::nullopt;
    closing_ = wanted;
    return CloseLeg{Leg::Client, gone_ ? CloseLeg::How::Drop : CloseLeg::How::Flush};
  }
  // close_timeout passed: both legs are closed now, whatever was asked before.
  std::optional<CloseLeg> close_now() {
    if (closing_ == LegClosing::Closed) return std::nullopt;
    closing_ = LegClosing::Closed;
    return CloseLeg{Leg::Client, CloseLeg::How::Drop};
  }
  LegClosing closing() const { return closing_; }

 private:
  protocol::MessageSplitter splitter_;
  Bytes backlog_;
  bool gone_ = false;
  LegClosing closing_ = LegClosing::Open;
};

class ServerLeg {
 public:
  protocol::MessageSplitter& splitter() { return splitter_; }
  const protocol::MessageSplitter& splitter() const { return splitter_; }
  Route route = Route::Forward;

  // The TCP (or Unix socket) connection is up; before it, nothing can be flushed.
  bool connected = false;
  // The greeting as the server sent it: abandoned handshakes answer it.
  protocol::Greeting greeting;
  // What gracewire offers the client of the server's capabilities.
  std::uint64_t offered_capabilities = 0;

  // Part of the server message in progress already went to the client: an ERR from gracewire
  // would land inside it.
  bool message_half_forwarded() const { return route == Route::Forward && splitter_.in_message(); }

  // The CloseLeg to ask for, once: flush when connected (a COM_QUIT may be queued), otherwise
  // drop (nothing was said), reset to mirror a client's RST.
  std::optional<CloseLeg> close(bool reset = false) {
    if (closing_ == LegClosing::Closed) return std::nullopt;
    if (closing_ == LegClosing::Flushing && !reset) return std::nullopt;
    const CloseLeg::How how = reset       ? CloseLeg::How::Reset
                              : connected ? CloseLeg::How::Flush
                                          : CloseLeg::How::Drop;
    closing_ = how == CloseLeg::How::Flush ? LegClosing::Flushing : LegClosing::Closed;
    return CloseLeg{Leg::Server, how};
  }
  // close_timeout passed: both legs are closed now, whatever was asked before.
  std::optional<CloseLeg> close_now() {
    if (closing_ == LegClosing::Closed) return std::nullopt;
    closing_ = LegClosing::Closed;
    return CloseLeg{Leg::Server, CloseLeg::How::Drop};
  }
  LegClosing closing() const { return closing_; }

 private:
  protocol::MessageSplitter splitter_;
  LegClosing closing_ = LegClosing::Open;
};

}  // namespace gw::session
