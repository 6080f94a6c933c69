#pragma once
// The admin endpoint of this process (admin/admin_server.h): its routes answered from the event
// loops, through LoopBridges, with what the proxies, the event log, the control connection and
// the binlog follower know. Each loop's proxy metrics are read on that loop and added up on the
// HTTP thread; the rest is read on the main loop. The component metric lists live with their components
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
namespace gw::publish {
class Publisher;
}

namespace gw::app {

class FollowerApp;
class ServingLoops;

struct AdminSources {
  ServingLoops& loops;
  eventlog::EventLog& event_log;
  control::ControlService* control;  // null without a control account
  FollowerApp* follower;             // null without the binlog follower
  publish::Publisher* publisher;     // null without [publish] nats_url
};

class AdminEndpoint {
 public:
  // On the main loop's thread, once the proxies listen. The sources must outlive close().
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
  std::optional<std::string> metrics_page();
  std::string main_loop_metrics() const;
  std::string readiness() const;

  admin::LoopBridge bridge_;
  AdminSources sources_;
  std::unique_ptr<admin::AdminServer> server_;
};

}  // namespace gw::app
