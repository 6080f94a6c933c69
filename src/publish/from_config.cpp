// PublisherSettings from the [publish] table (publisher.h).

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "publish/publisher.h"

namespace gw::publish {
namespace {

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "gracewire";
  return name;
}

}  // namespace

std::expected<PublisherSettings, std::string> publisher_settings(const config::PublishConfig& c) {
  PublisherSettings settings;
  settings.urls = c.nats_url;
  settings.creds_file = c.nats_creds;
  settings.user = c.nats_user;
  if (!c.nats_password_env.empty()) {
    const char* password = std::getenv(c.nats_password_env.c_str());
    if (password == nullptr) {
      return std::unexpected("publish.nats_password_env names " + c.nats_password_env +
                             ", which is not set in gracewire's environment");
    }
    settings.password = password;
  }
  settings.tls_ca = c.nats_tls_ca;
  settings.stream = c.stream;
  settings.subject_prefix = c.subject_prefix;
  settings.instance = c.instance.empty() ? host_name() : c.instance;
  settings.lifecycle = c.lifecycle;
  settings.audit = c.audit;
  settings.changes = c.changes;
  settings.max_pending = c.max_pending;
  settings.loss = c.loss;
  settings.create_stream = c.create_stream;
  settings.duplicate_window = c.duplicate_window;
  return settings;
}

}  // namespace gw::publish
