#pragma once
// Publisher::State, shared by publisher.cpp (sending, acknowledgements, the connection) and
// event_log_channel.cpp (an event log's channel: its lineage, its backlog, its progress file).
// Internal to src/publish: everything below is under `mutex` unless said otherwise.

#include <nats/nats.h>
#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "publish/publisher.h"
#include "publish/window.h"

namespace gw::publish {

// The "publish" component's operational log; any thread.
std::shared_ptr<spdlog::logger> publish_log();

// One event log's outlet into the publisher.
struct ChannelState {
  eventlog::Outlet::ChangeTally tally{};
  std::uint64_t lineage = 0;  // in the ids of its lifecycle and audit records (subjects.h)
  std::uint64_t handed = 0;   // the sequence of the last line taken
  std::string progress_file;  // progress.h; empty when nothing is kept across restarts
  std::uint64_t saved = 0;    // the sequence last written there
};

class Publisher::State {
 public:
  using Clock = std::chrono::steady_clock;

  explicit State(PublisherSettings s);
  ~State();

  std::expected<void, std::string> connect();
  std::size_t add_channel(ChannelState channel);
  // The channel of an event log with a file: picks its lineage, publishes its backlog.
  std::expected<std::size_t, std::string> add_log_channel(const std::string& log_path);
  void take(std::size_t channel, const eventlog::Record* record, std::string_view line,
            std::uint64_t sequence);
  eventlog::Outlet::ChangeTally changes(std::size_t channel) const;
  void run_sender();
  void close(std::chrono::milliseconds timeout);
  PublishStats stats_now() const;

  const PublisherSettings settings;
  // This process's start in microseconds: the lineage of a log without a file.
  const std::uint64_t started_us;

 private:
  bool wanted(const eventlog::Record* record) const;
  // Puts `message` in the window when there is room; waits for room first when `waits`, until
  // `deadline` if one is given. False when it was dropped (and counted).
  bool admit(std::unique_lock<std::mutex>& lock, Message&& message, bool waits,
             std::optional<Clock::time_point> deadline = std::nullopt);
  void publish_backlog(std::size_t channel, std::uint64_t lineage, const std::string& log_path,
                       std::uint64_t after);
  // Writes each channel's progress file when it moved; unlocks `lock` while writing.
  void save_progress(std::unique_lock<std::mutex>& lock);
  void settle_front();
  void retry_later();
  void report_losses(Clock::time_point now);
  void forget_library_pending();  // not under mutex: it calls into libnats
  // Which connection a send would go on now: libnats's count of reconnects; nothing while it is
  // not connected. Sender thread only, not under mutex: it calls into libnats.
  std::optional<std::uint64_t> connection_generation();

  static void on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure);
  static void on_disconnected(natsConnection*, void* closure);
  static void on_reconnected(natsConnection*, void* closure);
  static void on_closed(natsConnection*, void* closure);

  natsOptions* options = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  natsStatistics* connection_stats = nullptr;  // the sender's, for connection_generation()

  mutable std::mutex mutex;
  std::mutex progress_io;        // held while a progress file is written, never with `mutex`
  std::condition_variable room;  // takers wait for it; close() waits for the window to empty
  std::condition_variable work;  // the sender waits for it
  PublishWindow window;
  std::deque<ChannelState> channels;
  bool connected = false, closing = false, stopped = false, closed = false;
  bool sender_sleeping = false;  // the sender waits on `work`
  std::size_t room_waiters = 0;  // takers waiting on `room`
  // libnats 3.4 creates its list of pending publishes at the first one, and
  // js_PublishAsyncGetPendingList dereferences it unchecked: asked before any publish (a NATS
  // restart right after start), it crashed gracewire.
  std::atomic<bool> library_published{false};
  // The connection generation (connection_generation()) the messages in flight were sent on;
  // the sender's own.
  std::uint64_t sent_generation = 0;
  Clock::time_point retry_after{};
  Clock::duration retry_delay{};
  PublishStats counts;
  std::uint64_t unreported_drops = 0, unreported_errors = 0;
  std::string last_error;
  Clock::time_point last_drop_report{}, last_error_report{}, last_progress_report{};
  std::thread sender;

  friend class Publisher;
};

}  // namespace gw::publish
