#pragma once
// Little-endian writer that appends to a Bytes buffer it does not own.

#include <cstdint>
#include <string_view>

#include "core/bytes.h"

namespace gw {

class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) { fixed_int(v, 2); }
  void u24(std::uint32_t v) { fixed_int(v, 3); }
  void u32(std::uint32_t v) { fixed_int(v, 4); }
  void u48(std::uint64_t v) { fixed_int(v, 6); }
  void u64(std::uint64_t v) { fixed_int(v, 8); }
  void lenenc(std::uint64_t v);
  void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void string(std::string_view v) { bytes(as_bytes(v)); }
  void lenenc_string(std::string_view v) {
    lenenc(v.size());
    string(v);
  }
  void null_terminated(std::string_view v) {
    string(v);
    u8(0);
  }
  void zeros(std::size_t count) { out_.insert(out_.end(), count, 0); }
  std::size_t size() const { return out_.size(); }

 private:
  void fixed_int(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  Bytes& out_;
};

inline void ByteWriter::lenenc(std::uint64_t v) {
  if (v < 0xFB) {
    u8(static_cast<std::uint8_t>(v));
  } else if (v <= 0xFFFF) {
    u8(0xFC);
    u16(static_cast<std::uint16_t>(v));
  } else if (v <= 0xFFFFFF) {
    u8(0xFD);
    u24(static_cast<std::uint32_t>(v));
  } else {
    u8(0xFE);
    u64(v);
  }
}

}  // namespace gw
