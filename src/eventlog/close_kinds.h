#pragma once
// The words CloseRecord::close_kind and CloseRecord::upstream_close take. They are part of the
// log's documented format (README) and of what `gracewire report` groups by: add words, never
// rename one.

#include <array>
#include <string_view>

namespace gw::eventlog {

namespace close_kind {
// The client's side: how the session ended.
inline constexpr std::string_view kComQuit = "com_quit";  // the client sent COM_QUIT
inline constexpr std::string_view kFinWithoutQuit =
    "fin_without_quit";                          // closed its socket, idle, no COM_QUIT
inline constexpr std::string_view kRst = "rst";  // the connection was reset (ECONNRESET)
inline constexpr std::string_view kMidCommand = "mid_command";  // left with a command in flight
inline constexpr std::string_view kMidResult = "mid_result";    // left while a result set streamed
inline constexpr std::string_view kHandshakeAbort =
    "handshake_abort";  // left before authenticating: health checks, port scanners
inline constexpr std::string_view kAuthFailed = "auth_failed";    // the server refused the login
inline constexpr std::string_view kIdleTimeout = "idle_timeout";  // gracewire's idle limit
inline constexpr std::string_view kProxyShutdown = "proxy_shutdown";  // gracewire was stopping
inline constexpr std::string_view kServerClosed =
    "server_closed";  // the server ended it (server_error_code holds its ERR, e.g. 4031, 1927)
inline constexpr std::string_view kProtocolError =
    "protocol_error";  // a malformed or out-of-place packet; detail says which
inline constexpr std::string_view kRefused =
    "refused";  // gracewire turned the client away (max_connections)
inline constexpr std::string_view kUpstreamUnreachable =
    "upstream_unreachable";  // gracewire could not connect to the server
inline constexpr std::string_view kUnsupported =
    "unsupported";  // the client needs something gracewire cannot follow (e.g. TLS)

inline constexpr std::array kAll = {
    kComQuit,
    kFinWithoutQuit,
    kRst,
    kMidCommand,
    kMidResult,
    kHandshakeAbort,
    kAuthFailed,
    kIdleTimeout,
    kProxyShutdown,
    kServerClosed,
    kProtocolError,
    kRefused,
    kUpstreamUnreachable,
    kUnsupported,
};

// The kinds where an authenticated client went away without saying goodbye: what the server
// would count as an aborted client had gracewire not been in between. handshake_abort is not
// among them (COM_QUIT cannot be sent before authentication), nor are the endings that the
// proxy or the server chose.
inline constexpr std::array kLeftWithoutQuit = {kFinWithoutQuit, kRst, kMidCommand, kMidResult};
}  // namespace close_kind

namespace upstream_close {
// The server's side: how gracewire ended the upstream session.
inline constexpr std::string_view kComQuitEof =
    "com_quit_eof";  // gracewire (or the client) sent COM_QUIT and the server closed after it
inline constexpr std::string_view kTimeout =
    "timeout";  // the server did not close within close.close_timeout; gracewire cut it
inline constexpr std::string_view kServerFirst = "server_first";  // the server closed first
inline constexpr std::string_view kKill = "kill";  // ended with KILL over a control connection
inline constexpr std::string_view kNotConnected =
    "not_connected";  // there was no upstream session (refused, unreachable, early abort)
inline constexpr std::string_view kMirrored =
    "mirrored";  // aborted like the client did (close.client_abort = "mirror")
inline constexpr std::string_view kDropped =
    "dropped";  // closed without COM_QUIT because nothing clean was possible

inline constexpr std::array kAll = {kComQuitEof,   kTimeout,  kServerFirst, kKill,
                                    kNotConnected, kMirrored, kDropped};
}  // namespace upstream_close

}  // namespace gw::eventlog
