#pragma once
// Reading and writing the text of SQL string literals, for SQL held inside a string
// (PREPARE s FROM '…', EXECUTE IMMEDIATE '…'), which the redactor reads as SQL of its own.

#include <string>
#include <string_view>

namespace gw::eventlog {

// The text a quoted literal ('…' or "…", quotes included) stands for. With `backslashes`, the
// escapes of the server's default sql_mode apply (\' \" \\ \0 \b \n \r \t \Z; \% and \_ keep
// their backslash); without, as under NO_BACKSLASH_ESCAPES, a backslash is itself. A doubled
// quote is one quote either way. An unterminated literal runs to its end.
std::string unquote_sql(std::string_view literal, bool backslashes);

// `text` as a literal in `quote`, the quote doubled. Reads back as `text` under any sql_mode as
// long as `text` holds no backslash; the caller checks that.
std::string quote_sql(std::string_view text, char quote);

}  // namespace gw::eventlog
