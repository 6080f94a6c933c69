// How event loops speak to each other (net/mailbox.h) and how a loop that is not the main one
// reaches the control service (control/remote_service.h): two real loops on two threads, a
// scripted control service on the "main" one. Work runs on the loop it was posted to, in order;
// answers come back to the asking loop; a closed mailbox drops work; the copy of the login state
// is refreshed after each login. Run under ThreadSanitizer by tools/test.

#include "control/remote_service.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "net/mailbox.h"
#include "net/signal.h"

namespace gw::control {
namespace {

using namespace std::chrono_literals;

// A loop on a thread of its own, kept alive by its mailbox until stop().
class LoopThread {
 public:
  LoopThread() : mailbox_(net::Mailbox::create(loop_.get())) {
    thread_ = std::thread([this] {
      id_ = std::this_thread::get_id();
      started_ = true;
      loop_.run();
    });
    while (!started_) std::this_thread::sleep_for(1ms);
  }
  ~LoopThread() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    mailbox_->post([mailbox = mailbox_.get()] { mailbox->close(); });
    thread_.join();
    EXPECT_TRUE(loop_.close()) << "a handle outlived its loop";
  }
  const std::shared_ptr<net::Mailbox>& mailbox() { return mailbox_; }
  std::thread::id id() const { return id_; }
  // Runs `work` on the loop and waits for it.
  void run(std::function<void()> work) {
    std::atomic<bool> done = false;
    ASSERT_TRUE(mailbox_->post([&] {
      work();
      done = true;
    }));
    while (!done) std::this_thread::sleep_for(1ms);
  }

 private:
  net::Loop loop_;
  std::shared_ptr<net::Mailbox> mailbox_;
  std::thread thread_;
  std::atomic<std::thread::id> id_{};
  std::atomic<bool> started_ = false;
};

template <typename Predicate>
bool eventually(Predicate done) {
  for (int i = 0; i < 5000 && !done(); ++i) std::this_thread::sleep_for(1ms);
  return done();
}

TEST(MailboxTest, WorkRunsOnTheOwningLoopInTheOrderPosted) {
  LoopThread owner;
  std::vector<int> order;  // touched on the owner's thread only
  std::atomic<bool> wrong_thread = false;
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) {
        owner.mailbox()->post([&, t, i] {
          if (std::this_thread::get_id() != owner.id()) wrong_thread = true;
          order.push_back(t * 1000 + i);
        });
      }
    });
  }
  for (auto& poster : posters) poster.join();
  std::vector<int> seen;
  owner.run([&] { seen = order; });
  EXPECT_FALSE(wrong_thread);
  ASSERT_EQ(seen.size(), 1000u);
  // Each poster's work in the order it posted it.
  for (int t = 0; t < 4; ++t) {
    int last = -1;
    for (int value : seen) {
      if (value / 1000 != t) continue;
      EXPECT_EQ(value % 1000, last + 1);
      last = value % 1000;
    }
  }
}

TEST(MailboxTest, AClosedMailboxDropsWorkAndSaysSo) {
  std::shared_ptr<net::Mailbox> kept;
  std::atomic<int> ran = 0;
  {
    LoopThread owner;
    kept = owner.mailbox();
    owner.stop();
  }
  // The loop is gone; the mailbox is not, and refuses.
  EXPECT_FALSE(kept->post([&] { ++ran; }));
  EXPECT_EQ(ran, 0);
}

// The real service's side, on the "main" loop: answers what it is asked, and records where.
class ScriptedService final : public Service {
 public:
  void cancel_query(std::uint32_t server_connection_id, std::uint64_t session_id,
                    std::function<void()> answered) override {
    cancels.push_back({server_connection_id, session_id});
    answered();
  }
  void cancel_finished(std::uint64_t session_id) override { finished.push_back(session_id); }
  void kill_connection(std::uint32_t server_connection_id) override {
    kills.push_back(server_connection_id);
  }
  void read_abort_counters(std::function<void(std::optional<AbortCounters>)> done) override {
    done(AbortCounters{7, 9});
  }
  bool ready() const override { return ready_; }
  const std::string& last_error() const override { return error_; }
  const session::ControlCredentials* handshake_credentials() const override {
    return ready_ ? &credentials_ : nullptr;
  }
  void on_logged_in(std::function<void()> callback) override {
    logged_in_.push_back(std::move(callback));
  }
  void stop(bool, std::function<void()> done) override { done(); }

  void log_in() {
    ready_ = true;
    error_.clear();
    for (auto& callback : logged_in_) callback();
  }

  std::vector<std::pair<std::uint32_t, std::uint64_t>> cancels;
  std::vector<std::uint64_t> finished;
  std::vector<std::uint32_t> kills;

 private:
  bool ready_ = false;
  std::string error_ = "cannot connect to 127.0.0.1:1: connection refused";
  session::ControlCredentials credentials_{"gw_control", "secret"};
  std::vector<std::function<void()>> logged_in_;
};

class RemoteServiceTest : public ::testing::Test {
 protected:
  void TearDown() override {
    worker_.stop();
    main_.stop();
  }
  LoopThread main_;
  LoopThread worker_;
  ScriptedService real_;
};

TEST_F(RemoteServiceTest, RequestsRunOnTheMainLoopAndAnswersOnTheAskingLoop) {
  std::unique_ptr<RemoteService> remote;
  main_.run(
      [&] { remote = std::make_unique<RemoteService>(real_, main_.mailbox(), worker_.mailbox()); });
  std::atomic<bool> answered_on_worker = false;
  std::optional<AbortCounters> counters;
  std::atomic<bool> counted = false;
  worker_.run([&] {
    remote->cancel_query(42, 3,
                         [&] { answered_on_worker = std::this_thread::get_id() == worker_.id(); });
    remote->kill_connection(43);
    remote->cancel_finished(3);
    remote->read_abort_counters([&](std::optional<AbortCounters> read) {
      if (std::this_thread::get_id() == worker_.id()) counters = read;
      counted = true;
    });
  });
  ASSERT_TRUE(eventually([&] { return answered_on_worker && counted; }));
  main_.run([&] {
    ASSERT_EQ(real_.cancels.size(), 1u);
    EXPECT_EQ(real_.cancels[0], (std::pair<std::uint32_t, std::uint64_t>{42, 3}));
    EXPECT_EQ(real_.kills, std::vector<std::uint32_t>{43});
    EXPECT_EQ(real_.finished, std::vector<std::uint64_t>{3});
  });
  worker_.run([&] {
    ASSERT_TRUE(counters.has_value());
    EXPECT_EQ(counters->clients, 7);
    EXPECT_EQ(counters->connects, 9);
  });
  worker_.stop();  // before `remote` goes: nothing posted to the worker may run after that
}

TEST_F(RemoteServiceTest, TheLoginStateIsACopyRefreshedAfterEachLogin) {
  std::unique_ptr<RemoteService> remote;
  main_.run(
      [&] { remote = std::make_unique<RemoteService>(real_, main_.mailbox(), worker_.mailbox()); });
  std::atomic<int> callbacks = 0;
  worker_.run([&] {
    EXPECT_FALSE(remote->ready());
    EXPECT_EQ(remote->handshake_credentials(), nullptr);
    EXPECT_NE(remote->last_error().find("connection refused"), std::string::npos);
    remote->on_logged_in([&] {
      // The copy is fresh by the time the callback runs.
      if (remote->ready() && remote->handshake_credentials() != nullptr) ++callbacks;
    });
  });
  main_.run([&] { real_.log_in(); });
  ASSERT_TRUE(eventually([&] { return callbacks == 1; }));
  worker_.run([&] {
    ASSERT_NE(remote->handshake_credentials(), nullptr);
    EXPECT_EQ(remote->handshake_credentials()->user, "gw_control");
    EXPECT_TRUE(remote->last_error().empty());
  });
  worker_.stop();
  // A login after the worker's loop is gone posts into a closed mailbox: dropped, harmless.
  main_.run([&] { real_.log_in(); });
  EXPECT_EQ(callbacks, 1);
}

}  // namespace
}  // namespace gw::control
