#include "binlog/follower.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "logging/component_logger.h"
#include "net/async.h"
#include "net/timer.h"

namespace gw::binlog {

namespace pb = protocol::binlog;
using session::DumpSession;

namespace {

constexpr std::chrono::milliseconds kMaxRetryDelay{30'000};
// A clash of server ids resolves itself when the other dump was our own leftover (it dies at
// its next heartbeat); a second live replica keeps it: never retry fast.
constexpr std::chrono::milliseconds kClashRetryDelay{5'000};
constexpr std::chrono::milliseconds kMaxClashRetryDelay{300'000};
constexpr std::chrono::milliseconds kPollInterval{20};
// Only one control statement names the follower: its own id, apart from every session's.
constexpr std::uint64_t kFollowerCancelId = ~std::uint64_t{0};

}  // namespace

Follower::Follower(uv_loop_t* loop, FollowerSettings settings, eventlog::EventLog& changes,
                   control::Service* control, eventlog::SessionDirectory* attribution)
    : loop_(loop),
      settings_(std::move(settings)),
      changes_(changes),
      control_(control),
      attribution_(attribution),
      log_(logging::component_logger("binlog")),
      timer_(net::Timer::create(loop, [this] { on_timer(); })),
      poll_timer_(net::Timer::create(loop, [this] { on_poll(); })),
      answered_(net::Async::create(loop, [this] { resume_if_ready(); })) {
  // The callback runs on the answering session's loop thread: it may touch nothing of the
  // follower's but the async, whose wake runs resume_if_ready() here on the loop's next turn.
  if (attribution_ != nullptr) {
    attribution_->on_answer([answered = answered_] { answered->send(); });
  }
}

Follower::~Follower() {
  if (attribution_ != nullptr) attribution_->on_answer({});
}

std::expected<void, std::string> Follower::start() {
  if (!settings_.checkpoint_path.empty()) {
    auto checkpoint = read_checkpoint(settings_.checkpoint_path);
    if (!checkpoint) return std::unexpected(checkpoint.error());
    if (*checkpoint) {
      loaded_checkpoint_ = **checkpoint;
      resume_ = StreamPosition{(*checkpoint)->gtid, (*checkpoint)->binlog_file,
                               (*checkpoint)->binlog_pos, std::nullopt};
      if (const auto& open = (*checkpoint)->open) {
        resume_->open = RecordKey{open->gtid, open->event_index, open->row_index};
      }
      log_->info("resuming from checkpoint {}: gtid '{}', {}:{}", settings_.checkpoint_path,
                 pb::format_gtid_list(resume_->gtid), resume_->binlog_file, resume_->binlog_pos);
    }
    checkpoint_writer_ = std::make_unique<CheckpointWriter>(settings_.checkpoint_path);
  }
  poll_timer_->start(kPollInterval, kPollInterval);
  connect();
  return {};
}

ChangeStreamStats Follower::stream_totals() const {
  ChangeStreamStats totals = closed_streams_;
  if (stream_decoder_) totals += stream_decoder_->stats();
  return totals;
}

std::optional<double> Follower::lag_seconds() const {
  if (state_ != State::Streaming || !stream_decoder_) return std::nullopt;
  if (stream_decoder_->caught_up()) return 0.0;
  const std::uint32_t timestamp = stream_decoder_->last_event_timestamp();
  if (timestamp == 0) return std::nullopt;
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return std::max(0.0, now - timestamp);
}

std::optional<StreamPosition> Follower::position() const {
  if (stream_decoder_) return stream_decoder_->committed();
  return resume_;
}

std::chrono::milliseconds Follower::read_deadline() const {
  // A few heartbeat periods, never less than two seconds: a busy server's heartbeat is late.
  return std::max(settings_.heartbeat * 4, std::chrono::milliseconds{2000});
}

// --- connection and set-up ------------------------------------------------------------------

void Follower::connect() {
  state_ = State::Starting;
  step_ = Step::Login;
  session_ = std::make_unique<DumpSession>(
      settings_.user, settings_.password,
      settings_.tls.context ? settings_.tls.mode : protocol::LoginTls::Off);
  tls_leg_.reset();
  if (stream_decoder_) closed_streams_ += stream_decoder_->stats();
  stream_decoder_.reset();
  event_begun_ = false;
  paused_ = false;
  kill_sent_ = false;
  waiting_ = Waiting::Login;
  timer_->start(settings_.connect_timeout);
  stream_ = net::Stream::connect(loop_, settings_.upstream, *this,
                                 [this](int status) { connected(status); });
}

void Follower::connected(int status) {
  if (status != 0) {
    lost(fmt::format("cannot connect to {}: {}", settings_.upstream.to_string(),
                     net::uv_reason(status)));
    return;
  }
  stream_->set_keepalive(std::chrono::seconds{10});
  stream_->start_reading();
}

void Follower::on_read(net::Stream&, ByteView bytes) {
  if (!session_) return;
  const auto before = session_->state();
  if (tls_leg_.started()) {
    Bytes plain;
    if (!tls_leg_.receive(*stream_, bytes, plain)) {
      // During the login a failed handshake fails the same way next time (an unverifiable
      // certificate): not retried at once. Later, a broken record: reconnect and resume.
      const bool lasting =
          before == DumpSession::State::Greeting || before == DumpSession::State::Auth;
      const std::string why = fmt::format("TLS toward the server failed: {}", tls_leg_.error());
      if (lasting && state_ != State::Stopping) {
        stopped_by_tls_ = true;
        failed(why);
      } else {
        lost(why);
      }
      return;
    }
    session_->on_server_data(plain);
  } else {
    session_->on_server_data(bytes);
  }
  if (session_->wants_tls() && !tls_leg_.started() && !start_tls()) return;
  const auto state = session_->state();
  if (state == DumpSession::State::Failed) {
    session_failed();
    return;
  }
  if (state_ == State::Stopping) {
    // Reading to the server's end: events after the KILL are dropped, not recorded (the
    // checkpoint does not cover them, so they come again after a restart).
    while (session_->event()) session_->release_event();
    if (session_->state() == DumpSession::State::Ready) {
      quit();  // a login that finished during the stop
    }
    send();
    return;
  }
  if (before != DumpSession::State::Ready && state == DumpSession::State::Ready &&
      step_ == Step::Login) {
    log_->debug("logged in as '{}' (dump connection id {})", settings_.user,
                session_->connection_id());
    next_step();
  } else if (auto result = session_->take_result()) {
    on_step_result(std::move(*result));
  }
  if (state == DumpSession::State::Dumping) {
    timer_->start(read_deadline());  // any byte proves the connection alive
    pump();
  }
  send();
}

// The dump session failed: an ERR that ends the dump says whether to stop for good (a purged
// position, a diverged GTID), wait long (a server_id clash) or retry soon. The ERR may come in
// the same read as events and be parsed only once they are released (pump), or just before the
// server's close (on_read_end): every path lands here.
void Follower::session_failed() {
  if (state_ == State::Stopping) {
    close_stream();
    return;
  }
  if (state_ != State::Streaming && state_ != State::Starting) return;  // handled already
  if (const auto& err = session_->dump_error()) {
    switch (classify_dump_error(err->code, err->message)) {
      case DumpErrorKind::PositionPurged:
        failed(
            fmt::format("the start position is no longer on the server: {} (start from "
                        "\"current\", or remove the checkpoint to accept the gap)",
                        err->message));
        return;
      case DumpErrorKind::GtidDiverged:
        failed(
            fmt::format("the server's binlog does not contain the start position (GTID "
                        "diverged): {}",
                        err->message));
        return;
      case DumpErrorKind::ServerIdClash:
        clash_backoff();
        lost(fmt::format("another replica uses server_id {}: {}", settings_.server_id,
                         err->message));
        return;
      case DumpErrorKind::Transient:
        break;
    }
  }
  if (session_->login_refused()) {
    // Refused before TLS started where TLS is required: the server does not offer it.
    stopped_by_tls_ = !tls_leg_.started() && settings_.tls.context &&
                      settings_.tls.mode == protocol::LoginTls::Require;
    failed(session_->failure());
    return;
  }
  lost(session_->failure());
}

void Follower::next_step() {
  switch (step_) {
    case Step::Login:
      step_ = Step::Preflight;
      session_->query(kPreflightQuery);
      return;
    case Step::Preflight:
      step_ = Step::ServerIds;
      session_->query("SHOW SLAVE HOSTS");
      return;
    case Step::ServerIds: {
      // Where to start: a checkpoint's GTIDs, else the configured start.
      const bool by_file = resume_ ? resume_->gtid.empty() && !resume_->binlog_file.empty()
                                   : settings_.start == FollowerSettings::Start::FilePos;
      if (by_file) {
        step_ = Step::BinaryLogs;
        session_->query("SHOW BINARY LOGS");
        return;
      }
      if (resume_) {
        start_gtid_ = resume_->gtid;
      } else if (settings_.start == FollowerSettings::Start::Gtid) {
        auto list = pb::parse_gtid_list(settings_.start_gtid);
        if (!list)
          return failed(fmt::format("binlog.start '{}' is not a GTID list", settings_.start_gtid));
        start_gtid_ = std::move(*list);
      } else {
        start_gtid_ = facts_->gtid_binlog_pos;
      }
      step_ = Step::GtidAtPosition;
      [[fallthrough]];
    }
    case Step::GtidAtPosition:
      step_ = Step::Setup;
      session_->query(session_setup_sql(start_gtid_, settings_.heartbeat));
      return;
    case Step::BinaryLogs: {
      step_ = Step::GtidAtPosition;
      const auto& file = resume_ ? resume_->binlog_file : settings_.start_file;
      const auto pos = resume_ ? resume_->binlog_pos : settings_.start_pos;
      session_->query(gtid_at_position_query(file, pos));
      return;
    }
    case Step::Setup:
      step_ = Step::Register;
      session_->register_replica(
          {.server_id = settings_.server_id, .hostname = settings_.hostname, .port = 0});
      return;
    case Step::Register:
      start_dump();
      return;
    case Step::Dump:
      return;
  }
}

void Follower::on_step_result(protocol::TextResult result) {
  switch (step_) {
    case Step::Preflight: {
      auto facts = check_preflight(result, settings_.server_id);
      if (!facts) return failed(facts.error());
      facts_ = std::move(*facts);
      if (loaded_checkpoint_ && loaded_checkpoint_->server_id != 0 &&
          loaded_checkpoint_->server_id != facts_->server_id) {
        return failed(fmt::format(
            "the checkpoint {} was written against server_id {}, but the upstream is server_id "
            "{}: remove the checkpoint to start over on this server",
            settings_.checkpoint_path, loaded_checkpoint_->server_id, facts_->server_id));
      }
      break;
    }
    case Step::ServerIds:
      if (!result.ok && !std::exchange(advised_replica_hosts_, true)) {
        log_->info(
            "cannot check that server_id {} is unused (SHOW SLAVE HOSTS: ERR {} {}; it needs "
            "REPLICATION MASTER ADMIN): a clash shows only when the server ends the dump",
            settings_.server_id, result.error_code, result.error_message);
      }
      if (auto free = check_server_id_free(result, settings_.server_id); !free) {
        clash_backoff();
        return lost(free.error(), /*retry=*/true, /*quit_first=*/true);
      }
      break;
    case Step::BinaryLogs: {
      const auto& file = resume_ ? resume_->binlog_file : settings_.start_file;
      const auto pos = resume_ ? resume_->binlog_pos : settings_.start_pos;
      if (auto there = check_file_position(result, file, pos); !there) return failed(there.error());
      break;
    }
    case Step::GtidAtPosition: {
      const auto& file = resume_ ? resume_->binlog_file : settings_.start_file;
      const auto pos = resume_ ? resume_->binlog_pos : settings_.start_pos;
      auto gtid = gtid_at_position(result, file, pos);
      if (!gtid) return failed(gtid.error());
      start_gtid_ = std::move(*gtid);
      break;
    }
    case Step::Setup:
    case Step::Register:
      if (!result.ok) {
        return failed(
            fmt::format("{} failed: ERR {} {}",
                        step_ == Step::Setup ? "setting up the dump session" : "COM_REGISTER_SLAVE",
                        result.error_code, result.error_message));
      }
      break;
    case Step::Login:
    case Step::Dump:
      return;
  }
  next_step();
}

void Follower::start_dump() {
  step_ = Step::Dump;
  StreamPosition start;
  start.gtid = start_gtid_;
  if (resume_) {
    start.binlog_file = resume_->binlog_file;
    start.binlog_pos = resume_->binlog_pos;
    start.open = resume_->open;
  }
  gate_.reset();
  if (attribution_ != nullptr && facts_->tracks_last_gtid) {
    gate_.emplace(*attribution_);
  } else if (attribution_ != nullptr && !std::exchange(advised_last_gtid_, true)) {
    log_->warn("{}", kLastGtidAdvice);
  }
  stream_decoder_.emplace(ChangeStream::Options{.initial_checksum = facts_->checksum,
                                                .statement_limit = settings_.statement_limit,
                                                .attribution = attribution_},
                          std::move(start));
  // With the statements behind the rows (MariaDB leaves ANNOTATE_ROWS out of a dump unless
  // asked), so that event_index counts the same events as the binlog file holds.
  session_->start_dump({.position = 4,
                        .flags = protocol::binlog::BinlogDump::kSendAnnotateRows,
                        .server_id = settings_.server_id,
                        .file = {}});
  state_ = State::Streaming;
  waiting_ = Waiting::Heartbeat;
  timer_->start(read_deadline());
  // A clash's wait survives a dump that starts: the other replica may take it back at once.
  retry_delay_ = std::max(std::chrono::milliseconds{250}, clash_delay_);
  if (announced_loss_) log_->info("binlog dump resumed");
  announced_loss_ = false;
  last_error_.clear();
  log_->info(
      "following the binlog of server_id {} ({}) from gtid '{}' as server_id {} (dump "
      "connection id {}{})",
      facts_->server_id, facts_->version, pb::format_gtid_list(start_gtid_), settings_.server_id,
      session_->connection_id(), tls_leg_.describe());
}

// --- losing the connection, retrying, failing -----------------------------------------------

void Follower::lost(const std::string& why, bool retry, bool quit_first) {
  if (state_ == State::Stopping || state_ == State::Stopped) {
    close_stream();
    return;
  }
  last_error_ = why;
  if (!announced_loss_) {
    log_->warn("binlog dump connection lost: {}; reconnecting", why);
    announced_loss_ = true;
  } else if (clash_delay_.count() > 0) {
    // A clash is a configuration error: said every time (the backoff keeps it to a few lines).
    log_->warn("binlog dump connection attempt failed: {}", why);
  } else {
    log_->debug("binlog dump connection attempt failed: {}", why);
  }
  if (stream_decoder_) resume_ = stream_decoder_->resume_point();
  state_ = retry ? State::Waiting : State::Failed;
  timer_->stop();
  waiting_ = Waiting::Nothing;
  const bool can_quit = session_ && (session_->state() == DumpSession::State::Ready ||
                                     session_->state() == DumpSession::State::Busy);
  if (stream_ && quit_first && can_quit) {
    // Logged in and not dumping: COM_QUIT, then the server's close (bounded), so that the
    // server logs no aborted connection for a retry.
    quit();
    waiting_ = Waiting::StopEnd;
    timer_->start(settings_.close_timeout);
  } else if (stream_) {
    stream_->close();  // on_closed() schedules the retry
  } else if (retry) {
    schedule_retry();
  }
}

void Follower::set_tls(control::ControlTls tls) {
  settings_.tls = std::move(tls);
  if (state_ != State::Failed || !stopped_by_tls_) return;
  stopped_by_tls_ = false;
  log_->info("TLS settings reloaded: the binlog follower tries again");
  if (stream_ == nullptr) {
    connect();
  } else {
    state_ = State::Waiting;  // on_closed() schedules the attempt
  }
}

void Follower::failed(const std::string& why) {
  log_->error("binlog follower stopped: {}", why);
  // Before the dump the session can still end cleanly.
  if (session_ && (session_->state() == DumpSession::State::Ready ||
                   session_->state() == DumpSession::State::Busy)) {
    quit();
    last_error_ = why;
    state_ = State::Failed;
    waiting_ = Waiting::StopEnd;
    timer_->start(settings_.close_timeout);
  } else {
    lost(why, /*retry=*/false);
    last_error_ = why;
  }
  // Last: the callback may stop the follower.
  if (auto callback = std::exchange(on_failed_, nullptr)) callback(why);
}

// Two replicas with one server_id take the dump from each other (the server ends the older
// one): each clash doubles the wait, up to five minutes, so two misconfigured followers never
// fight in a tight loop. It is a configuration error; the log says so every time.
void Follower::clash_backoff() {
  const auto delay =
      std::min(kClashRetryDelay * (std::int64_t{1} << std::min(clashes_, 6)), kMaxClashRetryDelay);
  ++clashes_;
  retry_delay_ = std::max(retry_delay_, delay);
  clash_delay_ = delay;
}

void Follower::schedule_retry() {
  std::uniform_real_distribution<double> spread(0.8, 1.2);
  const auto delay = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(retry_delay_.count()) * spread(jitter_)));
  waiting_ = Waiting::Retry;
  timer_->start(delay);
  retry_delay_ = std::min(retry_delay_ * 2, kMaxRetryDelay);
  ++stats_.reconnects;
}

void Follower::on_timer() {
  switch (waiting_) {
    case Waiting::Nothing:
      return;
    case Waiting::Login:
      lost(fmt::format("not ready to dump within connect_timeout ({} ms)",
                       settings_.connect_timeout.count()));
      return;
    case Waiting::Retry:
      connect();
      return;
    case Waiting::Heartbeat:
      if (paused_) return;  // not reading by choice; the deadline counts from the resume
      if (stream_ != nullptr && stream_->unread_bytes() > 0) {
        // The server did speak: this loop ran late (a loaded host, a paused VM) and has not
        // read it yet. Timers run before reads in a loop's turn, so the bytes come next.
        timer_->start(read_deadline());
        return;
      }
      lost(
          fmt::format("nothing from the server for {} ms (heartbeat {} ms): the connection is "
                      "taken for dead",
                      read_deadline().count(), settings_.heartbeat.count()));
      return;
    case Waiting::StopEnd:
      if (state_ == State::Stopping) {
        log_->warn("the binlog dump did not end within close_timeout ({} ms); closing it",
                   settings_.close_timeout.count());
      }
      close_stream();
      return;
  }
}

void Follower::on_read_end(net::Stream&, int status) {
  if (session_) session_->on_server_eof();
  const bool clean = session_ && session_->state() == DumpSession::State::Closed;
  if (state_ == State::Stopping || state_ == State::Failed || state_ == State::Waiting) {
    close_stream();  // an ending already decided (a COM_QUIT before a retry, a stop, a failure)
    return;
  }
  if (session_ && session_->state() == DumpSession::State::Failed && session_->dump_error()) {
    session_failed();  // an ERR behind events, parsed only now
    return;
  }
  if (clean) {
    lost("the server ended the dump");
    return;
  }
  lost(status == 0 ? (session_ ? session_->failure() : std::string("closed"))
                   : fmt::format("connection lost: {}", net::uv_reason(status)));
}

void Follower::close_stream() {
  timer_->stop();
  if (stream_) {
    stream_->close();
  } else if (state_ == State::Stopping) {
    finish_stop();
  }
}

void Follower::on_closed(net::Stream&) {
  stream_ = nullptr;
  if (state_ == State::Stopping) {
    finish_stop();
  } else if (state_ == State::Waiting) {
    schedule_retry();
  }
}

// --- stop -----------------------------------------------------------------------------------

void Follower::stop(bool now, std::function<void()> done) {
  if (state_ == State::Stopping) {
    if (now) close_stream();
    return;
  }
  if (state_ == State::Stopped) {
    if (done) done();
    return;
  }
  const bool dumping = session_ && session_->state() == DumpSession::State::Dumping;
  if (stream_decoder_) {
    resume_ = stream_decoder_->resume_point();
    // Where a restart continues, the records of a transaction half read included; saved once
    // every record submitted so far is written (write_final_checkpoint).
    pending_checkpoints_.push_back({submitted_, *resume_});
  }
  state_ = State::Stopping;
  on_stopped_ = std::move(done);
  flush_checkpoint();
  poll_timer_->stop();
  if (!stream_ || now) {
    close_stream();
    return;
  }
  waiting_ = Waiting::StopEnd;
  timer_->start(settings_.close_timeout);
  if (dumping) {
    if (control_ != nullptr) {
      control_->cancel_query(session_->connection_id(), kFollowerCancelId, {});
      kill_sent_ = true;
      log_->info("ending the binlog dump: KILL QUERY {} (the dump thread), reading to its end",
                 session_->connection_id());
    } else {
      log_->warn("no control connection to end the binlog dump with KILL QUERY: closing it");
      close_stream();
      return;
    }
    // Paused or not, read to the end now; what arrives is dropped (see on_read).
    while (session_->event()) session_->release_event();
    if (!stream_->reading()) stream_->start_reading();
    return;
  }
  const auto login = session_ ? session_->state() : DumpSession::State::Failed;
  if (login == DumpSession::State::Ready || login == DumpSession::State::Busy) {
    quit();
    return;
  }
  if (login == DumpSession::State::Greeting || login == DumpSession::State::Auth) {
    return;  // on_read quits once the login is done, within close_timeout
  }
  close_stream();
}

void Follower::finish_stop() {
  if (state_ == State::Stopped) return;
  if (kill_sent_ && control_ != nullptr) control_->cancel_finished(kFollowerCancelId);
  state_ = State::Stopped;
  auto done = std::move(on_stopped_);
  // Cleared first: once on_answer returns no session's thread is in send(), as close() needs.
  if (attribution_ != nullptr) attribution_->on_answer({});
  timer_->close();
  answered_->close();
  poll_timer_->close([done = std::move(done)] {
    if (done) done();
  });
  timer_ = nullptr;
  answered_ = nullptr;
  poll_timer_ = nullptr;
}

}  // namespace gw::binlog
