// SessionDirectory from several threads, as with one event loop per core: sessions write from
// their loop threads while the follower reads from its own. Run under ThreadSanitizer too
// (tools/test, pass 3).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "eventlog/session_directory.h"

namespace gw::eventlog {
namespace {

constexpr int kWriters = 4;
constexpr std::uint32_t kConnectionsPerWriter = 400;
constexpr std::uint32_t kLeftOpen = 10;  // per writer: the last ones never close

std::uint32_t connection_of(int writer, std::uint32_t index) {
  return static_cast<std::uint32_t>(writer) * 100'000 + index + 1;
}
std::uint64_t session_of(std::uint32_t connection) { return std::uint64_t{connection} * 10; }
std::string gtid_of(std::uint32_t connection, int command) {
  return "0-1-" + std::to_string(std::uint64_t{connection} * 10 + command);
}
// Every seventh connection closes with its second command unanswered.
bool abandons_second_command(std::uint32_t index) { return index % 7 == 0; }

// What one session does on its loop thread.
void run_writer(SessionDirectory& directory, int writer) {
  for (std::uint32_t index = 0; index < kConnectionsPerWriter; ++index) {
    const std::uint32_t id = connection_of(writer, index);
    directory.opened(Common{.session = session_of(id),
                            .server_conn_id = id,
                            .client = "10.0.0." + std::to_string(writer),
                            .user = "u" + std::to_string(id),
                            .program = "p"});
    directory.command_sent(id);
    directory.command_answered(id, {gtid_of(id, 1)});
    directory.command_sent(id);
    if (!abandons_second_command(index)) directory.command_answered(id, {gtid_of(id, 2)});
    if (index < kConnectionsPerWriter - kLeftOpen) directory.closed(id);
  }
}

TEST(SessionDirectoryThreads, WritersOnEveryLoopAndTheFollowerReading) {
  SessionDirectory directory(/*recent_limit=*/kWriters * kConnectionsPerWriter,
                             /*gtid_limit=*/4 * kWriters * kConnectionsPerWriter);
  std::atomic<std::uint64_t> callbacks{0};
  directory.on_answer([&] {
    // Without the directory's lock: calling back in must not deadlock.
    (void)directory.commands_sent();
    callbacks.fetch_add(1, std::memory_order_relaxed);
  });

  std::atomic<bool> writing{true};
  std::uint64_t reader_failures = 0;
  std::thread reader([&] {
    // The gate's sequence: a snapshot of commands sent, then whether one in a window up to it
    // is unanswered. Answered stays answered: a window once clear stays clear.
    std::uint64_t last_sent = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> clear_windows;
    while (writing.load()) {
      for (const auto& [after, up_to] : clear_windows) {
        if (directory.command_unanswered(after, up_to)) ++reader_failures;
      }
      const std::uint64_t sent = directory.commands_sent();
      if (sent < last_sent) ++reader_failures;
      if (sent > last_sent && !directory.command_unanswered(last_sent, sent) &&
          clear_windows.size() < 64) {
        clear_windows.emplace_back(last_sent, sent);
      }
      last_sent = sent;
      for (int writer = 0; writer < kWriters; ++writer) {
        for (std::uint32_t index = 0; index < kConnectionsPerWriter; index += 37) {
          const std::uint32_t id = connection_of(writer, index);
          const auto committer = directory.committer(gtid_of(id, 1));
          if (!committer) continue;
          // Opened before it answered, and never aged out here: always identified.
          Common common;
          if (*committer != id || !directory.identify(id, common) ||
              common.session != session_of(id) || common.user != "u" + std::to_string(id)) {
            ++reader_failures;
          }
        }
      }
    }
  });
  std::vector<std::thread> writers;
  for (int writer = 0; writer < kWriters; ++writer) {
    writers.emplace_back(run_writer, std::ref(directory), writer);
  }
  for (auto& writer : writers) writer.join();
  writing.store(false);
  reader.join();

  EXPECT_EQ(reader_failures, 0u);
  std::uint64_t abandoned = 0;
  for (int writer = 0; writer < kWriters; ++writer) {
    for (std::uint32_t index = 0; index < kConnectionsPerWriter; ++index) {
      const std::uint32_t id = connection_of(writer, index);
      EXPECT_EQ(directory.committer(gtid_of(id, 1)), id);
      if (abandons_second_command(index)) {
        EXPECT_EQ(directory.committer(gtid_of(id, 2)), std::nullopt);
        if (index < kConnectionsPerWriter - kLeftOpen) ++abandoned;
      } else {
        EXPECT_EQ(directory.committer(gtid_of(id, 2)), id);
      }
      Common common;
      ASSERT_TRUE(directory.identify(id, common)) << id;
      EXPECT_EQ(common.session, session_of(id));
      EXPECT_EQ(common.client, "10.0.0." + std::to_string(writer));
    }
  }
  const std::uint64_t connections = kWriters * kConnectionsPerWriter;
  EXPECT_EQ(directory.live(), kWriters * kLeftOpen);
  EXPECT_EQ(directory.recent(), connections - kWriters * kLeftOpen);
  EXPECT_EQ(directory.commands_sent(), 2 * connections);
  // Only the second commands of the abandoning connections left open are still out.
  std::uint64_t left_unanswered = 0;
  for (std::uint32_t index = kConnectionsPerWriter - kLeftOpen; index < kConnectionsPerWriter;
       ++index) {
    if (abandons_second_command(index)) left_unanswered += kWriters;
  }
  EXPECT_EQ(directory.command_unanswered(0, directory.commands_sent()), left_unanswered > 0);
  // One call per answer, and one per close that dropped an unanswered command.
  const std::uint64_t answers = 2 * connections - (abandoned + left_unanswered);
  EXPECT_EQ(callbacks.load(), answers + abandoned);
}

TEST(SessionDirectoryThreads, ClearingTheCallbackWaitsForOneInProgress) {
  SessionDirectory directory;
  std::atomic<bool> entered{false}, may_finish{false}, finished{false};
  std::atomic<int> calls{0};
  directory.on_answer([&] {
    ++calls;
    entered = true;
    while (!may_finish) std::this_thread::yield();
    (void)directory.committer("0-1-1");  // no lock held: the directory stays usable
    finished = true;
  });
  directory.command_sent(5);
  std::thread session([&] { directory.command_answered(5, {"0-1-1"}); });
  while (!entered) std::this_thread::yield();

  std::atomic<bool> cleared{false};
  bool finished_when_cleared = false;
  std::thread follower([&] {
    directory.on_answer({});
    finished_when_cleared = finished.load();
    cleared = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds{50});
  EXPECT_FALSE(cleared) << "on_answer({}) returned while the old callback ran";
  may_finish = true;
  follower.join();
  session.join();
  EXPECT_TRUE(finished_when_cleared);

  // Never again once cleared.
  directory.command_sent(6);
  directory.command_answered(6, {"0-1-2"});
  directory.command_sent(7);
  directory.closed(7);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(directory.committer("0-1-2"), 6u);
}

}  // namespace
}  // namespace gw::eventlog
