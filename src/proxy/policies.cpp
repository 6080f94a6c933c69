#include "proxy/policies.h"

namespace gw::proxy {

// Switches without a default: a new configuration word does not compile until it maps.
session::ClientAbortPolicy client_abort_policy(config::ClientAbort abort) {
  switch (abort) {
    case config::ClientAbort::Absorb:
      return session::ClientAbortPolicy::Absorb;
    case config::ClientAbort::Mirror:
      return session::ClientAbortPolicy::Mirror;
  }
  return session::ClientAbortPolicy::Absorb;
}

session::InFlightPolicy in_flight_policy(config::InFlight in_flight, bool have_control) {
  switch (in_flight) {
    case config::InFlight::Cancel:
      return have_control ? session::InFlightPolicy::Cancel : session::InFlightPolicy::Finish;
    case config::InFlight::Finish:
      return session::InFlightPolicy::Finish;
  }
  return session::InFlightPolicy::Finish;
}

}  // namespace gw::proxy
