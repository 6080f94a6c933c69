#include "publish/publisher.h"

#include <fmt/format.h>
#include <nats/nats.h>
#include <spdlog/spdlog.h>

#include "eventlog/json.h"
#include "logging/component_logger.h"
#include "publish/nats_error.h"
#include "publish/publisher_state.h"
#include "publish/stream_check.h"
#include "publish/subjects.h"

namespace gw::publish {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMsgIdHeader = "Nats-Msg-Id";
constexpr const char* kTypeHeader = "Gracewire-Type";
constexpr const char* kInstanceHeader = "Gracewire-Instance";
// How often the sender looks for lost acknowledgements when nothing else wakes it.
constexpr auto kIdleWake = 500ms;
// And at most this often while busy: the look walks the whole window (it once ran per message
// sent, 11 % of gracewire's CPU under sysbench), and acknowledgements are waited 10 s for.
constexpr auto kLostAckCheckEvery = 500ms;
// After a failed send or a negative acknowledgement: the first wait, and the longest.
constexpr auto kFirstRetry = 250ms;
constexpr auto kLongestRetry = 5s;
// Drops and errors are reported at most this often (with their counts).
constexpr auto kReportEvery = 10s;
// How often an event log's progress file is rewritten while records are acknowledged.
constexpr auto kSaveProgressEvery = 250ms;

std::string joined(const std::vector<std::string>& urls) {
  return fmt::format("{}", fmt::join(urls, ", "));
}

}  // namespace

// Called from the writer threads, the sender and libnats's threads.
std::shared_ptr<spdlog::logger> publish_log() {
  try {
    return logging::component_logger("publish");
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get("publish");  // another thread registered it first
  }
}

Publisher::State::State(PublisherSettings s)
    : settings(std::move(s)),
      started_us(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count())),
      window(settings.max_pending),
      retry_delay(kFirstRetry) {}

Publisher::State::~State() {
  if (js != nullptr) jsCtx_Destroy(js);
  if (nc != nullptr) natsConnection_Destroy(nc);
  if (options != nullptr) natsOptions_Destroy(options);
  if (connection_stats != nullptr) natsStatistics_Destroy(connection_stats);
}

std::size_t Publisher::State::add_channel(ChannelState channel) {
  std::lock_guard lock(mutex);
  channels.push_back(std::move(channel));
  return channels.size() - 1;
}

eventlog::Outlet::ChangeTally Publisher::State::changes(std::size_t channel) const {
  std::lock_guard lock(mutex);
  return channels[channel].tally;
}

namespace {

class Channel final : public eventlog::Outlet {
 public:
  Channel(std::shared_ptr<Publisher::State> state, std::size_t index)
      : state_(std::move(state)), index_(index) {}
  void take(const eventlog::Record* record, std::string_view line,
            std::uint64_t sequence) override {
    state_->take(index_, record, line, sequence);
  }
  ChangeTally changes() const override { return state_->changes(index_); }

 private:
  const std::shared_ptr<Publisher::State> state_;
  const std::size_t index_;
};

}  // namespace

std::expected<void, std::string> Publisher::State::connect() {
  natsStatus s = natsOptions_Create(&options);
  std::vector<const char*> servers;
  for (const auto& url : settings.urls) servers.push_back(url.c_str());
  if (s == NATS_OK)
    s = natsOptions_SetServers(options, servers.data(), static_cast<int>(servers.size()));
  const std::string name = fmt::format("gracewire {}", settings.instance);
  if (s == NATS_OK) s = natsOptions_SetName(options, name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(options, settings.connect_timeout.count());
  if (s == NATS_OK && !settings.creds_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(options, settings.creds_file.c_str(), nullptr);
  }
  if (s == NATS_OK && !settings.user.empty()) {
    s = natsOptions_SetUserInfo(options, settings.user.c_str(), settings.password.c_str());
  }
  if (s == NATS_OK && !settings.tls_ca.empty()) {
    s = natsOptions_LoadCATrustedCertificates(options, settings.tls_ca.c_str());
    if (s == NATS_OK) s = natsOptions_SetSecure(options, true);
  }
  // Forever, with a wait and jitter between attempts: records wait meanwhile in the window
  // (bounded by max_pending, then the loss policy).
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options, -1);
  // Nothing in libnats's reconnect buffer: it would send that first on reconnecting, ahead of
  // older records lost in flight, out of order. With 0 a publish while reconnecting fails at once
  // (libnats 3.4 takes 0 as given) and the record goes again from the window, in order.
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(options, 0);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(options, 1000);
  if (s == NATS_OK) s = natsOptions_SetReconnectJitter(options, 500, 1000);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(options, on_disconnected, this);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(options, on_reconnected, this);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(options, on_closed, this);
  if (s != NATS_OK) return std::unexpected(fmt::format("NATS options: {}", nats_error(s)));

  s = natsConnection_Connect(&nc, options);
  if (s != NATS_OK) {
    return std::unexpected(
        fmt::format("cannot connect to NATS at {}: {}", joined(settings.urls), nats_error(s)));
  }
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = settings.connect_timeout.count();
  // Above the window: messages sent again after a lost acknowledgement are counted by libnats
  // too until it forgets them (forget_library_pending).
  js_options.PublishAsync.MaxPending = static_cast<int64_t>(settings.max_pending) * 2;
  js_options.PublishAsync.AckHandler = on_ack;
  js_options.PublishAsync.AckHandlerClosure = this;
  js_options.PublishAsync.StallWait = 1000;
  s = natsConnection_JetStream(&js, nc, &js_options);
  if (s == NATS_OK) s = natsStatistics_Create(&connection_stats);
  if (s != NATS_OK) return std::unexpected(fmt::format("NATS JetStream: {}", nats_error(s)));
  if (auto checked = check_stream(js, settings); !checked) return std::unexpected(checked.error());
  connected = true;
  sender = std::thread([this] { run_sender(); });
  return {};
}

bool Publisher::State::wanted(const eventlog::Record* record) const {
  if (record == nullptr) return settings.lifecycle || settings.audit;  // a "dropped" notice
  if (eventlog::is_change_record(*record)) return settings.changes;
  if (std::holds_alternative<eventlog::CommandRecord>(*record)) return settings.audit;
  return settings.lifecycle;
}

void Publisher::State::take(std::size_t channel, const eventlog::Record* record,
                            std::string_view line, std::uint64_t sequence) {
  const bool change = record != nullptr && eventlog::is_change_record(*record);
  std::unique_lock lock(mutex);
  ChannelState& from = channels[channel];
  from.handed = sequence;
  if (!wanted(record)) {
    // Not published, but settled in order: a change is confirmed once those before it are.
    if (change) {
      if (window.empty()) {
        ++from.tally.confirmed;
      } else {
        window.add_settled(
            Message{.change = true, .channel = static_cast<int>(channel), .sequence = sequence});
      }
    }
    return;
  }
  Message message{.subject = record != nullptr ? subject_for(*record, settings.subject_prefix)
                                               : settings.subject_prefix + ".events.dropped",
                  .id = change ? change_message_id(*record)
                               : event_message_id(settings.instance, from.lineage, sequence),
                  .type = record != nullptr ? std::string(eventlog::type_name(*record)) : "dropped",
                  .body = std::string(line),
                  .change = change,
                  .channel = static_cast<int>(channel),
                  .sequence = sequence};
  // Change records always wait (never dropped); other records wait under "block".
  admit(lock, std::move(message), change || settings.loss == config::EventLogLoss::Block);
}

bool Publisher::State::admit(std::unique_lock<std::mutex>& lock, Message&& message, bool waits,
                             std::optional<Clock::time_point> deadline) {
  const auto has_room = [&] { return !window.full() || closing; };
  if (waits && !has_room()) {
    ++room_waiters;
    if (deadline) {
      room.wait_until(lock, *deadline, has_room);
    } else {
      room.wait(lock, has_room);
    }
    --room_waiters;
  }
  if (window.full() || closing) {
    ++counts.dropped;
    ++unreported_drops;
    if (message.change) ++channels[static_cast<std::size_t>(message.channel)].tally.lost;
    report_losses(Clock::now());
    return false;
  }
  window.add(std::move(message));
  // Only a sleeping sender needs the wake-up; a busy one finds the message on its next turn.
  if (sender_sleeping) work.notify_one();
  return true;
}

void Publisher::State::run_sender() {
  std::unique_lock lock(mutex);
  Clock::time_point last_lost_ack_check{}, last_progress_save{};
  while (!stopped) {
    const auto now = Clock::now();
    if (connected && window.in_flight() > 0 && now - last_lost_ack_check >= kLostAckCheckEvery) {
      last_lost_ack_check = now;
      if (const auto again = window.resend_older_than(now - settings.ack_timeout); again > 0) {
        counts.sent_again += again;
        publish_log()->warn(
            "no acknowledgement from stream {} within {} ms for {} records: sending them again",
            settings.stream, settings.ack_timeout.count(), again);
      }
    }
    report_losses(now);
    if (now - last_progress_save >= kSaveProgressEvery) {
      last_progress_save = now;
      save_progress(lock);
    }
    const Message* next = connected && now >= retry_after ? window.next_to_send(now) : nullptr;
    if (next == nullptr) {
      sender_sleeping = true;
      work.wait_for(lock, kIdleWake);
      sender_sleeping = false;
      continue;
    }
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, next->subject.c_str(), nullptr, next->body.data(),
                                  static_cast<int>(next->body.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, kMsgIdHeader, next->id.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, kTypeHeader, next->type.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, kInstanceHeader, settings.instance.c_str());
    lock.unlock();
    // Only on the connection the messages in flight went on: after a reconnect they may be lost,
    // and a newer message must not reach the stream before them. Our reconnect callback comes
    // from another thread, maybe after libnats already sends on the new connection.
    const auto generation = connection_generation();
    const bool same_connection = generation == sent_generation;
    if (s == NATS_OK && same_connection) s = js_PublishMsgAsync(js, &msg, nullptr);
    if (s == NATS_OK && same_connection) library_published = true;
    const std::string error = s == NATS_OK ? std::string() : nats_error(s);
    natsMsg_Destroy(msg);  // nothing when libnats took it
    lock.lock();
    if (!same_connection) {
      // Everything unacknowledged goes again from the oldest, on the new connection; while
      // there is none, after a wait.
      counts.sent_again += window.in_flight();
      window.resend_all();
      if (generation) {
        sent_generation = *generation;
      } else {
        retry_later();
      }
      continue;
    }
    if (s != NATS_OK) {
      ++counts.errors;
      ++unreported_errors;
      last_error = error;
      window.resend_all();  // in order, once the wait is over
      retry_later();
      lock.unlock();
      forget_library_pending();
      lock.lock();
    }
  }
}

void Publisher::State::on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                              void* closure) {
  auto* self = static_cast<State*>(closure);
  const char* id = nullptr;
  natsMsgHeader_Get(msg, kMsgIdHeader, &id);
  // An acknowledgement wakes a taker waiting for room, or close() waiting for the window to
  // empty; a refusal wakes the sender too, to send it again. Not every ack wakes every thread:
  // those wake-ups were a fifth of the publisher's CPU (perf, 1M change records).
  bool wake_takers = false, wake_sender = false;
  {
    std::lock_guard lock(self->mutex);
    if (ack != nullptr && id != nullptr) {
      self->window.acknowledged(id);
      ++self->counts.published;
      if (ack->Duplicate) ++self->counts.duplicates;
      self->retry_delay = kFirstRetry;
      self->settle_front();
      wake_takers = self->room_waiters > 0 || self->closing;
    } else if (id != nullptr) {
      // A full stream (discard new), a missing stream, no responders: the message goes again
      // after a wait; the window fills meanwhile and the loss policy applies to what comes.
      ++self->counts.errors;
      ++self->unreported_errors;
      self->last_error = error != nullptr && error->ErrText != nullptr
                             ? error->ErrText
                             : natsStatus_GetText(error != nullptr ? error->Err : NATS_ERR);
      self->window.failed(id);
      self->retry_later();
      wake_sender = true;
    }
  }
  if (wake_takers) self->room.notify_all();
  if (wake_sender) self->work.notify_one();
  natsMsg_Destroy(msg);
}

void Publisher::State::on_disconnected(natsConnection*, void* closure) {
  auto* self = static_cast<State*>(closure);
  std::lock_guard lock(self->mutex);
  if (!self->connected || self->stopped) return;
  self->connected = false;
  publish_log()->warn(
      "lost the connection to NATS; {} records wait for it (publish.max_pending = {})",
      self->window.size(), self->settings.max_pending);
}

void Publisher::State::on_reconnected(natsConnection* nc, void* closure) {
  auto* self = static_cast<State*>(closure);
  char url[256] = "";
  natsConnection_GetConnectedUrl(nc, url, sizeof url);
  // Whatever was in flight may never be acknowledged: all of it goes again, in order (the
  // stream keeps one copy of each by its id).
  self->forget_library_pending();
  {
    std::lock_guard lock(self->mutex);
    self->connected = true;
    ++self->counts.reconnects;
    self->counts.sent_again += self->window.in_flight();
    self->window.resend_all();
    self->retry_after = {};
    publish_log()->info("reconnected to NATS at {}; publishing the {} records that waited", url,
                        self->window.size());
  }
  self->work.notify_one();
}

void Publisher::State::on_closed(natsConnection*, void* closure) {
  auto* self = static_cast<State*>(closure);
  {
    std::lock_guard lock(self->mutex);
    self->closed = true;
  }
  self->room.notify_all();
}

void Publisher::State::forget_library_pending() {
  natsMsgList pending{};
  if (js != nullptr && library_published &&
      js_PublishAsyncGetPendingList(&pending, js) == NATS_OK) {
    natsMsgList_Destroy(&pending);
  }
}

std::optional<std::uint64_t> Publisher::State::connection_generation() {
  // The status first: a reconnect completed between the two calls shows in the count.
  if (natsConnection_Status(nc) != NATS_CONN_STATUS_CONNECTED) return std::nullopt;
  std::uint64_t reconnects = 0;
  if (natsConnection_GetStats(nc, connection_stats) != NATS_OK ||
      natsStatistics_GetCounts(connection_stats, nullptr, nullptr, nullptr, nullptr, &reconnects) !=
          NATS_OK) {
    return std::nullopt;
  }
  return reconnects;
}

void Publisher::State::settle_front() {
  window.settle_front([&](const Message& message) {
    if (message.change) ++channels[static_cast<std::size_t>(message.channel)].tally.confirmed;
  });
}

void Publisher::State::retry_later() {
  retry_after = Clock::now() + retry_delay;
  retry_delay = std::min<Clock::duration>(retry_delay * 2, kLongestRetry);
}

void Publisher::State::report_losses(Clock::time_point now) {
  // Each kind on its own clock: the first at once, then at most one line per interval.
  if (unreported_drops > 0 && now - last_drop_report >= kReportEvery) {
    last_drop_report = now;
    publish_log()->warn(
        "dropped {} records that found no room among the {} awaiting the stream's "
        "acknowledgement (publish.loss = \"drop\", or the publisher was closing)",
        std::exchange(unreported_drops, 0), settings.max_pending);
  }
  if (unreported_errors > 0 && now - last_error_report >= kReportEvery) {
    last_error_report = now;
    publish_log()->warn("{} publishes to stream {} failed and will be retried; the last: {}",
                        std::exchange(unreported_errors, 0), settings.stream, last_error);
  }
}

PublishStats Publisher::State::stats_now() const {
  std::lock_guard lock(mutex);
  PublishStats out = counts;
  out.pending = window.size();
  out.connected = connected;
  return out;
}

void Publisher::State::close(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex);
  if (stopped) return;
  closing = true;
  room.notify_all();  // takers waiting for room return; their records count as dropped
  const bool empty = room.wait_for(lock, timeout, [&] { return window.empty(); });
  // Before the window is emptied: what was not acknowledged goes at the next start.
  save_progress(lock);
  std::uint64_t left = 0;
  window.drain([&](const Message& message) {
    ++left;
    if (message.change) ++channels[static_cast<std::size_t>(message.channel)].tally.lost;
  });
  counts.dropped += left;
  unreported_drops = 0;
  stopped = true;
  work.notify_all();
  lock.unlock();
  if (!empty && left > 0) {
    publish_log()->error(
        "{} records were not acknowledged by stream {} within {} ms of the stop; the next start "
        "publishes them again: change records from the binlog checkpoint, the others from the "
        "event log's file (none when it has no file)",
        left, settings.stream, timeout.count());
  }
  if (sender.joinable()) sender.join();
  if (nc != nullptr) {
    natsConnection_Close(nc);
    // libnats calls the closed callback last, once the connection's threads are done: no
    // callback into this object comes after it (bounded, should it never come).
    std::unique_lock closing_lock(mutex);
    room.wait_for(closing_lock, std::chrono::seconds{2}, [&] { return closed; });
  }
  if (js != nullptr) jsCtx_Destroy(std::exchange(js, nullptr));
  if (nc != nullptr) natsConnection_Destroy(std::exchange(nc, nullptr));
  if (options != nullptr) natsOptions_Destroy(std::exchange(options, nullptr));
  // No nats_Close(): it tears down OpenSSL's state, which the proxy's TLS contexts still use
  // until the process ends (a crash at exit, with NATS over TLS). libnats's own threads end
  // with the process; the connection's are joined by natsConnection_Destroy.
}

std::expected<std::unique_ptr<Publisher>, std::string> Publisher::start(
    PublisherSettings settings) {
  auto state = std::make_shared<State>(std::move(settings));
  if (auto connected = state->connect(); !connected) {
    state->close(0ms);
    return std::unexpected(connected.error());
  }
  publish_log()->info("publishing to NATS JetStream stream {} as '{}' under {}.> ({})",
                      state->settings.stream, state->settings.instance,
                      state->settings.subject_prefix, joined(state->settings.urls));
  return std::unique_ptr<Publisher>(new Publisher(std::move(state)));
}

Publisher::~Publisher() { close(0ms); }

std::shared_ptr<eventlog::Outlet> Publisher::outlet() {
  return std::make_shared<Channel>(
      state_,
      state_->add_channel(ChannelState{.lineage = state_->started_us, .progress_file = {}}));
}

std::expected<std::shared_ptr<eventlog::Outlet>, std::string> Publisher::outlet_for_log(
    const std::string& log_path) {
  auto index = state_->add_log_channel(log_path);
  if (!index) return std::unexpected(index.error());
  return std::make_shared<Channel>(state_, *index);
}

PublishStats Publisher::stats() const { return state_->stats_now(); }

const PublisherSettings& Publisher::settings() const { return state_->settings; }

void Publisher::close(std::chrono::milliseconds timeout) { state_->close(timeout); }

}  // namespace gw::publish
