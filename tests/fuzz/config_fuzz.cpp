// The config loader (config/load.h) on arbitrary TOML text. Properties: no crash, no exception
// escapes (a start-up error must be a ConfigError, not std::terminate), every error carries a
// problem text, and the first-error and all-errors entry points agree on whether the text is
// valid and on which error comes first.

#include <string>

#include "config/load.h"
#include "fuzz_support.h"

using namespace gw;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_chars(ByteView(data, size));
  auto one = config::parse_config(text, "fuzz.toml");
  auto all = config::parse_config_all(text, "fuzz.toml");
  FUZZ_CHECK(one.has_value() == all.has_value());
  if (!one) {
    FUZZ_CHECK(!one.error().problem.empty());
    FUZZ_CHECK(!all.error().empty());
    FUZZ_CHECK(all.error().front().problem == one.error().problem);
    FUZZ_CHECK(all.error().front().line == one.error().line);
  }
  return 0;
}
