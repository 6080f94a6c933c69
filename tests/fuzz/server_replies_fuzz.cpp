// What the server sends in reply: the authentication exchange (protocol/auth.h), OK, ERR,
// progress reports and EOF (protocol/response.h), a result set's column count and
// COM_STMT_PREPARE_OK (protocol/resultset.h), the session state block of an OK
// (protocol/session_state.h). The first byte picks the decoder, the next eight
// are the capabilities in effect. Properties: codec_check.h, and the quick classifiers agree with
// the decoders.

#include "codec_check.h"
#include "protocol/auth.h"
#include "protocol/constants.h"
#include "protocol/response.h"
#include "protocol/resultset.h"
#include "protocol/session_state.h"

using namespace gw;
using namespace gw::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t which = in.u8();
  const std::uint64_t caps = in.u64();
  const ByteView payload = in.rest();
  auto with_caps = [caps](auto decode) {
    return [caps, decode](ByteView p) { return decode(p, caps); };
  };
  auto encode_with_caps = [caps](auto encode) {
    return [caps, encode](const auto& v, Bytes& out) { encode(v, caps, out); };
  };
  switch (which % 9) {
    case 0:
      // The lone 0xFE is MySQL's old auth switch, unsupported (auth.h).
      fuzz::check_codec(payload, decode_auth_switch_request, encode_auth_switch_request,
                        [](std::size_t len, std::error_code ec) {
                          return len == 1 && ec == codec_errc::unsupported;
                        });
      break;
    case 1:
      fuzz::check_codec(payload, decode_auth_more_data, encode_auth_more_data);
      break;
    case 2:
      fuzz::check_codec(payload, with_caps(decode_ok), encode_with_caps(encode_ok));
      if (auto ok = decode_ok(payload, caps)) {
        // A tracked value is a view into the block, never past it.
        const auto block = as_bytes(ok->session_state);
        if (auto gtid = find_tracked_variable(block, "last_gtid")) {
          FUZZ_CHECK(gtid->data() >= ok->session_state.data() &&
                     gtid->data() + gtid->size() <=
                         ok->session_state.data() + ok->session_state.size());
        }
      }
      break;
    case 3:
      if ((caps & cap::kProtocol41) != 0) {
        fuzz::check_codec(payload, with_caps(decode_err), encode_with_caps(encode_err));
      } else if (auto err = decode_err(payload, caps); err && !err->message.starts_with('#')) {
        // Pre-4.1 ERRs have no sql_state: encode leaves out a '#' marker that decode still
        // recognises (response.h), so only the code and the message come back, and a message
        // that itself starts with '#' cannot be told from a marker.
        fuzz::check_prefixes(payload, with_caps(decode_err));
        Bytes out;
        encode_err(*err, caps, out);
        auto again = decode_err(out, caps);
        FUZZ_CHECK(again && again->code == err->code && again->message == err->message);
      }
      // A progress report is never an error.
      if (is_progress_report(payload)) FUZZ_CHECK(!decode_err(payload, caps).has_value());
      break;
    case 4:
      fuzz::check_codec(payload, decode_progress_report, encode_progress_report);
      if (decode_progress_report(payload)) FUZZ_CHECK(is_progress_report(payload));
      break;
    case 5:
      fuzz::check_codec(payload, decode_eof, encode_eof);
      if (decode_eof(payload) && !payload.empty()) {
        FUZZ_CHECK(is_eof_packet(payload[0], payload.size()));
      }
      break;
    case 6:
      if (auto count = decode_column_count(payload)) {
        FUZZ_CHECK(*count != 0);
        fuzz::check_prefixes(payload, decode_column_count);
      }
      break;
    case 7:
      fuzz::check_codec(payload, with_caps(decode_column_count_packet),
                        encode_with_caps(encode_column_count_packet));
      break;
    default:
      fuzz::check_codec(payload, decode_prepare_ok, encode_prepare_ok);
      break;
  }
  return 0;
}
