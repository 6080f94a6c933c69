#pragma once
// LoopBridge: another thread asks, the event loop answers. The admin endpoint's HTTP thread
// reads the loop's state (metrics, readiness) and asks for a drain this way, so nothing the
// loop owns is shared or locked: the work runs on the loop, between two of its callbacks, and
// the asker waits for its answer, bounded. A loop that does not answer in time is itself the
// answer (the scrape fails, readiness is "no").

#include <uv.h>

#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace gw::net {
class Async;
}

namespace gw::admin {

class LoopBridge {
 public:
  // On the loop's thread.
  explicit LoopBridge(uv_loop_t* loop);
  ~LoopBridge();
  LoopBridge(const LoopBridge&) = delete;
  LoopBridge& operator=(const LoopBridge&) = delete;

  // Any thread but the loop's: `work` runs on the loop; its answer, or nullopt when the loop
  // did not run it within `timeout` or the bridge is closed.
  std::optional<std::string> ask(std::function<std::string()> work,
                                 std::chrono::milliseconds timeout);
  // On the loop's thread: no more work runs, every waiting asker gets nullopt at once.
  void close();

 private:
  struct Job {
    std::function<std::string()> work;
    std::promise<std::optional<std::string>> answer;
  };
  void run_jobs();

  std::mutex mutex_;
  bool closed_ = false;                     // guarded by mutex_
  std::deque<std::shared_ptr<Job>> queue_;  // guarded by mutex_
  net::Async* wake_;
};

}  // namespace gw::admin
