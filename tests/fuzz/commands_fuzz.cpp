// Client commands whose fields gracewire reads (protocol/commands.h). The first byte picks the
// decoder, the next eight are the capabilities in effect. Properties: codec_check.h.

#include "codec_check.h"
#include "protocol/commands.h"

using namespace gw;
using namespace gw::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t which = in.u8();
  const std::uint64_t caps = in.u64();
  const ByteView payload = in.rest();
  switch (which % 7) {
    case 0:
      fuzz::check_codec(
          payload, [caps](ByteView p) { return decode_change_user(p, caps); },
          [caps](const ChangeUser& v, Bytes& out) { encode_change_user(v, caps, out); });
      break;
    case 1:
      fuzz::check_codec(payload, decode_stmt_execute, encode_stmt_execute);
      break;
    case 2:
      fuzz::check_codec(payload, decode_stmt_fetch, encode_stmt_fetch);
      break;
    case 3:
      if (!decode_statement_id(payload)) break;
      fuzz::check_prefixes(payload, decode_statement_id);
      if (auto id = decode_statement_id(payload); payload[0] != 0x18) {
        Bytes out;
        encode_statement_command(static_cast<Command>(payload[0]), *id, out);
        FUZZ_CHECK(out.size() == payload.size() &&
                   std::equal(out.begin(), out.end(), payload.begin()));
      }
      break;
    case 4:
      fuzz::check_codec(payload, decode_stmt_send_long_data, encode_stmt_send_long_data);
      break;
    case 5:
      fuzz::check_codec(payload, decode_process_kill, encode_process_kill);
      break;
    default:
      fuzz::check_codec(payload, decode_set_option, encode_set_option);
      break;
  }
  return 0;
}
