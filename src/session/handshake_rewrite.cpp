#include "session/handshake_rewrite.h"

#include "core/errors.h"
#include "session/capabilities.h"

namespace gw::session {

Result<Bytes> rewrite_greeting(ByteView payload, protocol::Greeting& greeting) {
  auto decoded = protocol::decode_greeting(payload);
  if (!decoded) return fail(decoded.error());
  greeting = std::move(*decoded);
  protocol::Greeting offered = greeting;
  offered.capabilities = supported(greeting.capabilities);
  // Untouched messages go on byte for byte: nothing of the server's is lost in a re-encode.
  if (offered.capabilities == greeting.capabilities) return Bytes(payload.begin(), payload.end());
  Bytes out;
  protocol::encode_greeting(offered, out);
  return out;
}

Result<Bytes> rewrite_handshake_response(ByteView payload, std::uint64_t offered,
                                         protocol::HandshakeResponse& response) {
  auto decoded = protocol::decode_handshake_response(payload);
  if (!decoded) return fail(decoded.error());
  response = std::move(*decoded);
  // Bits the client sets beyond what was offered would make the two ends disagree; MariaDB's
  // extended bits only count when both sides cleared the CLIENT_MYSQL bit.
  const std::uint64_t sent = response.capabilities;
  response.capabilities &= offered | cap::kMysql;
  if (response.capabilities == sent) return Bytes(payload.begin(), payload.end());
  Bytes out;
  protocol::encode_handshake_response(response, out);
  return out;
}

}  // namespace gw::session
