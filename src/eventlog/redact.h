#pragma once
// Removing secrets from SQL text before it reaches any log. Each secret literal (with its
// quotes) becomes '***' and everything else stays as written, so the statement remains
// readable:
//
//   CREATE USER 'app'@'%' IDENTIFIED BY 'hunter2'   ->  CREATE USER 'app'@'%' IDENTIFIED BY '***'
//
// What counts as a secret:
//   * after IDENTIFIED, the value that follows BY, AS or USING, up to the end of the clause
//     (IDENTIFIED BY '…', IDENTIFIED BY PASSWORD '…', IDENTIFIED WITH plugin BY/AS '…',
//     MariaDB's IDENTIFIED VIA plugin USING '…' OR …; GRANT … IDENTIFIED BY, CLONE … IDENTIFIED
//     BY);
//   * after any word ending in PASSWORD (PASSWORD, MASTER_PASSWORD, SOURCE_PASSWORD, a column
//     named user_password …) the value after "=" or a literal right after the word
//     (SET PASSWORD = '…', SET PASSWORD FOR u = '…', CHANGE MASTER … MASTER_PASSWORD = '…',
//     START SLAVE … PASSWORD = '…', CREATE SERVER … OPTIONS (PASSWORD '…'), WHERE password = '…');
//   * the literal after REPLACE in ALTER USER / SET PASSWORD … REPLACE '…';
//   * every literal argument of PASSWORD(), OLD_PASSWORD(), ENCRYPT(), AES_ENCRYPT(),
//     AES_DECRYPT(), DES_ENCRYPT(), DES_DECRYPT(), ENCODE(), DECODE(), KDF() and
//     VALIDATE_PASSWORD_STRENGTH(): for the encryption functions the key is the secret, and
//     the data next to it is often just as sensitive, so all of them go.
// A value in one of those places is redacted whatever it is: a string (with an optional
// _charset introducer, and the adjacent strings MySQL concatenates to it), a hex or bit
// literal, a number, or an unquoted word (a client's syntax error still reaches the log).
// An unterminated string runs to the end of the text, and so does its redaction; after an
// unterminated /* the text is read as code.
//
// The text is read the way the server would under each sql_mode that changes where strings
// end (default, NO_BACKSLASH_ESCAPES, ANSI_QUOTES), and whatever is a secret under any of them
// is redacted. Comments stay, except executable ones (/*!…*/), whose contents are code.
// Not covered: hashing functions such as SHA2() or MD5() applied to application data, and
// bound parameters of prepared statements.

#include <string>
#include <string_view>

namespace gw::eventlog {

inline constexpr std::string_view kRedacted = "'***'";

std::string redact_statement(std::string_view sql);
// The same without a copy when there is nothing to redact (nearly always).
void redact_in_place(std::string& sql);

}  // namespace gw::eventlog
