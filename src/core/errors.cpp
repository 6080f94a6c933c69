#include "core/errors.h"

#include <string>

namespace gw {
namespace {

class CodecCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "codec"; }
  std::string message(int value) const override {
    switch (static_cast<codec_errc>(value)) {
      case codec_errc::need_more:
        return "message is incomplete";
      case codec_errc::invalid_length:
        return "invalid length field";
      case codec_errc::invalid_value:
        return "invalid field value";
      case codec_errc::unexpected_message:
        return "unexpected message";
      case codec_errc::trailing_bytes:
        return "trailing bytes after message";
      case codec_errc::unsupported:
        return "unsupported protocol feature";
      case codec_errc::checksum_mismatch:
        return "binlog event checksum mismatch";
    }
    return "unknown codec error";
  }
};

class SessionCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "session"; }
  std::string message(int value) const override {
    switch (static_cast<session_errc>(value)) {
      case session_errc::bad_sequence:
        return "wrong packet sequence id";
      case session_errc::command_out_of_state:
        return "command sent in the wrong state";
      case session_errc::malformed_packet:
        return "malformed packet";
      case session_errc::unknown_command:
        return "unknown command";
      case session_errc::message_too_large:
        return "message too large";
      case session_errc::out_of_memory:
        return "gracewire's memory budget for held messages is used up";
      case session_errc::upstream_closed:
        return "server closed the connection";
    }
    return "unknown session error";
  }
};

class ConfigCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "config"; }
  std::string message(int value) const override {
    switch (static_cast<config_errc>(value)) {
      case config_errc::unknown_key:
        return "unknown key";
      case config_errc::wrong_type:
        return "wrong type";
      case config_errc::invalid_value:
        return "invalid value";
      case config_errc::missing_value:
        return "missing value";
      case config_errc::parse_error:
        return "parse error";
    }
    return "unknown config error";
  }
};

}  // namespace

const std::error_category& codec_category() noexcept {
  static const CodecCategory category;
  return category;
}
const std::error_category& session_category() noexcept {
  static const SessionCategory category;
  return category;
}
const std::error_category& config_category() noexcept {
  static const ConfigCategory category;
  return category;
}

}  // namespace gw
