// Connection-phase codecs (protocol/handshake.h): the server's greeting, the client's
// HandshakeResponse41 and SSLRequest. Properties: codec_check.h, and is_ssl_request agrees with
// decode_ssl_request.

#include "codec_check.h"
#include "protocol/handshake.h"

using namespace gw;
using namespace gw::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t which = in.u8();
  const ByteView payload = in.rest();
  switch (which % 3) {
    case 0: {
      // encode_greeting() takes at most 254 scramble bytes (handshake.h); a length byte of 255
      // decodes to 255 with no NUL after part 2, which no server sends.
      auto greeting = decode_greeting(payload);
      if (greeting && greeting->auth_data.size() > 254) break;
      fuzz::check_codec(payload, decode_greeting, encode_greeting);
      break;
    }
    case 1:
      fuzz::check_codec(payload, decode_handshake_response, encode_handshake_response);
      break;
    default: {
      fuzz::check_codec(payload, decode_ssl_request, encode_ssl_request);
      // An SSLRequest is exactly what is_ssl_request says it is, and a response never is one.
      FUZZ_CHECK(is_ssl_request(payload) == decode_ssl_request(payload).has_value());
      if (is_ssl_request(payload)) {
        auto r = decode_handshake_response(payload);
        FUZZ_CHECK(!r && r.error() == codec_errc::need_more);
      }
      break;
    }
  }
  return 0;
}
