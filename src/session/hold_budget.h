#pragma once
// HoldBudget: the bytes that all sessions together may hold back from the server while they
// check a client message whole (handshake responses, authentication packets, commands up to
// hold_limit). Each session reserves a message's declared length before keeping any of it, so
// many clients that each start a large message and never finish it cannot add up to more than
// the budget. A command that does not fit is streamed instead; a login message that does not
// fit is refused.
//
// Atomic, so that one budget can later be shared by several event loops.

#include <atomic>
#include <cstddef>

namespace gw::session {

class HoldBudget {
 public:
  explicit HoldBudget(std::size_t capacity) : capacity_(capacity) {}
  HoldBudget(const HoldBudget&) = delete;
  HoldBudget& operator=(const HoldBudget&) = delete;

  // Takes `bytes` from the budget, or nothing when they do not fit.
  [[nodiscard]] bool try_reserve(std::size_t bytes) {
    std::size_t held = held_.load(std::memory_order_relaxed);
    do {
      if (bytes > capacity_ - held) return false;
    } while (!held_.compare_exchange_weak(held, held + bytes, std::memory_order_relaxed));
    return true;
  }
  void release(std::size_t bytes) { held_.fetch_sub(bytes, std::memory_order_relaxed); }

  std::size_t held() const { return held_.load(std::memory_order_relaxed); }
  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  std::atomic<std::size_t> held_{0};
};

}  // namespace gw::session
