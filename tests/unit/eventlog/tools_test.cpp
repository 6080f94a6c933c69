// The small pieces behind the tools: command classes, rotated file order, the JSON reader.

#include <gtest/gtest.h>

#include <algorithm>
#include <span>

#include "config/enum_names.h"
#include "eventlog/close_kinds.h"
#include "eventlog/command_class.h"
#include "eventlog/json_scan.h"
#include "eventlog/rotated_files.h"
#include "test_support.h"

namespace gw::eventlog {
namespace {

TEST(CommandClass, ConfigAcceptsExactlyTheClassesTheEventLogUses) {
  ASSERT_EQ(std::size(config::kCommandClassNames), kCommandClasses.size());
  for (std::size_t i = 0; i < kCommandClasses.size(); ++i) {
    EXPECT_EQ(config::kCommandClassNames[i], kCommandClasses[i]);
  }
}

TEST(CommandClass, MapsCommandNames) {
  EXPECT_EQ(command_class("COM_QUERY"), "query");
  EXPECT_EQ(command_class("com_query"), "query");
  EXPECT_EQ(command_class("COM_STMT_EXECUTE"), "prepared");
  EXPECT_EQ(command_class("COM_STMT_BULK_EXECUTE"), "prepared");
  EXPECT_EQ(command_class("COM_INIT_DB"), "schema");
  EXPECT_EQ(command_class("COM_RESET_CONNECTION"), "session");
  EXPECT_EQ(command_class("COM_BINLOG_DUMP_GTID"), "replication");
  EXPECT_EQ(command_class("COM_PING"), "admin");
  EXPECT_EQ(command_class("COM_UNKNOWN"), "admin");
  for (const char* name : {"COM_QUERY", "COM_STMT_FETCH", "COM_FIELD_LIST", "COM_QUIT",
                           "COM_REGISTER_SLAVE", "COM_SHUTDOWN"}) {
    EXPECT_NE(std::find(kCommandClasses.begin(), kCommandClasses.end(), command_class(name)),
              kCommandClasses.end());
  }
}

TEST(CloseKinds, WordsAreUniqueSnakeCase) {
  for (const auto words : {std::span<const std::string_view>(close_kind::kAll),
                           std::span<const std::string_view>(upstream_close::kAll)}) {
    for (std::size_t i = 0; i < words.size(); ++i) {
      for (const char c : words[i]) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << words[i];
      for (std::size_t j = i + 1; j < words.size(); ++j) EXPECT_NE(words[i], words[j]);
    }
  }
}

TEST(RotatedFiles, OldestFirstWithTheBaseLast) {
  test::TempDir dir;
  const std::string log = dir.file("events.log");
  for (const char* suffix : {"", ".1", ".2", ".3", ".5"}) test::write_file(log + suffix, "");
  // .5 is not reached by counting up from .1 (.4 is missing), so it is read only when named.
  EXPECT_EQ(with_rotated({log}),
            (std::vector<std::string>{log + ".3", log + ".2", log + ".1", log}));
  EXPECT_EQ(with_rotated({log + ".5", log}),
            (std::vector<std::string>{log + ".5", log + ".3", log + ".2", log + ".1", log}));
  // Named one by one, in any order, the same order comes out, each file once.
  EXPECT_EQ(with_rotated({log, log + ".1", log + ".2", log + ".3"}),
            (std::vector<std::string>{log + ".3", log + ".2", log + ".1", log}));
  EXPECT_EQ(with_rotated({log + ".2"}), (std::vector<std::string>{log + ".2"}));
  const std::string other = dir.file("other.log");
  EXPECT_EQ(with_rotated({other, log + ".1"}), (std::vector<std::string>{other, log + ".1"}));
}

TEST(JsonScan, VisitsMembersInOrder) {
  std::vector<std::string> seen;
  EXPECT_TRUE(
      scan_object(R"({"a":"x\"y","b":-12,"c":true,"d":null,"e":{"k":[1,"}"]},"f":[{"g":"]"}]})",
                  [&](std::string_view key, const JsonValue& value) {
                    seen.push_back(std::string(key) + "=" + std::string(value.raw));
                    return true;
                  }));
  EXPECT_EQ(seen, (std::vector<std::string>{R"(a=x\"y)", "b=-12", "c=true", "d=null",
                                            R"(e={"k":[1,"}"]})", R"(f=[{"g":"]"}])"}));
}

TEST(JsonScan, RejectsWhatIsNotAnObject) {
  const auto ignore = [](std::string_view, const JsonValue&) { return true; };
  EXPECT_FALSE(scan_object("", ignore));
  EXPECT_FALSE(scan_object("[1]", ignore));
  EXPECT_FALSE(scan_object(R"({"a":)", ignore));
  EXPECT_FALSE(scan_object(R"({"a":"unterminated})", ignore));
  EXPECT_FALSE(scan_object(R"({"a":1} trailing)", ignore));
  EXPECT_FALSE(scan_object(R"({"a":bogus})", ignore));
  EXPECT_TRUE(scan_object("{}", ignore));
}

TEST(JsonScan, UnescapesStringsAndReadsIntegers) {
  EXPECT_EQ(json_unescape(R"(a\"b\\c\/d\n\t\u0001\u00e9\u20ac\ud83d\ude00)"),
            "a\"b\\c/d\n\t\x01"
            "é€😀");
  EXPECT_EQ(json_integer({JsonValue::Kind::Number, "-42"}), -42);
  EXPECT_EQ(json_integer({JsonValue::Kind::Number, "1.5"}), std::nullopt);
  EXPECT_EQ(json_integer({JsonValue::Kind::String, "7"}), std::nullopt);
}

}  // namespace
}  // namespace gw::eventlog
