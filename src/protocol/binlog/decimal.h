#pragma once
// The server's binary DECIMAL (strings/decimal.cc decimal2bin/bin2decimal), as binlog rows and
// MySQL's binary JSON carry it: groups of 9 digits in 4 big-endian bytes, the leftmost integer
// group and the rightmost fraction group compressed to the bytes their digit count needs
// (1-2 digits: 1 byte, 3-4: 2, 5-6: 3, 7-9: 4); the sign in the top bit of the first byte (set =
// positive), and a negative number stored with every byte inverted.

#include <cstddef>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol::binlog {

inline constexpr unsigned kMaxDecimalPrecision = 65;
inline constexpr unsigned kMaxDecimalScale = 38;  // MariaDB allows 38; MySQL 30

// Bytes a DECIMAL(precision, scale) takes; 0 if the pair is not a valid declaration.
std::size_t decimal_size(unsigned precision, unsigned scale);

// Appends the exact text ("-12.50", "0.000", "7") to `out`; returns the bytes consumed.
// need_more when `bytes` is shorter than decimal_size; invalid_value for a group past its digits.
Result<std::size_t> decode_decimal(ByteView bytes, unsigned precision, unsigned scale,
                                   std::string& out);

}  // namespace gw::protocol::binlog
