#pragma once
// The NATS names [publish] holds, checked at load time so that a name the server would refuse
// (or, for a subject prefix, read as a wildcard) stops gracewire before it connects:
//
//   nats_url        "nats://HOST[:PORT]" or "tls://HOST[:PORT]"; IPv6 hosts in brackets
//                   ("tls://[::1]:4222"). No "user:password@": a URL is logged, credentials
//                   go in nats_user + nats_password_env or nats_creds.
//   stream          a JetStream stream name: 1..255 printable ASCII characters, none of
//                   space, '.', '*', '>', '/' or '\' (the server's own rule).
//   subject_prefix  one or more '.'-separated tokens of [A-Za-z0-9_-]: no wildcard, no empty
//                   token, so "<prefix>.changes.>" filters exactly gracewire's subjects.
//   instance        1..64 characters of [A-Za-z0-9_.-]; it goes into message ids
//                   ("<instance>:<lineage>:<seq>") and headers, so no ':' and no space.

#include <string>
#include <string_view>

#include "config/explained.h"

namespace gw::config {

// The URL as written. Errors never repeat a URL that holds an '@': it may hold a password.
[[nodiscard]] Explained<std::string> parse_nats_url(std::string_view text);
[[nodiscard]] Explained<std::string> parse_stream_name(std::string_view text);
[[nodiscard]] Explained<std::string> parse_subject_prefix(std::string_view text);
// "" is accepted: the host name, decided at run time.
[[nodiscard]] Explained<std::string> parse_instance_name(std::string_view text);

}  // namespace gw::config
