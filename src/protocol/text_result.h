#pragma once
// The reply to a COM_QUERY, read as a client: an OK, an ERR, or a text-protocol result set
// (MySQL "page_protocol_com_query_response_text_resultset"; MariaDB KB "Result Set Packets"):
//
//   column count            protocol/resultset.h
//   column_count x column definition   (read as far as their catalog, "def"; not kept)
//   EOF                     unless CLIENT_DEPRECATE_EOF
//   rows, each: per column string<lenenc> value, or 0xFB for NULL
//   EOF, or under CLIENT_DEPRECATE_EOF an OK with header 0xFE   (protocol/response.h)
//   an ERR may end the result set instead at any point (e.g. a KILL QUERY while rows stream)
//
// Fed one whole logical message at a time. Bounded: a result with more rows or more row bytes
// than the limits is refused with session_errc::message_too_large, before anything is kept
// beyond the limit; no allocation follows an unchecked length. Multiple result sets
// (SERVER_MORE_RESULTS_EXISTS) and cached metadata are `unsupported`: gracewire's own
// connections ask for neither.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol {

using TextRow = std::vector<std::optional<std::string>>;  // NULL = nullopt

struct TextResult {
  bool ok = false;  // OK or a complete result set; false for an ERR
  std::uint16_t error_code = 0;
  std::string sql_state = {};
  std::string error_message = {};
  std::vector<TextRow> rows = {};  // empty for an OK
  friend bool operator==(const TextResult&, const TextResult&) = default;
};

struct TextResultLimits {
  std::size_t max_rows = 10'000;
  std::size_t max_bytes = kMiB;  // row payload bytes, all rows together
};

class TextResultDecoder {
 public:
  // `capabilities` are the ones in effect on the connection (CLIENT_DEPRECATE_EOF,
  // CLIENT_PROTOCOL_41 for ERR packets).
  explicit TextResultDecoder(std::uint64_t capabilities, TextResultLimits limits = {});

  // One whole message of the reply. Returns true once the reply is complete: take() it. A
  // message after that, or any message after an error, is unexpected_message. A cut message is
  // need_more and changes nothing (to a caller that passes whole messages it is malformed).
  [[nodiscard]] Result<bool> on_message(ByteView payload);
  bool done() const { return expect_ == Expect::Nothing; }
  // The finished reply; only once on_message returned true.
  TextResult take() { return std::move(result_); }

 private:
  enum class Expect {
    First,       // an OK, an ERR or the column count
    Columns,     // column definitions, columns_left_ more
    ColumnsEof,  // the EOF after the definitions (not under CLIENT_DEPRECATE_EOF)
    Rows,        // rows until the terminating EOF/OK
    Nothing,     // the reply is complete, or failed
  };
  [[nodiscard]] Result<bool> on_first(ByteView payload);
  [[nodiscard]] Result<void> on_column(ByteView payload);
  [[nodiscard]] Result<bool> on_rows(ByteView payload);
  [[nodiscard]] Result<bool> on_terminator(ByteView payload);
  [[nodiscard]] Result<void> on_row(ByteView payload);
  [[nodiscard]] Result<bool> on_err(ByteView payload);

  std::uint64_t capabilities_;
  TextResultLimits limits_;
  Expect expect_ = Expect::First;
  std::uint64_t columns_ = 0;
  std::uint64_t columns_left_ = 0;
  std::size_t bytes_ = 0;
  TextResult result_;
};

}  // namespace gw::protocol
