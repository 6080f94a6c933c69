#pragma once
// Internal to the row decoders: the per-type decoders behind decode_column_value, writing into
// a Value the caller reuses (a String keeps its capacity from row to row) and returning the
// bytes consumed. Every length is checked against `bytes` before anything is copied:
// need_more when the value runs past the end, invalid_length when a length passes the column's
// declared maximum, invalid_value for a value the type cannot hold.

#include <cstddef>

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/binlog/table_map.h"
#include "protocol/value.h"

namespace gw::protocol::binlog::detail {

Result<std::size_t> decode_value_into(const Column& column, ByteView bytes, Value& out);

// DATE, TIME, DATETIME, TIMESTAMP in their old and their fractional (MySQL 5.6 "2") formats.
Result<std::size_t> decode_temporal(const Column& column, ByteView bytes, Value& out);

// Big-endian unsigned integer of `width` bytes (<= 8); the caller checked the length.
inline std::uint64_t read_be(const std::uint8_t* p, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value = value << 8 | p[i];
  return value;
}

inline std::uint64_t read_le(const std::uint8_t* p, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = width; i > 0; --i) value = value << 8 | p[i - 1];
  return value;
}

}  // namespace gw::protocol::binlog::detail
