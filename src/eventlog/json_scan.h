#pragma once
// A small reader for the flat JSON objects of the event log, for the tools that read it back.
// It visits the members of one object without building a document: strings are handed over
// raw (decode them with json_unescape() when they hold a backslash), nested objects and arrays
// as their raw text. Enough for reading our own lines fast; not a general validator.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace gw::eventlog {

struct JsonValue {
  enum class Kind { String, Number, True, False, Null, Object, Array } kind = Kind::Null;
  std::string_view raw;  // strings: between the quotes, still escaped; others: the text itself
};

// Calls `member` for each member of the object in `text`, in order; `member` returns false to
// stop early. Returns false when `text` is not a well-formed object (as far as it was read).
bool scan_object(std::string_view text,
                 const std::function<bool(std::string_view key, const JsonValue& value)>& member);

// The bytes a JSON string's raw contents stand for (escapes resolved, \uXXXX as UTF-8).
std::string json_unescape(std::string_view raw);

// A Number member as an integer; nullopt when it is not a plain integer.
std::optional<std::int64_t> json_integer(const JsonValue& value);

}  // namespace gw::eventlog
