#pragma once
// ServingLoops: the event loops that serve clients, one per core (listener.loops). Loop 0 is
// the main loop, which also runs the signals, the control connection, the binlog follower and
// the admin bridge; loops 1..N-1 each run on a thread of their own. Every loop has its own
// proxy (proxy/proxy.h) with its own listening socket on the one address (SO_REUSEPORT: the
// kernel spreads new connections over them), and its sessions never leave it.
//
// The loops share only what must be one: session ids and the max_connections count
// (proxy/shared_state.h), the hold budget, the event log (its writer takes records from every
// loop), the session directory, and the control service, which lives on the main loop and
// which the other loops reach through control::RemoteService. The main loop tells the others
// what to do (drain, stop, new TLS contexts) by posting to their mailboxes (net/mailbox.h);
// they answer the same way. Every call below is made on the main loop's thread.
//
//   start(): every listener is bound (loop 0 first; a port 0 becomes the port it got), then
//     the threads start
//   shutdown() / drain(): each proxy moves one step on (proxy.h); once every one has stopped,
//     on_stopped(now) runs on the main loop (the application then runs the self-audit)
//   end_threads(): the other loops close their last handles and their threads end; joined in
//     the destructor, after the main loop has run out

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/proxy_metrics.h"
#include "proxy/settings.h"
#include "proxy/tls_setup.h"

namespace gw::control {
class Service;
}
namespace gw::net {
class Mailbox;
}
namespace gw::proxy {
class Proxy;
}

namespace gw::app {

class ServingLoops {
 public:
  // `count` >= 1 loops on `main` and count - 1 threads; `control` (null without one) lives on
  // the main loop and must outlive this.
  ServingLoops(uv_loop_t* main, std::uint32_t count, proxy::ProxySettings settings,
               control::Service* control);
  // Joins the threads (end_threads() first, once the main loop has run out).
  ~ServingLoops();
  ServingLoops(const ServingLoops&) = delete;
  ServingLoops& operator=(const ServingLoops&) = delete;

  // Binds every listener and starts the threads; on failure (the error names the address and
  // the reason) every proxy is already stopping, and on_stopped() follows.
  [[nodiscard]] std::expected<void, std::string> start();
  // Every proxy one step further (proxy.h's shutdown()).
  void shutdown();
  // POST /drain: every proxy drains and stays; a signal then stops them.
  void drain();
  // New sessions on every loop use these contexts (a SIGHUP reload).
  void set_tls(const proxy::TlsSetup& setup);
  // Once every proxy has stopped; `now` when any of them was aborting (a repeated signal).
  void on_stopped(std::function<void(bool now)> callback) { on_stopped_ = std::move(callback); }
  // After on_stopped: the other loops' last handles close and their threads end.
  void end_threads();

  std::size_t size() const { return loops_.size(); }
  std::uint16_t port() const { return port_; }
  // No signal and no drain yet.
  bool accepting() const { return accepting_; }
  std::size_t connection_count() const { return shared_->connections(); }
  std::string upstream_problem() const { return shared_->upstream_problem(); }

  // Any thread but the loops' (the admin endpoint's): each loop's metrics, read on that loop;
  // nullopt for a loop that did not answer within `timeout`.
  std::vector<std::optional<proxy::ProxyMetrics>> metrics(std::chrono::milliseconds timeout);

 private:
  struct Loop;
  void post(Loop& loop, std::function<void(proxy::Proxy&)> work);
  void loop_stopped(bool now);
  void loop_drained();

  std::shared_ptr<proxy::SharedState> shared_;
  std::shared_ptr<net::Mailbox> main_mailbox_;  // the other loops' answers
  proxy::ProxySettings settings_;               // each loop's proxy gets a copy in start()
  control::Service* control_;
  std::vector<std::unique_ptr<Loop>> loops_;  // [0] runs on the main loop
  std::uint16_t port_ = 0;
  bool accepting_ = true;
  std::size_t stopped_ = 0;
  std::size_t drained_ = 0;
  bool stopped_now_ = false;
  bool threads_ended_ = false;
  std::function<void(bool now)> on_stopped_;
};

}  // namespace gw::app
