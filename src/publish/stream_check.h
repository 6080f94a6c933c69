#pragma once
// The stream check at start ([publish]): the stream exists, or is created when
// create_stream allows it, and its subjects take everything gracewire publishes. A stream that
// is missing, or that would not store some of the records, is a configuration error with a
// sentence saying what to change; nothing is published into a stream that would lose records.

#include <expected>
#include <string>
#include <string_view>
#include <vector>

struct __jsCtx;  // libnats's jsCtx

namespace gw::publish {

struct PublisherSettings;

// Whether NATS subject `subject` falls under `filter` ('*' one token, '>' one or more at the
// end), as the server matches a stream's subjects.
bool subject_matches(std::string_view filter, std::string_view subject);

// The subjects gracewire publishes that none of `filters` takes (one example per kind).
std::vector<std::string> subjects_not_taken(const std::vector<std::string>& filters,
                                            std::string_view prefix);

std::expected<void, std::string> check_stream(__jsCtx* js, const PublisherSettings& settings);

}  // namespace gw::publish
