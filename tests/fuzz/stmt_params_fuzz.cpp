// COM_STMT_EXECUTE's bound parameters (protocol/stmt_params.h), the one decoder that renders
// network bytes as text for audit records. The first bytes choose the parameter count, the
// previous execution's types and which parameters came as long data. Properties: never reads
// past the payload (ASan), every accepted payload yields one type and one value per parameter,
// and need_more is never mistaken for invalid on a prefix of an accepted payload.

#include <vector>

#include "codec_check.h"
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
  fuzz::check_prefixes(payload, decode);
  return 0;
}
