#include "net/mailbox.h"

#include "net/async.h"

namespace gw::net {

std::shared_ptr<Mailbox> Mailbox::create(uv_loop_t* loop) {
  std::shared_ptr<Mailbox> mailbox(new Mailbox());
  mailbox->wake_ = Async::create(loop, [raw = mailbox.get()] { raw->run_posted(); });
  return mailbox;
}

bool Mailbox::post(std::function<void()> work) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  queue_.push_back(std::move(work));
  // Under the lock: close() cannot close the handle between the check and the send.
  wake_->send();
  return true;
}

void Mailbox::run_posted() {
  std::vector<std::function<void()>> work;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    work.swap(queue_);
  }
  for (auto& job : work) job();
}

void Mailbox::close() {
  std::vector<std::function<void()>> dropped;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    dropped.swap(queue_);
    wake_->close();
  }
  // `dropped` goes out of scope here, outside the lock: what it holds may post on its way out.
}

}  // namespace gw::net
