// conf/gracewire.toml is the user's reference: it must load, equal the built-in defaults, and
// mention every key.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/keys.h"
#include "config/load.h"
#include "config/schema.h"

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

// The range a numeric key enforces is the one its comment states: "Range: <range>" in the comment
// lines right above `key = `.
TEST(ConfFile, StatesEveryNumericKeysEnforcedRange) {
  std::ifstream in(kConfFile);
  std::stringstream text;
  text << in.rdbuf();
  const std::string conf = text.str();
  int numeric = 0;
  for (const auto& key : known_keys()) {
    if (key.range == nullptr) continue;
    ++numeric;
    const auto header = conf.find("\n[" + std::string(key.table) + "]\n");
    ASSERT_NE(header, std::string::npos) << key.dotted();
    const auto line = conf.find("\n" + std::string(key.name) + " = ", header);
    ASSERT_NE(line, std::string::npos) << key.dotted();
    // The comment block: the '#' lines just above.
    auto start = line;
    while (start > 0) {
      const auto previous = conf.rfind('\n', start - 1);
      if (previous == std::string::npos || conf[previous + 1] != '#') break;
      start = previous;
    }
    const std::string comment = conf.substr(start, line - start);
    EXPECT_NE(comment.find("Range: " + key.range()), std::string::npos)
        << key.dotted() << " should say \"Range: " << key.range() << "\" in:" << comment;
  }
  EXPECT_GE(numeric, 11);
}

}  // namespace
}  // namespace gw::config
