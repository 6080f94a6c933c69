#include "admin/loop_bridge.h"

#include "net/async.h"

namespace gw::admin {

LoopBridge::LoopBridge(uv_loop_t* loop) : wake_(net::Async::create(loop, [this] { run_jobs(); })) {}

LoopBridge::~LoopBridge() { close(); }

std::optional<std::string> LoopBridge::ask(std::function<std::string()> work,
                                           std::chrono::milliseconds timeout) {
  auto job = std::make_shared<Job>();
  job->work = std::move(work);
  auto answer = job->answer.get_future();
  {
    std::lock_guard lock(mutex_);
    if (closed_) return std::nullopt;
    queue_.push_back(job);
    // Under the lock: close() cannot close the handle between the check and the send.
    wake_->send();
  }
  if (answer.wait_for(timeout) != std::future_status::ready) return std::nullopt;
  return answer.get();
}

void LoopBridge::run_jobs() {
  std::deque<std::shared_ptr<Job>> jobs;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    jobs.swap(queue_);
  }
  for (auto& job : jobs) job->answer.set_value(job->work());
}

void LoopBridge::close() {
  std::deque<std::shared_ptr<Job>> left;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    left.swap(queue_);
    wake_->close();
  }
  for (auto& job : left) job->answer.set_value(std::nullopt);
}

}  // namespace gw::admin
