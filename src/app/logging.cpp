#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace gw::app {

namespace {

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::Trace:
      return spdlog::level::trace;
    case config::LogLevel::Debug:
      return spdlog::level::debug;
    case config::LogLevel::Info:
      return spdlog::level::info;
    case config::LogLevel::Warn:
      return spdlog::level::warn;
    case config::LogLevel::Error:
      return spdlog::level::err;
    case config::LogLevel::Critical:
      return spdlog::level::critical;
    case config::LogLevel::Off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// %j: the message as the inside of a JSON string. Messages carry user names, schema names and
// server error texts, any of which may hold quotes, backslashes or control characters.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (const char c : msg.payload) {
      switch (c) {
        case '"':
          dest.append(std::string_view("\\\""));
          break;
        case '\\':
          dest.append(std::string_view("\\\\"));
          break;
        case '\n':
          dest.append(std::string_view("\\n"));
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            fmt::format_to(std::back_inserter(dest), "\\u{:04x}", static_cast<int>(c));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

}  // namespace

void setup_logging(const config::LogConfig& log) {
  auto logger = spdlog::stderr_color_mt("gracewire");
  spdlog::set_default_logger(logger);
  spdlog::set_level(to_spdlog(log.level));
  if (log.format == config::LogFormat::Json) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonEscapedMessage>('j').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","logger":"%n","msg":"%j"})");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%-5l%$ [%n] %v", spdlog::pattern_time_type::utc);
  }
  // Warnings and errors must not wait in a buffer when the process is killed.
  spdlog::flush_on(spdlog::level::warn);
}

void set_log_level(config::LogLevel level) { spdlog::set_level(to_spdlog(level)); }

}  // namespace gw::app
