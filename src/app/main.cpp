#include <cstdio>

#include "gracewire/version.h"

int main() {
  std::printf("gracewire %s\n", gw::kVersion);
  return 0;
}
