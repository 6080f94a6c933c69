#pragma once
// The words CloseRecord::close_kind and CloseRecord::upstream_close take, derived from the
// session's CloseReason and UpstreamEnd (session/close_reason.h, the one list, which README's
// "close" record documents). What they mean is said there, next to each enumerator.

#include <algorithm>
#include <array>
#include <string_view>

#include "session/close_reason.h"

namespace gw::eventlog {

namespace close_kind {

inline constexpr std::array<std::string_view, session::kCloseReasons.size()> kAll = [] {
  std::array<std::string_view, session::kCloseReasons.size()> words{};
  std::ranges::transform(session::kCloseReasons, words.begin(),
                         [](session::CloseReason r) { return session::to_string(r); });
  return words;
}();

// The kinds where an authenticated client went away without saying goodbye: what the server
// would count as an aborted client had gracewire not been in between. handshake_abort is not
// among them (COM_QUIT cannot be sent before authentication), nor are the endings that the
// proxy or the server chose.
inline constexpr std::array kLeftWithoutQuit = {
    session::to_string(session::CloseReason::FinWithoutQuit),
    session::to_string(session::CloseReason::Rst),
    session::to_string(session::CloseReason::MidCommand),
    session::to_string(session::CloseReason::MidResult),
};

}  // namespace close_kind

namespace upstream_close {

inline constexpr std::array<std::string_view, session::kUpstreamEnds.size()> kAll = [] {
  std::array<std::string_view, session::kUpstreamEnds.size()> words{};
  std::ranges::transform(session::kUpstreamEnds, words.begin(),
                         [](session::UpstreamEnd e) { return session::to_string(e); });
  return words;
}();

}  // namespace upstream_close

}  // namespace gw::eventlog
