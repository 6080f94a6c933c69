#include "eventlog/from_config.h"

namespace gw::eventlog {

EventLogSettings settings_from(const config::EventLogConfig& config) {
  EventLogSettings settings;
  settings.path = config.path;
  settings.rotate_bytes = config.rotate_size;
  settings.rotate_keep = config.rotate_keep;
  settings.flush_interval = config.flush_interval;
  settings.loss = config.loss;
  settings.queue_records = config.queue_records;
  settings.hash_chain = config.hash_chain;
  settings.audit = config.audit;
  settings.lifecycle = config.lifecycle;
  settings.users = config.users;
  settings.schemas = config.schemas;
  settings.command_classes = config.commands;
  settings.params = config.params;
  settings.statement_limit = static_cast<std::size_t>(config.statement_limit);
  return settings;
}

}  // namespace gw::eventlog
