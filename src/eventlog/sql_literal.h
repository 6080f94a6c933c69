#pragma once
// Reading and writing the text of SQL literals: strings, for SQL held inside a string (PREPARE s
// FROM '…', EXECUTE IMMEDIATE '…'), which the redactor reads as SQL of its own; hex and bit
// literals, whose bytes the redactor reads for words that announce a secret; and protocol
// values (bound parameters) rendered as the literals an audit record shows.

#include <string>
#include <string_view>

#include "protocol/value.h"

namespace gw::eventlog {

// The text a quoted literal ('…' or "…", quotes included) stands for. With `backslashes`, the
// escapes of the server's default sql_mode apply (\' \" \\ \0 \b \n \r \t \Z; \% and \_ keep
// their backslash); without, as under NO_BACKSLASH_ESCAPES, a backslash is itself. A doubled
// quote is one quote either way. An unterminated literal runs to its end.
std::string unquote_sql(std::string_view literal, bool backslashes);

// `text` as a literal in `quote`, the quote doubled. Reads back as `text` under any sql_mode as
// long as `text` holds no backslash; the caller checks that.
std::string quote_sql(std::string_view text, char quote);

// The bytes a hex literal's digits stand for (X'6869', 0x6869: "hi"). An odd count is read with a
// leading zero, as the server reads 0x…; anything that is not a hex digit ends the digits.
std::string decode_hex_digits(std::string_view digits);

// The bytes a bit literal's digits stand for (B'01101000', 0b01101000: "h"), padded on the left
// to whole bytes; anything that is not 0 or 1 ends the digits.
std::string decode_bit_digits(std::string_view digits);

// `value` as SQL-literal text for an audit record: NULL, 42, -1.5, 1e+20, 'text' (a quote or a
// backslash escaped with a backslash), '2024-01-31 10:00:00[.123456]', '-26:03:04', and
// <long data> for a value sent with COM_STMT_SEND_LONG_DATA. Decimals are quoted, as the text
// the protocol sends them as.
std::string render_sql_literal(const protocol::Value& value);

}  // namespace gw::eventlog
