#include "control/remote_service.h"

#include <utility>

#include "net/mailbox.h"

namespace gw::control {

RemoteService::RemoteService(Service& real, std::shared_ptr<net::Mailbox> main,
                             std::shared_ptr<net::Mailbox> here)
    : real_(real), main_(std::move(main)), here_(std::move(here)) {
  take(snapshot_of(real_));
  // Runs on the main loop after each login; it holds only the mailbox, which drops the copy
  // once this loop has closed it.
  real_.on_logged_in([this, &real = real_, here = here_] {
    here->post([this, copy = snapshot_of(real)]() mutable {
      take(std::move(copy));
      for (auto& callback : on_logged_in_) callback();
    });
  });
}

RemoteService::Snapshot RemoteService::snapshot_of(const Service& real) {
  Snapshot snapshot{real.ready(), real.last_error(), std::nullopt};
  if (const auto* credentials = real.handshake_credentials()) snapshot.credentials = *credentials;
  return snapshot;
}

void RemoteService::take(Snapshot snapshot) {
  ready_ = snapshot.ready;
  last_error_ = std::move(snapshot.last_error);
  credentials_ = std::move(snapshot.credentials);
}

void RemoteService::cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id,
                                 std::function<void()> answered) {
  main_->post([&real = real_, here = here_, server_connection_id, session_id,
               answered = std::move(answered)]() mutable {
    real.cancel_query(
        server_connection_id, session_id,
        [here, answered = std::move(answered)]() mutable { here->post(std::move(answered)); });
  });
}

void RemoteService::cancel_finished(std::uint64_t session_id) {
  main_->post([&real = real_, session_id] { real.cancel_finished(session_id); });
}

void RemoteService::kill_connection(std::uint32_t server_connection_id) {
  main_->post(
      [&real = real_, server_connection_id] { real.kill_connection(server_connection_id); });
}

void RemoteService::read_abort_counters(std::function<void(std::optional<AbortCounters>)> done) {
  main_->post([&real = real_, here = here_, done = std::move(done)]() mutable {
    real.read_abort_counters(
        [here, done = std::move(done)](std::optional<AbortCounters> counters) mutable {
          here->post([done = std::move(done), counters] { done(counters); });
        });
  });
}

void RemoteService::on_logged_in(std::function<void()> callback) {
  on_logged_in_.push_back(std::move(callback));
}

void RemoteService::stop(bool /*now*/, std::function<void()> done) {
  if (done) done();
}

}  // namespace gw::control
