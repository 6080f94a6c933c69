// COM_STMT_EXECUTE's bound parameters (protocol/stmt_params.h) decoded into typed values, and
// those values rendered as SQL literals for audit records (eventlog/sql_literal.h). The first bytes choose the parameter count, the
// previous execution's types and which parameters came as long data. Properties: never reads
// past the payload (ASan), every accepted payload yields one type and one value per parameter,
// a NULL bit gives NullValue and a long-data parameter LongData, every value renders, and
// need_more is never mistaken for invalid on a prefix of an accepted payload.

#include <variant>
#include <vector>

#include "codec_check.h"
#include "eventlog/sql_literal.h"
#include "protocol/stmt_params.h"

using namespace gw;
using namespace gw::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint16_t num_params = in.u8() % 40;
  std::vector<ParamType> previous;
  std::vector<bool> long_data;
  const bool have_previous = in.u8() & 1;
  for (std::uint16_t i = 0; i < num_params; ++i) {
    const std::uint8_t type = in.u8();
    const std::uint8_t flags = in.u8();
    if (have_previous) previous.push_back({type, (flags & 0x80) != 0});
    long_data.push_back((flags & 1) != 0);
  }
  const ByteView payload = in.rest();
  auto decode = [&](ByteView p) {
    return decode_execute_params(p, num_params, previous, long_data);
  };
  auto params = decode(payload);
  if (!params) return 0;
  FUZZ_CHECK(params->types.size() == num_params);
  FUZZ_CHECK(params->values.size() == num_params);
  for (std::uint16_t i = 0; i < num_params; ++i) {
    const auto& value = params->values[i];
    if (long_data[i] && !std::holds_alternative<NullValue>(value)) {
      FUZZ_CHECK(std::holds_alternative<LongData>(value));
    }
    FUZZ_CHECK(!eventlog::render_sql_literal(value).empty());
  }
  fuzz::check_prefixes(payload, decode);
  return 0;
}
