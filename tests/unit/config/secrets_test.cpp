// The control password must never reach an error message, whatever is wrong with the file.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/load.h"
#include "config/password.h"

namespace gw::config {
namespace {

constexpr const char* kSecret = "Sup3rS3cretValue";

std::string all_error_text(const std::string& toml) {
  const auto parsed = parse_config_all(toml, "secret.toml");
  EXPECT_FALSE(parsed) << toml;
  std::string text;
  if (!parsed) {
    for (const auto& error : parsed.error()) text += error.to_string() + "\n";
  }
  return text;
}

class PasswordNeverPrinted : public ::testing::TestWithParam<std::string> {};

TEST_P(PasswordNeverPrinted, InAnyErrorText) {
  const std::string text = all_error_text(GetParam());
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
  // toml++ quotes single characters it choked on; none of the secret may leak that way either.
  for (const char c : std::string(kSecret)) {
    EXPECT_EQ(text.find(std::string("'") + c + "'"), std::string::npos) << text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Secrets, PasswordNeverPrinted,
    ::testing::Values(
        // Another key is wrong while the password is set.
        "[control]\npassword = \"Sup3rS3cretValue\"\n[buffers]\nhigh_water = true\n",
        // Two password sources.
        "[control]\npassword = \"Sup3rS3cretValue\"\npassword_env = \"GW_PW\"\n",
        "[control]\npassword_file = \"/p\"\npassword = \"Sup3rS3cretValue\"\n",
        // Misspelt key holding the password.
        "[control]\npasword = \"Sup3rS3cretValue\"\n",
        // Password written in the wrong table.
        "[upstream]\npassword = \"Sup3rS3cretValue\"\n", "password = \"Sup3rS3cretValue\"\n",
        // Syntax errors on the password line, which toml++ would otherwise quote from.
        "[control]\npassword = Sup3rS3cretValue\n",
        "[control]\npassword = \"Sup3rS3cret\\qValue\"\n",
        "[control]\npassword = 'Sup3rS3cretValue' 'x'\n",
        "[control]\npassword = \"Sup3rS3cretValue\n",
        "[control]\npassword = \"a\"\npassword = \"Sup3rS3cretValue\"\n",
        "control.password = Sup3rS3cretValue\n", "[control]\nPASSWORD = Sup3rS3cretValue\n",
        // Syntax error elsewhere in [control].
        "[control]\nuser = admin Sup3rS3cretValue\n",
        // Wrong type for the password itself.
        "[control]\npassword = [\"Sup3rS3cretValue\"]\n",
        // A NATS URL carrying credentials: refused, and never quoted, not even when broken.
        "[publish]\nnats_url = \"nats://u:Sup3rS3cretValue@127.0.0.1:4222\"\n",
        "[publish]\nnats_url = \"nats://u:Sup3rS3cretValue@127.0.0.1:4222\n",
        "[publish]\nnats_url = [\"nats://a:4222\", nats://u:Sup3rS3cretValue@b:4222]\n"));

TEST(Secrets, SyntaxErrorsStillGiveTheLineWhenDetailsAreWithheld) {
  const auto parsed = parse_config("\n[control]\npassword = Sup3rS3cretValue\n", "s.toml");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().line, 3u);
  EXPECT_NE(parsed.error().problem.find("details withheld"), std::string::npos);
}

TEST(Secrets, SyntaxErrorsOutsideControlKeepTheirDetails) {
  const auto parsed = parse_config("[control]\nuser = \"a\"\n[log]\nlevel = info\n", "s.toml");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().line, 4u);
  EXPECT_EQ(parsed.error().problem.find("details withheld"), std::string::npos);
}

TEST(ControlPassword, NoSourceMeansNoPassword) {
  const auto password = read_password(ControlConfig{});
  ASSERT_TRUE(password);
  EXPECT_TRUE(password->empty());
}

TEST(ControlPassword, InlineValue) {
  EXPECT_EQ(read_password(ControlConfig{.user = "a", .password = kSecret}), kSecret);
}

TEST(ControlPassword, FromTheEnvironment) {
  ::setenv("GW_CONFIG_TEST_PASSWORD", kSecret, 1);
  EXPECT_EQ(read_password(ControlConfig{.password_env = "GW_CONFIG_TEST_PASSWORD"}), kSecret);
  ::setenv("GW_CONFIG_TEST_PASSWORD", "", 1);
  const auto empty = read_password(ControlConfig{.password_env = "GW_CONFIG_TEST_PASSWORD"});
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find("GW_CONFIG_TEST_PASSWORD is empty"), std::string::npos);
  ::unsetenv("GW_CONFIG_TEST_PASSWORD");
  const auto unset = read_password(ControlConfig{.password_env = "GW_CONFIG_TEST_PASSWORD"});
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error(),
            "control.password_env: environment variable GW_CONFIG_TEST_PASSWORD is not set");
}

TEST(ControlPassword, FromAFileUpToItsFirstLineBreak) {
  const auto path = std::filesystem::temp_directory_path() / "gracewire_password_test";
  {
    std::ofstream out(path);
    out << kSecret << "\nsecond line\n";
  }
  EXPECT_EQ(read_password(ControlConfig{.password_file = path.string()}), kSecret);
  {
    std::ofstream out(path, std::ios::trunc);
    out << "\n" << kSecret;
  }
  const auto blank_first_line = read_password(ControlConfig{.password_file = path.string()});
  ASSERT_FALSE(blank_first_line);
  EXPECT_EQ(blank_first_line.error().find(kSecret), std::string::npos);
  std::filesystem::remove(path);

  const auto missing = read_password(ControlConfig{.password_file = path.string()});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace gw::config
