#include "app/admin_endpoint.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "app/binlog_follower.h"
#include "app/serving_loops.h"
#include "control/control_service.h"
#include "eventlog/writer.h"
#include "metrics/exposition.h"
#include "publish/publisher.h"

namespace gw::app {
namespace {

// A loop that does not answer within this is reported as such (503), not waited for.
constexpr std::chrono::milliseconds kLoopAnswer{2000};

// The readiness answer crosses the bridge as text: "" when ready, else the reason.
std::optional<admin::Readiness> readiness_from(std::optional<std::string> answer) {
  if (!answer) return std::nullopt;
  return admin::Readiness{answer->empty(), answer->empty() ? "ready" : *answer};
}

void write_event_log(metrics::Exposition& out, const eventlog::EventLog& log) {
  out.gauge("event_log_enabled", "1 when the event log is written (event_log.path set).",
            log.enabled() ? 1 : 0);
  if (!log.enabled()) return;
  const eventlog::Stats stats = log.stats();
  out.counter("event_log_lines_written_total",
              "Lines the event log's writer put in the file (records and loss notices).",
              static_cast<double>(stats.written));
  out.counter("event_log_records_dropped_total",
              "Records lost (queue full under loss = \"drop\", file not writable, left at close); "
              "each loss is also written down in the log itself.",
              static_cast<double>(stats.dropped));
  out.counter("event_log_write_errors_total", "Failed writes, opens and rotations.",
              static_cast<double>(stats.write_errors));
  out.counter("event_log_written_bytes_total", "Bytes the event log's writer put in the file.",
              static_cast<double>(stats.bytes));
  out.gauge("event_log_queue_records", "Records waiting for the writer thread.",
            static_cast<double>(stats.queue_depth));
}

void write_control(metrics::Exposition& out, const control::ControlService* control) {
  out.gauge("control_connection_ready",
            "1 when the control connection is logged in; 0 when it is not (or not configured).",
            control != nullptr && control->ready() ? 1 : 0);
  out.counter("control_connection_reconnects_total",
              "New control connections after a loss or a failed login.",
              control != nullptr ? static_cast<double>(control->reconnects()) : 0);
}

void write_publisher(metrics::Exposition& out, const publish::Publisher* publisher) {
  if (publisher == nullptr) return;
  const publish::PublishStats stats = publisher->stats();
  out.gauge("publish_connected", "1 while the connection to NATS is up.", stats.connected ? 1 : 0);
  out.counter("publish_records_total",
              "Records the JetStream stream acknowledged (duplicates included).",
              static_cast<double>(stats.published));
  out.counter("publish_duplicates_total",
              "Acknowledgements of a message the stream already held (a record sent again).",
              static_cast<double>(stats.duplicates));
  out.counter("publish_records_dropped_total",
              "Records not published: no room under publish.loss = \"drop\", or left "
              "unacknowledged at the stop.",
              static_cast<double>(stats.dropped));
  out.counter("publish_sent_again_total",
              "Messages sent again after a reconnect or a lost acknowledgement.",
              static_cast<double>(stats.sent_again));
  out.counter("publish_errors_total", "Negative acknowledgements and failed sends (retried).",
              static_cast<double>(stats.errors));
  out.counter("publish_reconnects_total", "Connections to NATS regained after a loss.",
              static_cast<double>(stats.reconnects));
  out.gauge("publish_pending_records",
            "Records waiting to be sent or for the stream's acknowledgement.",
            static_cast<double>(stats.pending));
}

void write_follower(metrics::Exposition& out, FollowerApp* follower) {
  if (follower == nullptr) return;
  const binlog::Follower& f = follower->follower();
  out.gauge("binlog_follower_streaming", "1 while the binlog dump runs.",
            f.state() == binlog::Follower::State::Streaming ? 1 : 0);
  out.counter("binlog_change_records_total", "Change records submitted by the binlog follower.",
              static_cast<double>(f.stats().records));
  out.counter("binlog_reconnects_total", "New binlog dump connections after a loss.",
              static_cast<double>(f.stats().reconnects));
  out.counter("binlog_checkpoints_total", "Checkpoints handed to the checkpoint thread.",
              static_cast<double>(f.stats().checkpoints));
  const binlog::ChangeStreamStats totals = f.stream_totals();
  out.counter("binlog_events_total", "Binlog events decoded since start (heartbeats included).",
              static_cast<double>(totals.events));
  out.counter("binlog_rows_total", "Row changes decoded since start.",
              static_cast<double>(totals.rows));
  if (const auto lag = f.lag_seconds()) {
    out.gauge("binlog_lag_seconds",
              "Now minus the last event's timestamp; 0 when the server's last word was a "
              "heartbeat (nothing newer to send).",
              *lag);
  }
  if (const auto last = f.last_checkpoint()) {
    out.gauge("binlog_checkpoint_age_seconds", "Time since the last checkpoint was handed over.",
              std::chrono::duration<double>(std::chrono::system_clock::now() - *last).count());
  }
}

}  // namespace

std::expected<std::unique_ptr<AdminEndpoint>, std::string> AdminEndpoint::start(
    uv_loop_t* loop, const config::Endpoint& address, AdminSources sources) {
  std::unique_ptr<AdminEndpoint> endpoint(new AdminEndpoint(loop, sources));
  AdminEndpoint* self = endpoint.get();
  admin::Handlers handlers;
  handlers.metrics = [self] { return self->metrics_page(); };
  handlers.ready = [self] {
    return readiness_from(self->bridge_.ask([self] { return self->readiness(); }, kLoopAnswer));
  };
  handlers.drain = [self] {
    return self->bridge_.ask(
        [self] {
          self->sources_.loops.drain();
          return "draining: " + std::to_string(self->sources_.loops.connection_count()) +
                 " client connections to end; /ready answers 503 from now on";
        },
        kLoopAnswer);
  };
  auto server = admin::AdminServer::start(address.host, address.port, std::move(handlers));
  if (!server) {
    endpoint->close();
    return std::unexpected(server.error());
  }
  endpoint->server_ = std::move(*server);
  spdlog::info("admin endpoint on http://{}:{} (/metrics, /health, /ready, POST /drain)",
               address.host, endpoint->server_->port());
  return endpoint;
}

AdminEndpoint::~AdminEndpoint() {
  bridge_.close();  // (already closed) no handler may wait on the loop while the thread joins
  if (server_) server_->stop();
}

// On the HTTP thread. Nothing is published when a loop does not answer: a page that left one
// loop out would show its counters going back.
std::optional<std::string> AdminEndpoint::metrics_page() {
  ServingLoops& loops = sources_.loops;
  proxy::ProxyMetrics total;
  std::vector<std::uint64_t> accepted;
  for (const auto& one : loops.metrics(kLoopAnswer)) {
    if (!one) return std::nullopt;
    total += *one;
    accepted.push_back(one->accepted);
  }
  auto rest = bridge_.ask([this] { return main_loop_metrics(); }, kLoopAnswer);
  if (!rest) return std::nullopt;
  metrics::Exposition out;
  total.write(out, loops.connection_count());
  out.gauge("event_loops", "Event loops serving clients (listener.loops).",
            static_cast<double>(accepted.size()));
  std::vector<std::string> names;
  for (std::size_t i = 0; i < accepted.size(); ++i) names.push_back(std::to_string(i));
  std::vector<metrics::LabeledValue> per_loop;
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    per_loop.push_back({names[i], static_cast<double>(accepted[i])});
  }
  out.counters("loop_connections_accepted_total",
               "Client connections accepted, by event loop: how evenly the kernel spreads them.",
               "loop", per_loop);
  return out.take() + *rest;
}

// On the main loop: what lives there.
std::string AdminEndpoint::main_loop_metrics() const {
  metrics::Exposition out;
  out.gauge("accepting_clients", "1 while the listeners accept clients (no drain, no stop).",
            sources_.loops.accepting() ? 1 : 0);
  write_event_log(out, sources_.event_log);
  write_control(out, sources_.control);
  write_follower(out, sources_.follower);
  write_publisher(out, sources_.publisher);
  return out.take();
}

std::string AdminEndpoint::readiness() const {
  const ServingLoops& loops = sources_.loops;
  if (!loops.accepting()) return "draining (POST /drain or a stop signal)";
  if (sources_.control != nullptr && !sources_.control->ready()) {
    const std::string& why = sources_.control->last_error();
    return "the control connection is not ready" + (why.empty() ? "" : ": " + why);
  }
  if (const auto why = loops.upstream_problem(); !why.empty()) {
    return "the upstream is not reachable: " + why;
  }
  return "";
}

}  // namespace gw::app
