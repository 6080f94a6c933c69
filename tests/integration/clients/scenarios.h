// The gw_probe scenarios. Each opens its own connections, leaves nothing behind but what it
// documents, and prints its transcript through `t`.
#pragma once

#include "probe.h"

namespace gw::probe {

// probe_prepared.cpp
void scenario_prepared_types(Transcript& t, const ConnectParams& params);
void scenario_long_data(Transcript& t, const ConnectParams& params);
void scenario_stmt_reset_close(Transcript& t, const ConnectParams& params);
// probe_cursor.cpp
void scenario_cursor_fetch(Transcript& t, const ConnectParams& params);
// probe_multi.cpp
void scenario_multi_result_proc(Transcript& t, const ConnectParams& params);
void scenario_multi_statements(Transcript& t, const ConnectParams& params);
// probe_session.cpp
void scenario_change_user(Transcript& t, const ConnectParams& params);
void scenario_misc_commands(Transcript& t, const ConnectParams& params);
// probe_mariadb.cpp
void scenario_mariadb_ps_extensions(Transcript& t, const ConnectParams& params);

}  // namespace gw::probe
