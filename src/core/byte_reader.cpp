#include "core/byte_reader.h"

namespace gw {

std::uint64_t ByteReader::fixed_int(std::size_t width) {
  if (!has(width)) return 0;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value |= static_cast<std::uint64_t>(input_[pos_ + i]) << (8 * i);
  }
  pos_ += width;
  return value;
}

std::optional<std::uint64_t> ByteReader::lenenc_or_null() {
  if (!has(1)) return 0;
  const std::uint8_t first = input_[pos_];
  if (first < 0xFB) {
    ++pos_;
    return first;
  }
  switch (first) {
    case 0xFB:
      ++pos_;
      return std::nullopt;
    case 0xFC:
      ++pos_;
      return fixed_int(2);
    case 0xFD:
      ++pos_;
      return fixed_int(3);
    case 0xFE:
      ++pos_;
      return fixed_int(8);
    default:
      set_error(codec_errc::invalid_value);
      return 0;
  }
}

std::uint64_t ByteReader::lenenc() {
  if (ok() && remaining() > 0 && input_[pos_] == 0xFB) {
    set_error(codec_errc::invalid_value);
    return 0;
  }
  return lenenc_or_null().value_or(0);
}

ByteView ByteReader::bytes(std::size_t count) {
  if (!has(count)) return {};
  ByteView out = input_.subspan(pos_, count);
  pos_ += count;
  return out;
}

std::string_view ByteReader::lenenc_string() {
  const std::uint64_t length = lenenc();
  if (!ok()) return {};
  // Never trust a length beyond what there is to read: report need_more, allocate nothing.
  if (length > remaining()) {
    set_error(codec_errc::need_more);
    return {};
  }
  return string(static_cast<std::size_t>(length));
}

std::string_view ByteReader::null_terminated() {
  if (!ok()) return {};
  for (std::size_t i = pos_; i < input_.size(); ++i) {
    if (input_[i] == 0) {
      std::string_view out = as_chars(input_.subspan(pos_, i - pos_));
      pos_ = i + 1;
      return out;
    }
  }
  set_error(codec_errc::need_more);
  return {};
}

ByteView ByteReader::rest() {
  if (!ok()) return {};
  ByteView out = input_.subspan(pos_);
  pos_ = input_.size();
  return out;
}

}  // namespace gw
