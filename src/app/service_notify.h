#pragma once
// ServiceNotify: what gracewire tells systemd (conf/gracewire.service, Type=notify) through
// libsystemd's sd_notify(3), kept in one place so that the lifecycle code makes one call per
// step and knows nothing of the protocol:
//
//   ready()      once listening:      READY=1, MAINPID=, STATUS=N client sessions
//   (every second, while the count changes)  STATUS=N client sessions
//   reloading()  SIGHUP received:     RELOADING=1, MONOTONIC_USEC= (systemd 253+ wants it)
//   reloaded()   the reload is done:  READY=1, STATUS=  (also when the file did not load: the
//                                     running configuration goes on). Neither once stopping.
//   stopping()   the drain starts:    STOPPING=1, STATUS=draining: N client sessions left
//
// Without NOTIFY_SOCKET (not started by systemd) every call does nothing and no timer exists.
// sd_notify sends one datagram per call from a fresh socket: a socket that is gone fails at
// once (-ENOENT, logged once), but libsystemd 252 sends without MSG_DONTWAIT, so a receiver
// that stops reading blocks the loop once its queue (net.unix.max_dgram_qlen, often 10) is
// full. systemd's PID 1 reads its notify socket continuously; the session count is sent at most
// once a second and only when it changed, so gracewire never fills it faster than that.

#include <uv.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace gw::net {
class Timer;
}

namespace gw::app {

class ServiceNotify {
 public:
  // `sessions` counts the open client sessions; read on the loop, at most once a second.
  ServiceNotify(uv_loop_t* loop, std::function<std::size_t()> sessions);
  ServiceNotify(const ServiceNotify&) = delete;
  ServiceNotify& operator=(const ServiceNotify&) = delete;

  void ready();
  void reloading();
  void reloaded();
  // Idempotent: only the first stop signal starts the drain.
  void stopping();
  // Closes the status timer; idempotent. Before the loop ends.
  void close();

 private:
  std::string status_line(std::size_t sessions) const;
  void update_status();
  void send(const std::string& message);

  uv_loop_t* loop_;
  std::function<std::size_t()> sessions_;
  bool enabled_;  // NOTIFY_SOCKET is set
  bool stopping_ = false;
  bool failed_ = false;  // a send failed and was logged; later failures are not
  std::optional<std::size_t> sent_sessions_;
  net::Timer* status_timer_ = nullptr;
};

}  // namespace gw::app
