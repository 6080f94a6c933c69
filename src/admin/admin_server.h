#pragma once
// The admin endpoint: an HTTP server on a thread of its own (cpp-httplib, from Debian), so that
// no scrape or slow HTTP client ever runs on the event loop. It knows nothing of the proxy: each
// route asks a handler, and the handlers (app/admin_routes.h) get their answers from the loop
// through a LoopBridge.
//
//   GET  /metrics  Prometheus text format; 503 when the loop did not answer in time
//   GET  /health   200 while the process runs (answered on the HTTP thread itself)
//   GET  /ready    200 when listening, the upstream reachable and the control connection ready
//                  (when configured); 503 with the reason otherwise, or while draining
//   POST /drain    starts the drain without exiting: 202, then /ready answers 503

#include <atomic>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace gw::admin {

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, or "ready"
};

struct Handlers {
  std::function<std::optional<std::string>()> metrics;  // nullopt: the loop did not answer
  std::function<std::optional<Readiness>()> ready;
  std::function<std::optional<std::string>()> drain;  // what happened, for the response body
};

class AdminServer {
 public:
  // Binds host:port (0: any free port) and starts serving; the error names the address.
  static std::expected<std::unique_ptr<AdminServer>, std::string> start(const std::string& host,
                                                                        int port,
                                                                        Handlers handlers);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  int port() const { return port_; }
  // Stops serving and joins the thread. Call after the loop stopped answering (LoopBridge::
  // close()), so that no handler waits on it. Idempotent.
  void stop();

 private:
  AdminServer() = default;

  std::unique_ptr<httplib::Server> server_;
  Handlers handlers_;
  std::thread thread_;
  std::atomic<bool> finished_ = false;  // the thread's listen returned (stopped, or failed)
  int port_ = 0;
};

}  // namespace gw::admin
