#pragma once
// The two properties every message codec promises (core/errors.h, the codec headers):
//   * round trip: a value decoded from any bytes encodes to bytes that decode to the same value;
//   * need-more is never invalid: a strict prefix of an accepted payload is either need_more or
//     a message of its own (layouts ending in optional fields or a string<EOF>), never an error
//     that would make the proxy reject a message that is merely still arriving.

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <system_error>

#include "core/bytes.h"
#include "core/errors.h"
#include "fuzz_support.h"

namespace gw::fuzz {

// Nothing but need_more is allowed for a strict prefix, unless the codec documents the prefix as
// a different message (e.g. the lone 0xFE of MySQL's old auth switch).
inline bool no_exception(std::size_t, std::error_code) { return false; }

// Checks every strict prefix of an accepted payload when it is short, and a spread of them when
// it is long, so that a large input stays fast.
template <typename Decode, typename Allowed = decltype(&no_exception)>
void check_prefixes(ByteView payload, Decode decode, Allowed allowed = &no_exception) {
  const std::size_t n = payload.size();
  const std::size_t step = n <= 512 ? 1 : n / 256;
  for (std::size_t len = 0; len < n; len += step) {
    auto r = decode(payload.first(len));
    if (!r && r.error() != codec_errc::need_more && !allowed(len, r.error())) {
      std::fprintf(stderr, "accepted %zu bytes, but the first %zu are: %s\n", n, len,
                   r.error().message().c_str());
    }
    FUZZ_CHECK(r || r.error() == codec_errc::need_more || allowed(len, r.error()));
  }
}

// decode: ByteView -> Result<T>; encode: (const T&, Bytes&) -> void.
template <typename Decode, typename Encode, typename Allowed = decltype(&no_exception)>
void check_codec(ByteView payload, Decode decode, Encode encode, Allowed allowed = &no_exception) {
  auto value = decode(payload);
  if (!value) return;
  check_prefixes(payload, decode, allowed);
  Bytes out;
  encode(*value, out);
  auto again = decode(ByteView(out));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *value);
}

}  // namespace gw::fuzz
