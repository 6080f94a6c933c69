// A placeholder so that the command line links while the follower is written: the lead
// replaces this file with the real run.
#include "app/binlog_run.h"

#include <iostream>

namespace gw::app {

int run_binlog_command(const BinlogCommandOptions& /*options*/, const config::Config& /*config*/) {
  std::cerr << "gracewire binlog: not built yet\n";
  return 1;
}

}  // namespace gw::app
