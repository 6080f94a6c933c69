#pragma once
// Where each record goes in NATS (issue 13): the subject a record is published on, and the
// Nats-Msg-Id that lets JetStream drop a message it already holds (a retry, a restart, a second
// gracewire following the same server).
//
//   lifecycle and audit  <prefix>.events.<type>           gracewire.events.close
//   row                  <prefix>.changes.<db>.<table>    gracewire.changes.shop.orders
//   ddl                  <prefix>.changes.<db>            gracewire.changes.shop
//   commit               <prefix>.changes                 gracewire.changes
//
// The kinds of change differ in their number of tokens, so no table name can make a row's
// subject equal a ddl's or a commit's: `<prefix>.changes.>` is every change,
// `<prefix>.changes.shop.*` the rows of schema shop, `<prefix>.changes.*` the ddl.

#include <cstdint>
#include <string>
#include <string_view>

#include "eventlog/record.h"

namespace gw::publish {

// A schema or table name as one subject token. Names are any bytes the server allows ('.',
// '*', '>' and spaces included), so every byte outside [A-Za-z0-9_] becomes %XX (upper-case
// hex) and the empty name "%" (which no escape produces): distinct names give distinct
// tokens, and the common names (orders, order_items) stay as they are.
std::string subject_token(std::string_view name);

// The subject of `record` under a valid `prefix` (publish.subject_prefix, which the config
// checks with config::parse_subject_prefix).
std::string subject_for(const eventlog::Record& record, std::string_view prefix);

// A change record's message id: "<gtid>:<event_index>:<row_index>" for a row,
// "<gtid>:<event_index>" for a ddl or a commit (the key a consumer deduplicates on, as in
// the file); "@<binlog_file>:<binlog_pos>:..." in place of the GTID when the server gave none.
// The same change has the same id whoever publishes it and however often.
std::string change_message_id(const eventlog::Record& record);

// A lifecycle or audit record's message id: "<instance>:<lineage>:<seq>", the instance's name,
// the lineage of its event log (progress.h) and the line's "seq" (eventlog/sequence.h). The
// same line has the same id however often it is sent, by this process or the next; a log that
// starts its sequence over gets a new lineage, so no new line takes an old one's id.
std::string event_message_id(std::string_view instance, std::uint64_t lineage,
                             std::uint64_t sequence);

}  // namespace gw::publish
