#pragma once
// Bounds-checked little-endian reader with a sticky error: once a read fails every later read
// fails too and returns zero values, so a decoder can read a whole message and check once.
// Running out of bytes is codec_errc::need_more; a length field that lies is invalid_length.

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "core/bytes.h"
#include "core/errors.h"

namespace gw {

class ByteReader {
 public:
  explicit ByteReader(ByteView input) : input_(input) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(fixed_int(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(fixed_int(2)); }
  std::uint32_t u24() { return static_cast<std::uint32_t>(fixed_int(3)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(fixed_int(4)); }
  std::uint64_t u48() { return fixed_int(6); }
  std::uint64_t u64() { return fixed_int(8); }

  // Length-encoded integer. 0xFB (SQL NULL in rows) and 0xFF are not integers: invalid_value.
  std::uint64_t lenenc();
  // Length-encoded integer or SQL NULL (0xFB), as found in text-protocol rows.
  std::optional<std::uint64_t> lenenc_or_null();

  ByteView bytes(std::size_t count);
  std::string_view string(std::size_t count) { return as_chars(bytes(count)); }
  std::string_view lenenc_string();
  // NUL-terminated; the NUL is consumed but not returned. A missing NUL is need_more.
  std::string_view null_terminated();
  // Everything up to the end of the input.
  ByteView rest();
  std::string_view rest_string() { return as_chars(rest()); }
  void skip(std::size_t count) { (void)bytes(count); }

  std::uint8_t peek() const { return ok() && remaining() > 0 ? input_[pos_] : 0; }
  std::size_t remaining() const { return input_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }

  bool ok() const { return !error_; }
  std::error_code error() const { return error_; }
  // Records the first error only; later ones are consequences of it.
  void set_error(std::error_code ec) {
    if (!error_) error_ = ec;
  }

 private:
  std::uint64_t fixed_int(std::size_t width);
  bool has(std::size_t count) {
    if (!ok()) return false;
    if (remaining() < count) {
      set_error(codec_errc::need_more);
      return false;
    }
    return true;
  }

  ByteView input_;
  std::size_t pos_ = 0;
  std::error_code error_;
};

}  // namespace gw
