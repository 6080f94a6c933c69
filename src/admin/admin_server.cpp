#include "admin/admin_server.h"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "metrics/exposition.h"

namespace gw::admin {
namespace {

constexpr std::string_view kText = "text/plain; charset=utf-8";

void unavailable(httplib::Response& response, const std::string& why) {
  response.status = 503;
  response.set_content(why + "\n", kText.data());
}

}  // namespace

std::expected<std::unique_ptr<AdminServer>, std::string> AdminServer::start(const std::string& host,
                                                                            int port,
                                                                            Handlers handlers) {
  std::unique_ptr<AdminServer> admin(new AdminServer());
  admin->handlers_ = std::move(handlers);
  admin->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *admin->server_;
  // Two workers: /health answers while a scrape waits on the loop. Requests are small and
  // few; a slow client ties up a worker, not the loop.
  server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_keep_alive_max_count(20);
  server.set_payload_max_length(1024);  // nothing here takes a body worth having

  AdminServer* self = admin.get();
  server.Get("/metrics", [self](const httplib::Request&, httplib::Response& response) {
    auto text = self->handlers_.metrics();
    if (!text) return unavailable(response, "the event loop did not answer in time");
    response.set_content(*text, metrics::kContentType.data());
  });
  server.Get("/health", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("alive\n", kText.data());
  });
  server.Get("/ready", [self](const httplib::Request&, httplib::Response& response) {
    auto readiness = self->handlers_.ready();
    if (!readiness)
      return unavailable(response, "not ready: the event loop did not answer in time");
    if (!readiness->ready) return unavailable(response, "not ready: " + readiness->reason);
    response.set_content("ready\n", kText.data());
  });
  // With a content reader the body is never read: `curl -X POST` sends no Content-Length, which
  // the plain handler's body reading would refuse (400).
  server.Post("/drain", [self](const httplib::Request&, httplib::Response& response,
                               const httplib::ContentReader&) {
    auto done = self->handlers_.drain();
    if (!done) return unavailable(response, "the event loop did not answer in time");
    response.status = 202;
    response.set_content(*done + "\n", kText.data());
  });

  const int bound = port == 0                         ? server.bind_to_any_port(host)
                    : server.bind_to_port(host, port) ? port
                                                      : -1;
  if (bound < 0) {
    return std::unexpected("admin endpoint: cannot listen on " + host + ":" + std::to_string(port) +
                           " (in use, or not an address of this host)");
  }
  admin->port_ = bound;
  AdminServer* owner = admin.get();
  admin->thread_ = std::thread([&server, owner] {
    server.listen_after_bind();
    owner->finished_ = true;
  });
  return admin;
}

AdminServer::~AdminServer() { stop(); }

void AdminServer::stop() {
  if (!thread_.joinable()) return;
  // httplib's stop() acts only on a server that runs: one whose thread has not begun listening
  // yet would then listen for ever, and the join with it. The thread begins at once.
  while (!server_->is_running() && !finished_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_->stop();
  thread_.join();
}

}  // namespace gw::admin
