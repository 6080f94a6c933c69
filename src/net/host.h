#pragma once
// What the host offers the listeners: how many CPUs to spread event loops over, and whether a
// listening socket that closes hands its queued connections to another socket on the same port.

namespace gw::net {

// The CPUs this process may run on (its affinity mask and cgroup limits as libuv reads them),
// at least 1: the default number of event loops.
unsigned available_cpus();

// Whether Linux moves the connections waiting in a closing SO_REUSEPORT listener's accept queue
// to another listener of the same port (net.ipv4.tcp_migrate_req = 1, Linux 5.14+) instead of
// resetting them: what a restart on the same address needs so that no client is refused.
// False when the setting is 0, absent or unreadable.
bool queued_connections_migrate();

}  // namespace gw::net
