// conf/gracewire.toml is the user's reference: it must load, equal the built-in defaults, and
// mention every key.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/keys.h"
#include "config/load.h"

namespace gw::config {
namespace {

const std::string kConfFile = std::string(GW_SOURCE_DIR) + "/conf/gracewire.toml";

TEST(ConfFile, LoadsAndEqualsTheBuiltInDefaults) {
  const auto loaded = load_config_file(kConfFile);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(*loaded, Config{});
}

TEST(ConfFile, SetsEveryKnownKeyUnderItsTable) {
  std::ifstream in(kConfFile);
  std::stringstream text;
  text << in.rdbuf();
  const std::string conf = text.str();
  for (const auto& table : known_tables()) {
    const auto header = conf.find("\n[" + table + "]\n");
    ASSERT_NE(header, std::string::npos) << table;
    const auto next = conf.find("\n[", header + 1);
    const std::string body = conf.substr(header, next - header);
    for (const auto& key : known_keys_of(table)) {
      EXPECT_NE(body.find("\n" + key + " = "), std::string::npos) << table << "." << key;
    }
  }
}

}  // namespace
}  // namespace gw::config
