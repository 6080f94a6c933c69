#include "net/host.h"

#include <uv.h>

#include <algorithm>
#include <fstream>

namespace gw::net {

unsigned available_cpus() { return std::max(1u, uv_available_parallelism()); }

bool queued_connections_migrate() {
  std::ifstream setting("/proc/sys/net/ipv4/tcp_migrate_req");
  char value = '0';
  // One character is all it holds ("0\n" or "1\n"); nothing more is read.
  return setting.get(value) && value == '1';
}

}  // namespace gw::net
