#pragma once
// Proxy: the listener, the registry of live connections, and shutdown.
//
//   running ──signal──► draining: no new clients; each session ends as soon as the protocol
//                        allows (idle: COM_QUIT now; busy: after its command) ──all gone──► stopped
//   draining ──second signal or drain_timeout──► every remaining connection is closed at once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include "proxy/settings.h"

namespace spdlog {
class logger;
}
namespace gw::net {
class Listener;
}

namespace gw::proxy {

class Connection;

class Proxy {
 public:
  Proxy(uv_loop_t* loop, ProxySettings settings);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Binds the listener; the error names the address and the reason.
  [[nodiscard]] std::expected<void, std::string> start();
  // First call: stop accepting and drain. Second call: close everything now.
  void shutdown();
  // Called once every connection is gone after shutdown() began.
  void on_stopped(std::function<void()> callback) { on_stopped_ = std::move(callback); }

  uv_loop_t* loop() const { return loop_; }
  const ProxySettings& settings() const { return settings_; }
  std::uint16_t listening_port() const;
  std::size_t connection_count() const { return connections_.size(); }
  const std::shared_ptr<spdlog::logger>& session_log() const { return session_log_; }

  // A connection's last handle closed; it is being deleted.
  void forget(Connection* connection);

 private:
  void accept(uv_stream_t* server);
  void abort_all();
  void check_stopped();

  uv_loop_t* loop_;
  ProxySettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<spdlog::logger> session_log_;
  net::Listener* listener_ = nullptr;
  std::uint16_t port_ = 0;
  std::unordered_set<Connection*> connections_;
  std::uint64_t next_id_ = 1;
  enum class State {
    Running,   // accepting clients
    Draining,  // not accepting; sessions end as the protocol allows
    Stopped,   // every connection is gone
  };
  State state_ = State::Running;
  uv_timer_t drain_timer_{};
  std::function<void()> on_stopped_;
};

}  // namespace gw::proxy
