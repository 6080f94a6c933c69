#pragma once
// What a Session reports for the event log, in order: authentication results, and each
// command's beginning and end. The proxy stamps them with time and byte counts; the session
// knows neither. Always produced (the metrics count them); a command's statement and
// parameters only with SessionSettings::record_events.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/value.h"
#include "session/exchange.h"

namespace gw::session {

struct AuthResultEvent {
  bool ok = false;
  std::uint16_t error_code = 0;
  std::string error_message;
};

struct CommandBeginEvent {
  std::uint8_t command = 0;
  std::string statement{};  // COM_QUERY / COM_STMT_PREPARE text, COM_INIT_DB schema; raw bytes
  bool statement_truncated = false;
  std::optional<std::uint32_t>
      statement_id{};                     // COM_STMT_EXECUTE / FETCH / CLOSE / RESET / LONG_DATA
  std::vector<protocol::Value> params{};  // COM_STMT_EXECUTE, with record_params: typed values
};

struct CommandEndEvent {
  std::uint8_t command = 0;
  Outcome outcome;
  bool in_transaction = false;
};

using SessionEvent = std::variant<AuthResultEvent, CommandBeginEvent, CommandEndEvent>;

}  // namespace gw::session
