#include "session/handshake_rewrite.h"

#include <utility>

#include "core/errors.h"
#include "session/capabilities.h"

namespace gw::session {

Result<Bytes> rewrite_greeting(ByteView payload, std::uint64_t added,
                               protocol::Greeting& greeting) {
  auto decoded = protocol::decode_greeting(payload);
  if (!decoded) return fail(decoded.error());
  greeting = std::move(*decoded);
  protocol::Greeting offered = greeting;
  offered.capabilities = supported(greeting.capabilities) | added;
  // Untouched messages go on byte for byte: nothing of the server's is lost in a re-encode.
  if (offered.capabilities == greeting.capabilities) return Bytes(payload.begin(), payload.end());
  Bytes out;
  protocol::encode_greeting(offered, out);
  return out;
}

std::uint64_t upstream_capabilities(std::uint64_t agreed, std::uint64_t added,
                                    std::uint64_t offered) {
  if ((agreed & cap::kProtocol41) == 0) return agreed;
  return agreed | (added & offered);
}

Result<Bytes> rewrite_handshake_response(ByteView payload, std::uint64_t offered,
                                         std::uint64_t added,
                                         protocol::HandshakeResponse& response) {
  auto decoded = protocol::decode_handshake_response(payload);
  if (!decoded) return fail(decoded.error());
  response = std::move(*decoded);
  // Bits the client sets beyond what was offered would make the two ends disagree; MariaDB's
  // extended bits only count when both sides cleared the CLIENT_MYSQL bit.
  const std::uint64_t sent = response.capabilities;
  response.capabilities &= offered | cap::kMysql;
  const std::uint64_t upstream = upstream_capabilities(response.capabilities, added, offered);
  if (upstream == sent) return Bytes(payload.begin(), payload.end());
  // Encoded with the upstream bits, then given back the agreed ones (no copy of the auth data).
  const std::uint64_t agreed = std::exchange(response.capabilities, upstream);
  Bytes out;
  protocol::encode_handshake_response(response, out);
  response.capabilities = agreed;
  return out;
}

}  // namespace gw::session
