#pragma once
// The admin endpoint of this process (admin/admin_server.h): its routes answered from the event
// loop, through a LoopBridge, with what the proxy, the event log, the control connection and
// the binlog follower know. The component metric lists live with their components
// (proxy/proxy_metrics.h); this file only gathers them into one page.

#include <uv.h>

#include <expected>
#include <memory>
#include <string>

#include "admin/admin_server.h"
#include "admin/loop_bridge.h"
#include "config/address.h"

namespace gw::control {
class ControlService;
}
namespace gw::eventlog {
class EventLog;
}
namespace gw::proxy {
class Proxy;
}

namespace gw::app {

class FollowerApp;

struct AdminSources {
  proxy::Proxy& proxy;
  eventlog::EventLog& event_log;
  control::ControlService* control;  // null without a control account
  FollowerApp* follower;             // null without the binlog follower
};

class AdminEndpoint {
 public:
  // On the loop's thread, once the proxy listens. The sources must outlive close().
  static std::expected<std::unique_ptr<AdminEndpoint>, std::string> start(
      uv_loop_t* loop, const config::Endpoint& address, AdminSources sources);
  // Joins the HTTP thread: after close(), once the loop has stopped.
  ~AdminEndpoint();
  AdminEndpoint(const AdminEndpoint&) = delete;
  AdminEndpoint& operator=(const AdminEndpoint&) = delete;

  // On the loop's thread, as the process ends: nothing is asked of the loop any more (pending
  // and later requests answer 503), and the bridge's handle closes.
  void close() { bridge_.close(); }

 private:
  AdminEndpoint(uv_loop_t* loop, AdminSources sources) : bridge_(loop), sources_(sources) {}
  std::string metrics_page() const;
  std::string readiness() const;

  admin::LoopBridge bridge_;
  AdminSources sources_;
  std::unique_ptr<admin::AdminServer> server_;
};

}  // namespace gw::app
