#pragma once
// Shared checks for the codec tables: value <-> bytes both ways, and the strict-prefix sweep.
//
// Vectors named "captured" were recorded on 2026-11-24 from MariaDB 10.11.19 (Debian 12
// package, 10.11.19-MariaDB-0+deb12u1, started with --no-defaults, so its default charset is
// latin1 = 8) through a logging TCP relay, talking to:
//   - the `mariadb` command-line client 10.11 (libmariadb / Connector/C 3.3.20),
//   - a small C program on libmariadb 3.3.20 (prepared statements with a cursor,
//     COM_CHANGE_USER, COM_SET_OPTION, a progress callback during ALTER TABLE),
//   - PyMySQL 1.0.2 (Debian python3-pymysql) with program_name="gwcap",
//   - a hand-written Python client that sets CLIENT_DEPRECATE_EOF (the server's replies are
//     real; the client's own bytes in that session are ours and marked as such).
// Vectors named "hand-built" follow the protocol documentation and were written by hand.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/errors.h"
#include "core/result.h"

namespace gw::protocol::testing {

// Capabilities of the captured clients' HandshakeResponse41, extended word included.
inline constexpr std::uint64_t kCliCaps = 0x0000001d'00bfa28cULL;           // mariadb CLI
inline constexpr std::uint64_t kLibmariadbCaps = 0x0000001d'00bea28cULL;    // the C program
inline constexpr std::uint64_t kPymysqlCaps = 0x00000000'003aa20dULL;       // CLIENT_MYSQL set
inline constexpr std::uint64_t kDeprecateEofCaps = 0x00000000'01aba208ULL;  // hand-written client

inline std::string hex_of(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

// "0a35..." -> the bytes, as a string; for expected scrambles and other binary fields.
inline std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return out;
}

// Builds hand-written vectors from byte lists and text: cat(Bytes{0x0a}, "8.0.36", Bytes{0x00}).
inline void append_part(Bytes& out, const Bytes& part) {
  out.insert(out.end(), part.begin(), part.end());
}
inline void append_part(Bytes& out, std::string_view part) {
  out.insert(out.end(), part.begin(), part.end());
}
template <typename... Parts>
Bytes cat(const Parts&... parts) {
  Bytes out;
  (append_part(out, parts), ...);
  return out;
}

// Strict prefixes that are messages in their own right, because the layout ends in optional
// fields or a string<EOF>: they must decode, and re-encode to exactly the prefix. `skip` lists
// prefixes that are a different message, covered by a failure vector. Every other strict prefix
// must be need_more.
struct Prefixes {
  std::set<std::size_t> complete = {};
  std::size_t complete_from = std::numeric_limits<std::size_t>::max();
  std::set<std::size_t> skip = {};
};

// decode: ByteView -> Result<T>; encode: (const T&, Bytes&) -> void.
template <typename T, typename Decode, typename Encode>
void expect_codec(const Bytes& bytes, const T& expected, Decode decode, Encode encode,
                  const Prefixes& prefixes = {}) {
  auto decoded = decode(ByteView(bytes));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_TRUE(*decoded == expected) << "decoded value differs from the table";
  Bytes encoded;
  encode(expected, encoded);
  EXPECT_EQ(hex_of(encoded), hex_of(bytes));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    if (prefixes.skip.contains(n)) continue;
    const ByteView prefix = ByteView(bytes).first(n);
    auto partial = decode(prefix);
    if (prefixes.complete.contains(n) || n >= prefixes.complete_from) {
      if (!partial) {
        ADD_FAILURE() << "prefix of " << n << " bytes: " << partial.error().message();
        continue;
      }
      Bytes again;
      encode(*partial, again);
      EXPECT_EQ(hex_of(again), hex_of(prefix)) << "prefix of " << n << " bytes";
    } else if (partial) {
      ADD_FAILURE() << "prefix of " << n << " bytes decoded";
    } else {
      EXPECT_EQ(partial.error(), codec_errc::need_more) << "prefix of " << n << " bytes";
    }
  }
}

template <typename T>
void expect_error(const Result<T>& result, codec_errc expected) {
  ASSERT_FALSE(result) << "decoded, expected " << std::error_code(expected).message();
  EXPECT_EQ(result.error(), expected) << result.error().message();
}

}  // namespace gw::protocol::testing
