#pragma once
// Removing secrets from SQL text, and from any text that quotes SQL, before it reaches a log.
//
// The rule is "when in doubt, redact": a false positive costs a little detail, a false negative
// is a breach. So the redactor does not try to find the one literal that holds the password; it
// asks whether the statement mentions anything that can carry a secret, and if it does, every
// literal in it goes:
//
//   CREATE USER 'app'@'%' IDENTIFIED BY 'hunter2'  ->  CREATE USER '***'@'***' IDENTIFIED BY '***'
//   SELECT name FROM t WHERE id = 42                ->  unchanged (nothing announces a secret)
//
// What makes a statement secret-bearing (mentions_secret()): anywhere in its text, in code,
// strings or comments (so dynamic SQL built in strings counts), a word that contains IDENTIF,
// PASSW, PWD, CRYPT, SECRET, AUTHENTIC, AUTH_STR, ENCODE, DECODE, KDF, PASSPHRASE or CREDENTIAL,
// or is PW or PASS (@pw, new_pass), or is a near-miss spelling of IDENTIFIED or PASSWORD
// (IDENTIFEID, PASWORD); also the same inside any hex or bit literal, decoded (X'…', 0x…, B'…',
// 0b…, and strings of hex digits such as UNHEX's argument); see secret_words.h. EXECUTE IMMEDIATE
// and PREPARE … FROM whose SQL is built by an expression (CONCAT(…), a function) count too, since
// the pieces can hide the keyword.
//
// In a secret-bearing statement, under every reading of its quotes (default sql_mode,
// NO_BACKSLASH_ESCAPES, ANSI_QUOTES):
//   * every string ('…', "…", with or without a _charset introducer, which stays), every X'…',
//     B'…', N'…' and every 0x…/0b… number becomes '***';
//   * every comment's contents go (a comment is free text: /* *** */, -- ***, # ***), and a
//     comment holding a quote takes the rest of the text with it: the quote may have been meant
//     to open the literal, leaving the secret unquoted after the comment;
//   * a value that is not quoted but sits where a secret goes is redacted too (a client's syntax
//     error still reaches the log): the word, number or `name` after IDENTIFIED … BY/AS/USING, or
//     after PASSWORD = / PASSWORD, and, in an IDENTIFIED clause, every word that is not one of the
//     clause's keywords (so IDENTIFIED BYY hunter2 loses both words);
//   * the SQL inside PREPARE … FROM '…' and EXECUTE IMMEDIATE '…' is redacted as a statement of
//     its own and stays readable when that is safe; otherwise the whole literal goes.
// Readings may disagree on where a string ends; whatever any of them calls a literal goes. An
// unterminated string runs to the end of the text, and so does its redaction; after an
// unterminated /* the text is read as code. Executable comments (/*!…*/) are code.
//
// Error messages (redact_error_message()) quote SQL too: MariaDB's ERR 1064 says "… near
// 'USERR 'u'@'%' IDENTIFIED BY 'secret'' at line 1". When the statement the message is about is
// secret-bearing, or the quoted part of the message mentions a secret word, everything from the
// message's first quote to its last becomes '***', and any literal of the statement that the
// message repeats elsewhere is cut out as well.
//
// Not covered (no text to judge by): bound parameters of prepared statements, and a secret
// assigned to a variable by an earlier statement that does not itself look secret-bearing.

#include <string>
#include <string_view>

#include "eventlog/record.h"

namespace gw::eventlog {

inline constexpr std::string_view kRedacted = "'***'";

// Whether the text names anything that can carry a secret (the list above). Cheap: one pass over
// the bytes; this is all the redactor costs for nearly every statement.
bool mentions_secret(std::string_view text);

std::string redact_statement(std::string_view sql);
// The same without a copy when there is nothing to redact (nearly always).
void redact_in_place(std::string& sql);

// `message` came from the server (or describes what it sent) in answer to `statement` (empty when
// there is none; `statement_complete` false when only its beginning was kept).
std::string redact_error_message(std::string_view message, std::string_view statement = {},
                                 bool statement_complete = true);

// Every field of a record that can quote SQL or hold a secret: a command's statement and error
// message, an auth's or change-user's error message, a close's detail, the statement of a row
// (ANNOTATE_ROWS) or ddl record. The writer calls this on each record before it is encoded.
// Column values of row records are data, not SQL, and are left as they are.
void redact_record(Record& record);

}  // namespace gw::eventlog
