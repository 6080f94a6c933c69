#include "binlog/attribution_gate.h"

namespace gw::binlog {

bool AttributionGate::ready(const std::string& gtid, Clock::time_point now) {
  if (directory_.committer(gtid)) {
    waiting_for_.clear();
    return true;
  }
  if (waiting_for_ != gtid) {
    waiting_for_ = gtid;
    sent_at_start_ = directory_.commands_sent();
    deadline_ = now + max_wait_;
  }
  if (!directory_.command_unanswered(waited_through_, sent_at_start_)) {
    waiting_for_.clear();
    return true;
  }
  if (now >= deadline_) {
    waited_through_ = sent_at_start_;
    ++timeouts_;
    waiting_for_.clear();
    return true;
  }
  return false;
}

}  // namespace gw::binlog
