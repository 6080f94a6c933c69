#pragma once
// Shared by the event log tests: a scratch directory, reading files back, a sink that keeps
// lines in memory (optionally slow or failing), and a capture of the "eventlog" logger.

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "eventlog/json_scan.h"
#include "eventlog/record.h"
#include "eventlog/sink.h"

namespace gw::eventlog::test {

// Generous: bounds a wait that should take microseconds, so that it never flakes under
// sanitizers on a busy machine.
inline constexpr std::chrono::seconds kPrompt{3};

// A lifecycle record of session `session`, stamped now.
inline CloseRecord close_record(std::uint64_t session) {
  CloseRecord record;
  record.common.ts = std::chrono::system_clock::now();
  record.common.session = session;
  record.close_kind = "com_quit";
  return record;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gw_eventlog_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A JSON line's member `name`: a string unescaped, anything else as written; "" when absent.
inline std::string member(std::string_view line, std::string_view name) {
  std::string found;
  scan_object(line, [&](std::string_view key, const JsonValue& value) {
    if (key != name) return true;
    found =
        value.kind == JsonValue::Kind::String ? json_unescape(value.raw) : std::string(value.raw);
    return false;
  });
  return found;
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Keeps every line; can be told to take its time or to fail.
class MemorySink final : public Sink {
 public:
  explicit MemorySink(std::chrono::microseconds delay_per_line = {}) : delay_(delay_per_line) {}

  SinkTally write(std::string_view line) override {
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    std::lock_guard lock(mutex_);
    if (fail_) {
      failing_ = true;
      return {.lost = 1, .errors = 1};
    }
    failing_ = false;
    lines_.emplace_back(line.substr(0, line.size() - 1));  // without '\n'
    return {.lines = 1, .bytes = line.size()};
  }
  SinkTally flush() override { return {}; }
  bool failing() const override {
    std::lock_guard lock(mutex_);
    return failing_;
  }

  void set_fail(bool fail) {
    std::lock_guard lock(mutex_);
    fail_ = fail;
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::chrono::microseconds delay_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  bool fail_ = false;
  bool failing_ = false;
};

// The far side of a GatedSink, shared with the test so that it outlives the sink (which the
// writer thread may keep after close() gave up on it).
class Gate {
 public:
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    cv_.notify_all();
  }
  // Waits until a write is held at the gate.
  bool wait_held(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return held_ > 0; });
  }
  bool wait_sink_destroyed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return destroyed_; });
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  friend class GatedSink;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool released_ = false, destroyed_ = false;
  int held_ = 0;
  std::vector<std::string> lines_;
};

// A sink whose writes wait until the gate is released: a pipe whose reader stalled, a hung
// disk.
class GatedSink final : public Sink {
 public:
  explicit GatedSink(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}
  ~GatedSink() override {
    std::lock_guard lock(gate_->mutex_);
    gate_->destroyed_ = true;
    gate_->cv_.notify_all();
  }
  SinkTally write(std::string_view line) override {
    std::unique_lock lock(gate_->mutex_);
    ++gate_->held_;
    gate_->cv_.notify_all();
    gate_->cv_.wait(lock, [&] { return gate_->released_; });
    --gate_->held_;
    gate_->lines_.emplace_back(line.substr(0, line.size() - 1));
    return {.lines = 1, .bytes = line.size()};
  }
  SinkTally flush() override { return {}; }
  bool failing() const override { return false; }

 private:
  std::shared_ptr<Gate> gate_;
};

// Replaces the "eventlog" logger with one that writes into a string for the test's lifetime.
class CapturedDiagnostics {
 public:
  CapturedDiagnostics() {
    spdlog::drop("eventlog");
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    sink->set_pattern("%l %v");
    logger_ = std::make_shared<spdlog::logger>("eventlog", sink);
    logger_->set_level(spdlog::level::trace);
    logger_->flush_on(spdlog::level::trace);
    spdlog::register_logger(logger_);
  }
  ~CapturedDiagnostics() { spdlog::drop("eventlog"); }
  std::string text() const { return out_.str(); }
  std::size_t count(const std::string& needle) const {
    const std::string all = text();
    std::size_t n = 0;
    for (auto at = all.find(needle); at != std::string::npos; at = all.find(needle, at + 1)) ++n;
    return n;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace gw::eventlog::test
