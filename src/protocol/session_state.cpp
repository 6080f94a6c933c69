#include "protocol/session_state.h"

#include "core/byte_reader.h"

namespace gw::protocol {
namespace {

constexpr std::uint8_t kSystemVariable = 0;

}  // namespace

std::optional<std::string_view> find_tracked_variable(ByteView session_state,
                                                      std::string_view name) {
  ByteReader reader(session_state);
  std::optional<std::string_view> found;
  while (reader.ok() && !reader.empty()) {
    const std::uint8_t type = reader.u8();
    const std::string_view data = reader.lenenc_string();
    if (!reader.ok() || type != kSystemVariable) continue;
    ByteReader entry(as_bytes(data));
    const std::string_view variable = entry.lenenc_string();
    const std::string_view value = entry.lenenc_string();
    if (!entry.ok() || !entry.empty()) return std::nullopt;
    if (variable == name) found = value;
  }
  if (!reader.ok()) return std::nullopt;
  return found;
}

}  // namespace gw::protocol
