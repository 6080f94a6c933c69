#pragma once
// The bound parameters of COM_STMT_EXECUTE, decoded into typed values (protocol/value.h); the
// event log renders them as SQL literals for audit records.
//
// After the 10-byte header (commands.h), when the statement has num_params > 0 (MySQL source
// docs "COM_STMT_EXECUTE"; MariaDB KB "COM_STMT_EXECUTE"):
//   byte<(num_params + 7) / 8>  null bitmap, bit i set = parameter i is NULL
//   int<1>                      new_params_bound_flag
//   if the flag is 1: num_params x { int<1> type, int<1> flags (0x80 = unsigned) }
//   the values of the parameters that are neither NULL nor sent with COM_STMT_SEND_LONG_DATA,
//   in the binary protocol's value encoding (MySQL "Binary Protocol Value")
// Without the flag, the types are those of the statement's previous execution.

#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/value.h"

namespace gw::protocol {

struct ParamType {
  std::uint8_t type = 0;
  bool is_unsigned = false;
  friend bool operator==(const ParamType&, const ParamType&) = default;
};

struct ExecuteParams {
  std::vector<ParamType> types;  // as sent, or `previous_types` when not sent
  std::vector<Value> values;     // one per parameter; NullValue, LongData included
};

// `long_data` marks the parameters whose values came with COM_STMT_SEND_LONG_DATA.
[[nodiscard]] Result<ExecuteParams> decode_execute_params(
    ByteView payload, std::uint16_t num_params, const std::vector<ParamType>& previous_types,
    const std::vector<bool>& long_data);

}  // namespace gw::protocol
