#pragma once
// What the proxies of every event loop share (app/serving_loops.h): one sequence of session ids,
// one count of client connections for max_connections, and the last upstream connect failure
// for /ready. Touched once per connection, never per packet, so atomics and a mutex cost
// nothing that matters.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace gw::proxy {

class SharedState {
 public:
  std::uint64_t next_session_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  // Counts a new client connection; false when max_connections were open already (it is
  // counted all the same, and leaves with connection_ended()).
  bool connection_began(std::uint32_t max_connections) {
    return connections_.fetch_add(1, std::memory_order_relaxed) < max_connections;
  }
  void connection_ended() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  std::size_t connections() const { return connections_.load(std::memory_order_relaxed); }

  // Why the last connection to the upstream failed, on any loop; "" once one succeeded since.
  std::string upstream_problem() const {
    std::lock_guard lock(mutex_);
    return upstream_problem_;
  }
  void upstream_reached(std::string problem) {
    std::lock_guard lock(mutex_);
    upstream_problem_ = std::move(problem);
  }

 private:
  std::atomic<std::uint64_t> next_id_{1};
  std::atomic<std::size_t> connections_{0};
  mutable std::mutex mutex_;
  std::string upstream_problem_;  // guarded by mutex_
};

}  // namespace gw::proxy
