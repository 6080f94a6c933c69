#pragma once
// The two handshake messages gracewire rewrites: it removes from both what it cannot follow
// (session/capabilities.h), so client and server agree on a protocol gracewire decodes.

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/handshake.h"

namespace gw::session {

// Decodes the server's greeting into `greeting` (capabilities as the server sent them) and
// returns the payload to send to the client instead: the capabilities gracewire follows, plus
// `added` (CLIENT_SSL when gracewire offers clients TLS, whatever the server offers).
[[nodiscard]] Result<Bytes> rewrite_greeting(ByteView payload, std::uint64_t added,
                                             protocol::Greeting& greeting);

// Decodes the client's HandshakeResponse41 into `response` (its capabilities limited to those
// `offered` in the rewritten greeting: what the client and gracewire agree on) and returns the
// payload to send to the server: those capabilities plus the ones in `added` that the server
// offers (gracewire asks for CLIENT_SESSION_TRACK itself, see SessionSettings::track_gtids).
// What the server leg uses: the capabilities client and gracewire `agreed` on, plus those of
// `added` that the server `offered` — for 4.1 clients only (the OK layout that session tracking
// extends is the 4.1 one).
std::uint64_t upstream_capabilities(std::uint64_t agreed, std::uint64_t added,
                                    std::uint64_t offered);

[[nodiscard]] Result<Bytes> rewrite_handshake_response(ByteView payload, std::uint64_t offered,
                                                       std::uint64_t added,
                                                       protocol::HandshakeResponse& response);

}  // namespace gw::session
