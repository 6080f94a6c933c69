#include <iostream>

#include "app/cli.h"
#include "app/run.h"
#include "app/subcommands.h"

namespace {

// Configuration problems exit with the same code as usage errors: the invocation was wrong.
constexpr int kConfigError = 2;

}  // namespace

int main(int argc, char** argv) {
  if (auto exit_code = gw::app::run_subcommand(argc, argv, std::cout, std::cerr)) return *exit_code;

  auto options = gw::app::parse_cli(argc, argv, std::cout, std::cerr);
  if (!options) return options.error().code;

  auto config = gw::app::resolve_config(*options);
  if (!config) {
    std::cerr << config.error() << '\n';
    return kConfigError;
  }
  if (options->check_config) {
    std::cout << "configuration OK\n";
    return 0;
  }
  return gw::app::run_proxy(*config, *options);
}
