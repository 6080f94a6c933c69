#pragma once
// The configuration's words for what happens when a client leaves ([close] client_abort,
// in_flight) mapped, once, to the policies sessions follow. The session layer does not know the
// configuration, and the configuration does not know sessions: this is where they meet.

#include "config/config.h"
#include "session/session.h"

namespace gw::proxy {

session::ClientAbortPolicy client_abort_policy(config::ClientAbort abort);

// Cancel needs the control connection's KILL QUERY: without one, in-flight commands finish.
session::InFlightPolicy in_flight_policy(config::InFlight in_flight, bool have_control);

}  // namespace gw::proxy
