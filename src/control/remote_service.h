#pragma once
// RemoteService: the control service (service.h) as another event loop's proxy sees it. The
// application owns one real service, on the main loop; each further loop (app/serving_loops.h)
// gets one of these. Every request is posted to the main loop's mailbox and run on the real
// service there; every answer is posted back and runs on this loop. Nothing is shared but the
// two mailboxes.
//
// What the proxy reads without asking (handshake_credentials, ready, last_error) is a copy,
// taken when this is made and refreshed after every login of the real service (on_logged_in
// callbacks run here after the copy is refreshed). An answer may arrive after
// cancel_finished(session_id) has been posted: the proxy looks its sessions up by id, so a late
// one finds nobody.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/service.h"

namespace gw::net {
class Mailbox;
}

namespace gw::control {

class RemoteService final : public Service {
 public:
  // On the main loop's thread, before `here`'s loop runs. `real` is used only on the main loop
  // (through `main`) and must outlive every job posted there; this must outlive `here`'s loop.
  RemoteService(Service& real, std::shared_ptr<net::Mailbox> main,
                std::shared_ptr<net::Mailbox> here);

  void cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id,
                    std::function<void()> answered) override;
  void cancel_finished(std::uint64_t session_id) override;
  void kill_connection(std::uint32_t server_connection_id) override;
  void read_abort_counters(std::function<void(std::optional<AbortCounters>)> done) override;
  bool ready() const override { return ready_; }
  const std::string& last_error() const override { return last_error_; }
  const session::ControlCredentials* handshake_credentials() const override {
    return credentials_ ? &*credentials_ : nullptr;
  }
  void on_logged_in(std::function<void()> callback) override;
  // The real service is the application's to stop; this owns no connection: `done` runs now.
  void stop(bool now, std::function<void()> done) override;

 private:
  struct Snapshot {
    bool ready = false;
    std::string last_error;
    std::optional<session::ControlCredentials> credentials;
  };
  static Snapshot snapshot_of(const Service& real);
  void take(Snapshot snapshot);

  Service& real_;
  std::shared_ptr<net::Mailbox> main_;
  std::shared_ptr<net::Mailbox> here_;
  bool ready_ = false;
  std::string last_error_;
  std::optional<session::ControlCredentials> credentials_;
  std::vector<std::function<void()>> on_logged_in_;
};

}  // namespace gw::control
