#pragma once
// Mailbox: work that any thread posts and one event loop runs, in the order posted. It is how
// gracewire's event loops speak to each other (one per core, app/serving_loops.h): nothing a
// loop owns is touched by another thread; the other thread posts a function instead, and the
// owner runs it between two of its callbacks.
//
// Posters hold it by shared_ptr, so posting stays safe after the owner closed it: work posted
// then is dropped (post() says so), which is what a stopping loop wants.

#include <uv.h>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace gw::net {

class Async;

class Mailbox {
 public:
  // On the loop's thread (or before that loop runs).
  static std::shared_ptr<Mailbox> create(uv_loop_t* loop);
  // The owner close()s it on the loop's thread before that loop ends (the open handle keeps the
  // loop running); the last poster may destroy it on any thread after that.
  ~Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Any thread: `work` runs on the loop. False (and `work` dropped) once closed.
  bool post(std::function<void()> work);
  // On the loop's thread: work not yet run is dropped, later posts too; the handle closes.
  void close();

 private:
  Mailbox() = default;
  void run_posted();

  std::mutex mutex_;
  bool closed_ = false;                       // guarded by mutex_
  std::vector<std::function<void()>> queue_;  // guarded by mutex_
  Async* wake_ = nullptr;
};

}  // namespace gw::net
