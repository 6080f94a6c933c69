// The runtime settings start where the configuration does: one default for each knob
// (config/defaults.h), one mapping from each configuration word to a session policy.

#include "eventlog/settings.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "eventlog/from_config.h"
#include "proxy/policies.h"
#include "proxy/settings.h"

namespace gw::proxy {
namespace {

TEST(Settings, ProxyDefaultsAreTheConfigurationsDefaults) {
  const config::Config config;
  const ProxySettings settings;
  EXPECT_EQ(settings.max_connections, config.listener.max_connections);
  EXPECT_EQ(settings.handshake_timeout, config.listener.handshake_timeout);
  EXPECT_EQ(settings.connect_timeout, config.upstream.connect_timeout);
  EXPECT_EQ(settings.greeting_timeout, config.upstream.greeting_timeout);
  EXPECT_EQ(settings.close_timeout, config.close.close_timeout);
  EXPECT_EQ(settings.drain_timeout, config.close.drain_timeout);
  EXPECT_EQ(settings.high_water, config.buffers.high_water);
  EXPECT_EQ(settings.low_water, config.buffers.low_water);
}

TEST(Settings, EventLogDefaultsAreTheConfigurationsDefaults) {
  const eventlog::EventLogSettings plain;
  const eventlog::EventLogSettings configured = eventlog::settings_from(config::EventLogConfig{});
  EXPECT_EQ(plain.path, configured.path);
  EXPECT_EQ(plain.rotate_bytes, configured.rotate_bytes);
  EXPECT_EQ(plain.rotate_keep, configured.rotate_keep);
  EXPECT_EQ(plain.flush_interval, configured.flush_interval);
  EXPECT_EQ(plain.loss, configured.loss);
  EXPECT_EQ(plain.queue_records, configured.queue_records);
  EXPECT_EQ(plain.hash_chain, configured.hash_chain);
  EXPECT_EQ(plain.audit, configured.audit);
  EXPECT_EQ(plain.lifecycle, configured.lifecycle);
  EXPECT_EQ(plain.params, configured.params);
  EXPECT_EQ(plain.statement_limit, configured.statement_limit);
}

TEST(Settings, EachConfigurationWordMapsToItsPolicy) {
  EXPECT_EQ(client_abort_policy(config::ClientAbort::Absorb), session::ClientAbortPolicy::Absorb);
  EXPECT_EQ(client_abort_policy(config::ClientAbort::Mirror), session::ClientAbortPolicy::Mirror);
  EXPECT_EQ(in_flight_policy(config::InFlight::Cancel, true), session::InFlightPolicy::Cancel);
  EXPECT_EQ(in_flight_policy(config::InFlight::Cancel, false), session::InFlightPolicy::Finish);
  EXPECT_EQ(in_flight_policy(config::InFlight::Finish, true), session::InFlightPolicy::Finish);
  EXPECT_EQ(in_flight_policy(config::InFlight::Finish, false), session::InFlightPolicy::Finish);
}

}  // namespace
}  // namespace gw::proxy
