#include "app/serving_loops.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <string>
#include <thread>
#include <utility>

#include "admin/loop_bridge.h"
#include "control/remote_service.h"
#include "net/host.h"
#include "net/mailbox.h"
#include "net/signal.h"
#include "proxy/proxy.h"

namespace gw::app {

struct ServingLoops::Loop {
  std::unique_ptr<net::Loop> own;  // null for loop 0: the main loop
  uv_loop_t* uv = nullptr;
  std::shared_ptr<net::Mailbox> mailbox;           // null for loop 0: called directly
  std::unique_ptr<admin::LoopBridge> bridge;       // the admin endpoint's reads
  std::unique_ptr<control::RemoteService> remote;  // loops 1..: the control service
  std::unique_ptr<proxy::Proxy> proxy;             // made in start()
  std::thread thread;                              // loops 1..
  bool stopped = false;
};

ServingLoops::ServingLoops(uv_loop_t* main, std::uint32_t count, proxy::ProxySettings settings,
                           control::Service* control)
    : shared_(std::make_shared<proxy::SharedState>()),
      main_mailbox_(net::Mailbox::create(main)),
      settings_(std::move(settings)),
      control_(control) {
  settings_.shared = shared_;
  for (std::uint32_t i = 0; i < std::max<std::uint32_t>(count, 1); ++i) {
    auto loop = std::make_unique<Loop>();
    if (i == 0) {
      loop->uv = main;
    } else {
      loop->own = std::make_unique<net::Loop>();
      loop->uv = loop->own->get();
      loop->mailbox = net::Mailbox::create(loop->uv);
      if (control != nullptr) {
        loop->remote =
            std::make_unique<control::RemoteService>(*control, main_mailbox_, loop->mailbox);
      }
    }
    loop->bridge = std::make_unique<admin::LoopBridge>(loop->uv);
    loops_.push_back(std::move(loop));
  }
}

ServingLoops::~ServingLoops() {
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) loop->thread.join();
  }
  for (auto& loop : loops_) {
    loop->proxy.reset();
    if (loop->own && !loop->own->close()) {
      spdlog::error("event loop still had open handles at exit");
    }
  }
}

std::expected<void, std::string> ServingLoops::start() {
  std::string failed;
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    Loop& loop = *loops_[i];
    proxy::ProxySettings settings = settings_;
    // Port 0 (tests): the other loops bind the port the first one got.
    if (i > 0 && port_ != 0) settings.listen.port = port_;
    if (loops_.size() > 1) settings.log_prefix = "loop " + std::to_string(i) + ": ";
    control::Service* control = i == 0 ? control_ : loop.remote.get();
    loop.proxy = std::make_unique<proxy::Proxy>(loop.uv, std::move(settings), control);
    loop.proxy->on_stopped([this, mailbox = main_mailbox_](bool now) {
      mailbox->post([this, now] { loop_stopped(now); });
    });
    loop.proxy->on_drained(
        [this, mailbox = main_mailbox_] { mailbox->post([this] { loop_drained(); }); });
    if (!failed.empty()) continue;  // made, so that it stops like the others
    if (auto started = loop.proxy->start(); !started) {
      failed = started.error();
    } else if (i == 0) {
      port_ = loop.proxy->port();
    }
  }
  if (!failed.empty()) {
    // No thread runs yet: each proxy is told directly, and stops on its loop once that runs.
    accepting_ = false;
    for (auto& loop : loops_) loop->proxy->shutdown();
  } else {
    spdlog::info("listening on {}:{} ({} event loop{}), upstream {}", settings_.listen.host, port_,
                 loops_.size(), loops_.size() == 1 ? "" : "s", settings_.upstream.to_string());
    if (!net::queued_connections_migrate()) {
      spdlog::info(
          "net.ipv4.tcp_migrate_req is not 1: when this gracewire stops listening, clients still "
          "queued on its sockets are reset rather than handed to a gracewire started on the "
          "same address (README: Restarting without refusing a client)");
    }
  }
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    Loop& loop = *loops_[i];
    loop.thread = std::thread([uv = loop.own.get()] { uv->run(); });
    const std::string name = "gw-loop-" + std::to_string(i);
    pthread_setname_np(loop.thread.native_handle(), name.c_str());
  }
  if (!failed.empty()) return std::unexpected(failed);
  return {};
}

void ServingLoops::post(Loop& loop, std::function<void(proxy::Proxy&)> work) {
  if (!loop.proxy) return;
  if (!loop.mailbox) return work(*loop.proxy);
  loop.mailbox->post([proxy = loop.proxy.get(), work = std::move(work)] { work(*proxy); });
}

void ServingLoops::shutdown() {
  accepting_ = false;
  for (auto& loop : loops_) post(*loop, [](proxy::Proxy& proxy) { proxy.shutdown(); });
}

void ServingLoops::drain() {
  if (!accepting_) return;
  accepting_ = false;
  drained_ = 0;
  for (auto& loop : loops_) post(*loop, [](proxy::Proxy& proxy) { proxy.drain(); });
}

void ServingLoops::set_tls(const proxy::TlsSetup& setup) {
  for (auto& loop : loops_) {
    post(*loop, [setup](proxy::Proxy& proxy) { proxy.set_tls(setup); });
  }
}

void ServingLoops::loop_stopped(bool now) {
  stopped_now_ = stopped_now_ || now;
  if (++stopped_ < loops_.size()) return;
  spdlog::info("all client connections closed");
  if (on_stopped_) on_stopped_(stopped_now_);
}

void ServingLoops::loop_drained() {
  if (++drained_ < loops_.size()) return;
  spdlog::info("drained: every client connection closed; gracewire stays until a signal");
}

void ServingLoops::end_threads() {
  if (std::exchange(threads_ended_, true)) return;
  main_mailbox_->close();
  loops_[0]->bridge->close();
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    Loop& loop = *loops_[i];
    // The loop's own last handles, closed on its thread; then it runs out.
    loop.mailbox->post([bridge = loop.bridge.get(), mailbox = loop.mailbox.get()] {
      bridge->close();
      mailbox->close();
    });
  }
}

std::vector<std::optional<proxy::ProxyMetrics>> ServingLoops::metrics(
    std::chrono::milliseconds timeout) {
  std::vector<std::optional<proxy::ProxyMetrics>> all;
  for (auto& loop : loops_) {
    // Shared with the job: a loop that answers after the timeout writes into a copy nobody
    // reads any more, not into this frame.
    auto copy = std::make_shared<proxy::ProxyMetrics>();
    auto answered = loop->bridge->ask(
        [copy, proxy = loop->proxy.get()] {
          if (proxy != nullptr) *copy = proxy->metrics();
          return std::string();
        },
        timeout);
    all.push_back(answered ? std::optional(*copy) : std::nullopt);
  }
  return all;
}

}  // namespace gw::app
