#include "app/reload.h"

namespace gw::app {
namespace {

// TLS keys: new contexts are built on every reload (a certificate renewed in place is read
// again), and they serve new connections only.
void take_tls(config::Config& to, const config::Config& from) {
  to.listener.tls_mode = from.listener.tls_mode;
  to.listener.tls_cert = from.listener.tls_cert;
  to.listener.tls_key = from.listener.tls_key;
  to.listener.tls_ca = from.listener.tls_ca;
  to.listener.tls_min_version = from.listener.tls_min_version;
  to.listener.tls_ciphers = from.listener.tls_ciphers;
  to.upstream.tls_mode = from.upstream.tls_mode;
  to.upstream.tls_ca = from.upstream.tls_ca;
  to.upstream.tls_server_name = from.upstream.tls_server_name;
  to.upstream.tls_cert = from.upstream.tls_cert;
  to.upstream.tls_key = from.upstream.tls_key;
}

bool same_tls(const config::Config& a, const config::Config& b) {
  config::Config only_a;
  config::Config only_b;
  take_tls(only_a, a);
  take_tls(only_b, b);
  return only_a == only_b;
}

// The keys reload applies, moved from `from` into `to`.
void take_reloadable(config::Config& to, const config::Config& from) {
  to.log.level = from.log.level;
  take_tls(to, from);
  to.event_log.audit = from.event_log.audit;
  to.event_log.lifecycle = from.event_log.lifecycle;
  to.event_log.users = from.event_log.users;
  to.event_log.schemas = from.event_log.schemas;
  to.event_log.commands = from.event_log.commands;
}

template <typename T>
void compare(const T& a, const T& b, const char* name, std::vector<std::string>& out) {
  if (!(a == b)) out.emplace_back(name);
}

}  // namespace

ReloadPlan plan_reload(const config::Config& running, const config::Config& loaded) {
  ReloadPlan plan;
  const auto& was = running.event_log;
  const auto& now = loaded.event_log;
  compare(running.log.level, loaded.log.level, "log.level", plan.applied);
  compare(was.audit, now.audit, "event_log.audit", plan.applied);
  compare(was.lifecycle, now.lifecycle, "event_log.lifecycle", plan.applied);
  compare(was.users, now.users, "event_log.users", plan.applied);
  compare(was.schemas, now.schemas, "event_log.schemas", plan.applied);
  compare(was.commands, now.commands, "event_log.commands", plan.applied);
  if (!same_tls(running, loaded)) plan.applied.emplace_back("tls");

  // Everything else: what differs once the reloadable keys are equal needs a restart.
  config::Config fixed = loaded;
  take_reloadable(fixed, running);
  compare(running.listener, fixed.listener, "listener", plan.need_restart);
  compare(running.upstream, fixed.upstream, "upstream", plan.need_restart);
  compare(running.buffers, fixed.buffers, "buffers", plan.need_restart);
  compare(running.log, fixed.log, "log.format", plan.need_restart);
  compare(running.close, fixed.close, "close", plan.need_restart);
  compare(running.control, fixed.control, "control", plan.need_restart);
  compare(running.binlog, fixed.binlog, "binlog", plan.need_restart);
  const auto& fixed_log = fixed.event_log;
  compare(was.path, fixed_log.path, "event_log.path", plan.need_restart);
  compare(was.rotate_size, fixed_log.rotate_size, "event_log.rotate_size", plan.need_restart);
  compare(was.rotate_keep, fixed_log.rotate_keep, "event_log.rotate_keep", plan.need_restart);
  compare(was.flush_interval, fixed_log.flush_interval, "event_log.flush_interval",
          plan.need_restart);
  compare(was.loss, fixed_log.loss, "event_log.loss", plan.need_restart);
  compare(was.queue_records, fixed_log.queue_records, "event_log.queue_records", plan.need_restart);
  compare(was.hash_chain, fixed_log.hash_chain, "event_log.hash_chain", plan.need_restart);
  compare(was.params, fixed_log.params, "event_log.params", plan.need_restart);
  compare(was.statement_limit, fixed_log.statement_limit, "event_log.statement_limit",
          plan.need_restart);
  // A key added to EventLogConfig and forgotten above still shows, without its name.
  if (plan.need_restart.empty() && !(running == fixed)) plan.need_restart.emplace_back("(other)");

  plan.next = running;
  take_reloadable(plan.next, loaded);
  return plan;
}

}  // namespace gw::app
