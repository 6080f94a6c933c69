#pragma once
// Helpers shared by the fuzz targets: a property check that aborts in every build (assert() is
// gone under NDEBUG), and a reader that splits the fuzzer's bytes into choices and pieces.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include "core/bytes.h"

// Aborts with the property that failed; libFuzzer saves the input as a crash.
#define FUZZ_CHECK(cond)                                                               \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (false)

namespace gw::fuzz {

// Takes choices from the front of the input; what is left is the data.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : bytes_(data, size) {}

  std::uint8_t u8() {
    if (bytes_.empty()) return 0;
    std::uint8_t v = bytes_.front();
    bytes_ = bytes_.subspan(1);
    return v;
  }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(u16() | (std::uint32_t{u16()} << 16)); }
  std::uint64_t u64() { return u32() | (std::uint64_t{u32()} << 32); }
  // Up to `max` bytes (fewer when the input ends).
  ByteView take(std::size_t max) {
    std::size_t n = max < bytes_.size() ? max : bytes_.size();
    ByteView v = bytes_.first(n);
    bytes_ = bytes_.subspan(n);
    return v;
  }
  ByteView rest() { return take(bytes_.size()); }
  bool empty() const { return bytes_.empty(); }
  std::size_t size() const { return bytes_.size(); }

 private:
  ByteView bytes_;
};

}  // namespace gw::fuzz
