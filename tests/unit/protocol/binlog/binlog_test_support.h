#pragma once
// Helpers shared by the binlog event tests: splitting captured events, the post-header lengths
// MariaDB 10.11 announces (checked against its FORMAT_DESCRIPTION in events_test.cpp), and
// hand-made compressed blocks for the cases no server writes.

#include <gtest/gtest.h>
#include <zlib.h>

#include <string_view>

#include "binlog_vectors.h"
#include "core/bytes.h"
#include "protocol/binlog/event.h"

namespace gw::protocol::binlog::testing {

inline constexpr std::uint8_t kQueryPostHeader = 13;  // MariaDB 10.11's table (events_test)
inline constexpr std::uint8_t kRowsPostHeaderV1 = 8;
inline constexpr std::uint8_t kRowsPostHeaderV2 = 10;

inline RawEvent split_ok(const Bytes& bytes, Checksum checksum = Checksum::Crc32) {
  auto raw = split_event(bytes, checksum);
  EXPECT_TRUE(raw.has_value()) << (raw ? "" : raw.error().message());
  return raw.value_or(RawEvent{});
}

inline ByteView body_of(const Bytes& bytes) { return split_ok(bytes).body; }

inline Bytes to_bytes(ByteView view) { return Bytes(view.begin(), view.end()); }

// A compressed block as log_bin_compress writes it: 0x80 | n, the length in n bytes big-endian,
// the zlib stream. For cases no server writes (lying lengths, other header bits).
inline Bytes make_block(std::string_view text, std::size_t declared, std::uint8_t length_size = 4,
                        std::uint8_t head_bits = 0x80) {
  Bytes out{static_cast<std::uint8_t>(head_bits | length_size)};
  for (int i = length_size - 1; i >= 0; --i) {
    out.push_back(static_cast<std::uint8_t>(declared >> (8 * i)));
  }
  uLongf size = compressBound(static_cast<uLong>(text.size()));
  Bytes stream(size);
  EXPECT_EQ(compress(stream.data(), &size, reinterpret_cast<const Bytef*>(text.data()),
                     static_cast<uLong>(text.size())),
            Z_OK);
  out.insert(out.end(), stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(size));
  return out;
}

}  // namespace gw::protocol::binlog::testing
