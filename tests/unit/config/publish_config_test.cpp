// The [publish] table (issue 13): every key, the NATS names it holds (URLs, stream, subject
// prefix, instance), the rules between its keys, and credentials, which never reach a message.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/load.h"
#include "config/nats_names.h"
#include "core/errors.h"

namespace gw::config {
namespace {

using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

constexpr const char* kSecret = "Sup3rS3cretValue";

std::vector<ConfigError> all_errors(const std::string& text) {
  auto parsed = parse_config_all(text, "p.toml");
  EXPECT_FALSE(parsed) << text;
  return parsed ? std::vector<ConfigError>{} : parsed.error();
}

TEST(PublishConfig, DefaultsAreOff) {
  const PublishConfig publish;
  EXPECT_TRUE(publish.nats_url.empty());
  EXPECT_TRUE(publish.nats_creds.empty());
  EXPECT_TRUE(publish.nats_user.empty());
  EXPECT_TRUE(publish.nats_password_env.empty());
  EXPECT_TRUE(publish.nats_tls_ca.empty());
  EXPECT_EQ(publish.stream, "GRACEWIRE");
  EXPECT_EQ(publish.subject_prefix, "gracewire");
  EXPECT_TRUE(publish.lifecycle);
  EXPECT_TRUE(publish.audit);
  EXPECT_TRUE(publish.changes);
  EXPECT_EQ(publish.max_pending, 4'096u);
  EXPECT_EQ(publish.loss, EventLogLoss::Block);
  EXPECT_FALSE(publish.create_stream);
  EXPECT_EQ(publish.duplicate_window, milliseconds(120'000));
  EXPECT_TRUE(publish.instance.empty());
  EXPECT_EQ(Config{}.publish, publish);
}

TEST(PublishConfig, ReadsEveryKey) {
  const auto parsed = parse_config(R"([publish]
nats_url = ["nats://n1.example:4222", "tls://[::1]:4443", "nats://n3"]
nats_user = "gracewire"
nats_password_env = "GW_NATS_PASSWORD"
nats_tls_ca = "/etc/gracewire/nats-ca.pem"
stream = "AUDIT_eu-1"
subject_prefix = "acme.db-proxy.eu_1"
lifecycle = false
audit = true
changes = false
max_pending = 1000000
loss = "drop"
create_stream = true
duplicate_window = "168h"
instance = "db-proxy-3.eu_1"
)",
                                   "p.toml");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const PublishConfig& p = parsed->publish;
  EXPECT_EQ(p.nats_url, (Strings{"nats://n1.example:4222", "tls://[::1]:4443", "nats://n3"}));
  EXPECT_EQ(p.nats_user, "gracewire");
  EXPECT_EQ(p.nats_password_env, "GW_NATS_PASSWORD");
  EXPECT_EQ(p.nats_tls_ca, "/etc/gracewire/nats-ca.pem");
  EXPECT_EQ(p.stream, "AUDIT_eu-1");
  EXPECT_EQ(p.subject_prefix, "acme.db-proxy.eu_1");
  EXPECT_FALSE(p.lifecycle);
  EXPECT_TRUE(p.audit);
  EXPECT_FALSE(p.changes);
  EXPECT_EQ(p.max_pending, 1'000'000u);
  EXPECT_EQ(p.loss, EventLogLoss::Drop);
  EXPECT_TRUE(p.create_stream);
  EXPECT_EQ(p.duplicate_window, milliseconds(7 * 24 * 3'600'000LL));
  EXPECT_EQ(p.instance, "db-proxy-3.eu_1");

  // The other way to log in, and the low ends of the ranges.
  const auto creds = parse_config(
      "[publish]\nnats_url = \"tls://nats:4222\"\nnats_creds = \"/etc/gracewire/nats.creds\"\n"
      "max_pending = 1\nduplicate_window = 1000\n",
      "p.toml");
  ASSERT_TRUE(creds) << creds.error().to_string();
  EXPECT_EQ(creds->publish.nats_url, Strings{"tls://nats:4222"});
  EXPECT_EQ(creds->publish.nats_creds, "/etc/gracewire/nats.creds");
  EXPECT_EQ(creds->publish.max_pending, 1u);
  EXPECT_EQ(creds->publish.duplicate_window, milliseconds(1'000));
}

TEST(PublishConfig, AnEmptyUrlOrListIsOff) {
  for (const char* text : {"[publish]\nnats_url = \"\"\n", "[publish]\nnats_url = []\n"}) {
    const auto parsed = parse_config(text, "p.toml");
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    EXPECT_TRUE(parsed->publish.nats_url.empty()) << text;
  }
}

TEST(NatsUrl, SchemeHostAndAnOptionalPort) {
  for (const char* url : {"nats://127.0.0.1:4222", "tls://nats.example.com:1", "nats://nats",
                          "nats://nats-1_a:65535", "tls://[::1]", "nats://[fe80::1%eth0]:4222"}) {
    const auto parsed = parse_nats_url(url);
    ASSERT_TRUE(parsed) << url << ": " << parsed.error();
    EXPECT_EQ(*parsed, url);
  }
}

struct BadName {
  std::string text;
  std::string problem;  // the whole message
};

class NatsUrlBad : public ::testing::TestWithParam<BadName> {};

TEST_P(NatsUrlBad, ExplainsWhy) {
  const auto parsed = parse_nats_url(GetParam().text);
  ASSERT_FALSE(parsed) << GetParam().text;
  EXPECT_EQ(parsed.error(), GetParam().problem);
}

const std::string kCredentialsInUrl =
    "holds credentials (\"user:password@\"), and URLs end up in logs: set nats_user and "
    "nats_password_env, or nats_creds, instead";

INSTANTIATE_TEST_SUITE_P(
    PublishConfig, NatsUrlBad,
    ::testing::Values(
        BadName{"", "expected nats://HOST[:PORT] or tls://HOST[:PORT], got \"\""},
        BadName{"nats:4222", "expected nats://HOST[:PORT] or tls://HOST[:PORT], got \"nats:4222\""},
        BadName{"http://nats:4222",
                "the scheme is \"nats\" or \"tls\", got \"http\" in "
                "\"http://nats:4222\""},
        BadName{"NATS://nats",
                "the scheme is \"nats\" or \"tls\", got \"NATS\" in \"NATS://nats\""},
        BadName{"nats://", "missing host in \"nats://\""},
        BadName{"nats://:4222", "missing host in \"nats://:4222\""},
        BadName{"nats://nats:", "missing port after ':' in \"nats://nats:\""},
        BadName{"nats://nats:0", "port 0 is out of range 1..65535"},
        BadName{"nats://nats:65536", "port 65536 is out of range 1..65535"},
        BadName{"nats://nats:99999999999", "port 99999999999 is out of range 1..65535"},
        BadName{"nats://nats:42x2", "port \"42x2\" is not a number in \"nats://nats:42x2\""},
        BadName{"nats://nats:-1", "port \"-1\" is not a number in \"nats://nats:-1\""},
        BadName{"nats://nats:4222/",
                "expected nats://HOST[:PORT] or tls://HOST[:PORT] with "
                "nothing after it, got \"nats://nats:4222/\""},
        BadName{"nats://nats?x=1",
                "expected nats://HOST[:PORT] or tls://HOST[:PORT] with "
                "nothing after it, got \"nats://nats?x=1\""},
        BadName{"nats://na ts", "invalid host name \"na ts\""},
        BadName{"nats://::1:4222",
                "an IPv6 address needs brackets, like \"nats://[::1]:4222\"; got "
                "\"nats://::1:4222\""},
        BadName{"tls://[::1", "missing ']' in \"tls://[::1\""},
        BadName{"tls://[]:4222", "empty IPv6 address in \"tls://[]:4222\""},
        BadName{"tls://[::1 ]", "invalid IPv6 address \"::1 \""},
        BadName{"tls://[::1]4222", "expected \":PORT\" after ']' in \"tls://[::1]4222\""},
        BadName{"nats://gw:Sup3rS3cretValue@nats:4222", kCredentialsInUrl},
        BadName{"nats://Sup3rS3cretValue@nats", kCredentialsInUrl},
        BadName{"gw:Sup3rS3cretValue@nats", kCredentialsInUrl}));

TEST(StreamName, PrintableAsciiWithoutSeparatorsOrWildcards) {
  for (const std::string& name : Strings{"GRACEWIRE", "a", "audit_eu-1",
                                         "A!#$%&'()+,-:;<=?@[]^_`{|}~", std::string(255, 'S')}) {
    const auto parsed = parse_stream_name(name);
    ASSERT_TRUE(parsed) << name << ": " << parsed.error();
    EXPECT_EQ(*parsed, name);
  }
}

class StreamNameBad : public ::testing::TestWithParam<BadName> {};

TEST_P(StreamNameBad, ExplainsWhy) {
  const auto parsed = parse_stream_name(GetParam().text);
  ASSERT_FALSE(parsed) << GetParam().text;
  EXPECT_EQ(parsed.error(), GetParam().problem);
}

constexpr const char* kStreamChars =
    ": a stream name takes printable ASCII other than space, '.', '*', '>', '/' and '\\'";

INSTANTIATE_TEST_SUITE_P(
    PublishConfig, StreamNameBad,
    ::testing::Values(
        BadName{"", "empty: a stream needs a name"},
        BadName{std::string(256, 'S'), "256 characters long; a stream name has at most 255"},
        BadName{"GRACE WIRE", std::string("' ' at offset 5") + kStreamChars},
        BadName{"GRACE\tWIRE", std::string("'\\x09' at offset 5") + kStreamChars},
        BadName{"a.b", std::string("'.' at offset 1") + kStreamChars},
        BadName{"*", std::string("'*' at offset 0") + kStreamChars},
        BadName{"a>", std::string("'>' at offset 1") + kStreamChars},
        BadName{"a/b", std::string("'/' at offset 1") + kStreamChars},
        BadName{"a\\b", std::string("'\\' at offset 1") + kStreamChars},
        BadName{"\xC3\xA9t\xC3\xA9", std::string("'\\xC3' at offset 0") + kStreamChars},
        BadName{std::string("a\0b", 3), std::string("'\\x00' at offset 1") + kStreamChars},
        BadName{"a\x7F", std::string("'\\x7F' at offset 1") + kStreamChars}));

// Moved here from publish/subjects_test.cpp with the check itself (it was prefix_problem()).
TEST(SubjectPrefix, TokensWithoutWildcards) {
  EXPECT_EQ(parse_subject_prefix("gracewire"), "gracewire");
  EXPECT_EQ(parse_subject_prefix("acme.db-proxy.eu_1"), "acme.db-proxy.eu_1");
  EXPECT_FALSE(parse_subject_prefix(""));
  EXPECT_FALSE(parse_subject_prefix("gracewire."));
  EXPECT_FALSE(parse_subject_prefix(".gracewire"));
  EXPECT_FALSE(parse_subject_prefix("a..b"));
  EXPECT_FALSE(parse_subject_prefix("gw.*"));
  EXPECT_FALSE(parse_subject_prefix("gw.>"));
  EXPECT_FALSE(parse_subject_prefix("gw space"));
  EXPECT_EQ(parse_subject_prefix("gw.>").error(),
            "'>' at offset 3: tokens take letters, digits, '_' and '-'");
  EXPECT_EQ(parse_subject_prefix("").error(), "empty: subjects need at least one token");
  EXPECT_EQ(parse_subject_prefix("a..b").error(), "an empty token at offset 2");
  EXPECT_EQ(parse_subject_prefix("gw.").error(), "an empty token at offset 3");
  EXPECT_EQ(parse_subject_prefix(std::string("g\0w", 3)).error(),
            "'\\x00' at offset 1: tokens take letters, digits, '_' and '-'");
}

TEST(InstanceName, EmptyOrUpTo64HostNameCharacters) {
  for (const std::string& name :
       Strings{"", "db-proxy-3", "host.example_1", std::string(64, 'i')}) {
    const auto parsed = parse_instance_name(name);
    ASSERT_TRUE(parsed) << name << ": " << parsed.error();
    EXPECT_EQ(*parsed, name);
  }
  EXPECT_EQ(parse_instance_name(std::string(65, 'i')).error(),
            "65 characters long; an instance name has at most 64");
  EXPECT_EQ(parse_instance_name("a:b").error(),
            "':' at offset 1: an instance name takes letters, digits, '_', '.' and '-'");
  EXPECT_EQ(parse_instance_name("a b").error(),
            "' ' at offset 1: an instance name takes letters, digits, '_', '.' and '-'");
  EXPECT_FALSE(parse_instance_name("a*"));
  EXPECT_FALSE(parse_instance_name("a/b"));
}

TEST(PublishConfig, BadValuesNameTheKeyAndLine) {
  struct Case {
    std::string text;
    std::string key;
    std::string problem;  // the whole message
    std::error_code code = config_errc::invalid_value;
  };
  const Case cases[] = {
      {"[publish]\nnats_url = 4222", "publish.nats_url",
       "expected a string or an array of strings, got integer", config_errc::wrong_type},
      {"[publish]\nnats_url = { a = 1 }", "publish.nats_url",
       "expected a string or an array of strings, got table", config_errc::wrong_type},
      {"[publish]\nnats_url = [\"nats://a\", 4222]", "publish.nats_url",
       "element 2: expected a string, got integer", config_errc::wrong_type},
      {"[publish]\nnats_url = \"nats//a\"", "publish.nats_url",
       "expected nats://HOST[:PORT] or tls://HOST[:PORT], got \"nats//a\""},
      {"[publish]\nnats_url = [\"nats://a\", \"nats://b:0\"]", "publish.nats_url",
       "element 2: port 0 is out of range 1..65535"},
      {"[publish]\nnats_url = [\"nats://a\", \"\"]", "publish.nats_url",
       "element 2: expected nats://HOST[:PORT] or tls://HOST[:PORT], got \"\""},
      {"[publish]\nnats_url = [\"ws://a\"]", "publish.nats_url",
       "element 1: the scheme is \"nats\" or \"tls\", got \"ws\" in \"ws://a\""},
      {"[publish]\nnats_creds = true", "publish.nats_creds", "expected a string, got boolean",
       config_errc::wrong_type},
      {"[publish]\nnats_user = 1", "publish.nats_user", "expected a string, got integer",
       config_errc::wrong_type},
      {"[publish]\nnats_password_env = \"NATS-PW\"", "publish.nats_password_env",
       "\"NATS-PW\" is not an environment variable name"},
      {"[publish]\nnats_tls_ca = []", "publish.nats_tls_ca", "expected a string, got array",
       config_errc::wrong_type},
      {"[publish]\nstream = \"GRACE.WIRE\"", "publish.stream",
       "'.' at offset 5: a stream name takes printable ASCII other than space, '.', '*', '>', "
       "'/' and '\\'"},
      {"[publish]\nstream = \"\"", "publish.stream", "empty: a stream needs a name"},
      {"[publish]\nsubject_prefix = \"gw.*\"", "publish.subject_prefix",
       "'*' at offset 3: tokens take letters, digits, '_' and '-'"},
      {"[publish]\nsubject_prefix = \"\"", "publish.subject_prefix",
       "empty: subjects need at least one token"},
      {"[publish]\nlifecycle = \"yes\"", "publish.lifecycle", "expected true or false, got string",
       config_errc::wrong_type},
      {"[publish]\naudit = 1", "publish.audit", "expected true or false, got integer",
       config_errc::wrong_type},
      {"[publish]\nchanges = \"true\"", "publish.changes", "expected true or false, got string",
       config_errc::wrong_type},
      {"[publish]\nmax_pending = 0", "publish.max_pending", "must be between 1 and 1000000, got 0"},
      {"[publish]\nmax_pending = 1000001", "publish.max_pending",
       "must be between 1 and 1000000, got 1000001"},
      {"[publish]\nmax_pending = \"4096\"", "publish.max_pending",
       "expected an integer, got string", config_errc::wrong_type},
      {"[publish]\nloss = \"lose\"", "publish.loss",
       "expected one of \"block\", \"drop\"; got \"lose\""},
      {"[publish]\ncreate_stream = \"no\"", "publish.create_stream",
       "expected true or false, got string", config_errc::wrong_type},
      {"[publish]\nduplicate_window = \"999ms\"", "publish.duplicate_window",
       "must be between 1s and 168h, got 999ms"},
      {"[publish]\nduplicate_window = \"169h\"", "publish.duplicate_window",
       "must be between 1s and 168h, got 169h"},
      {"[publish]\nduplicate_window = \"2\"", "publish.duplicate_window",
       "missing unit in \"2\" (use ms, s, m or h; an unquoted integer also works)"},
      {"[publish]\nduplicate_window = -1", "publish.duplicate_window",
       "cannot be negative, got -1"},
      {"[publish]\ninstance = \"db proxy\"", "publish.instance",
       "' ' at offset 2: an instance name takes letters, digits, '_', '.' and '-'"},
      {"[publish]\ninstance = 3", "publish.instance", "expected a string, got integer",
       config_errc::wrong_type},
  };
  for (const auto& c : cases) {
    const auto errors = all_errors(c.text);
    ASSERT_EQ(errors.size(), 1u) << c.text;
    EXPECT_EQ(errors[0].key, c.key) << c.text;
    EXPECT_EQ(errors[0].line, 2u) << c.text;
    EXPECT_EQ(errors[0].problem, c.problem) << c.text;
    EXPECT_EQ(errors[0].code, c.code) << c.text;
  }
}

TEST(PublishConfig, AUserAndItsPasswordGoTogether) {
  const auto no_password = all_errors("[publish]\nnats_user = \"gw\"\n");
  ASSERT_EQ(no_password.size(), 1u);
  EXPECT_EQ(no_password[0].to_string(),
            "p.toml: publish.nats_password_env: required with publish.nats_user: the name of an "
            "environment variable holding its password");
  EXPECT_EQ(no_password[0].code, config_errc::missing_value);

  const auto no_user = all_errors("[publish]\n\nnats_password_env = \"GW_NATS_PASSWORD\"\n");
  ASSERT_EQ(no_user.size(), 1u);
  EXPECT_EQ(no_user[0].to_string(),
            "p.toml: publish.nats_user: required with publish.nats_password_env: the NATS user "
            "the password belongs to");
  EXPECT_EQ(no_user[0].code, config_errc::missing_value);
}

TEST(PublishConfig, ACredentialsFileExcludesAUserAndPassword) {
  const std::string both =
      "set one way to log in to NATS: publish.nats_creds, or publish.nats_user with "
      "publish.nats_password_env, not both";
  struct Case {
    std::string text;
    std::string blamed;  // the key set last in the file
    std::size_t line;
  };
  const Case cases[] = {
      {"[publish]\nnats_creds = \"/c\"\nnats_user = \"gw\"\nnats_password_env = \"PW\"\n",
       "publish.nats_password_env", 4},
      {"[publish]\nnats_user = \"gw\"\nnats_password_env = \"PW\"\nnats_creds = \"/c\"\n",
       "publish.nats_creds", 4},
      {"[publish]\nnats_creds = \"/c\"\nnats_user = \"gw\"\n", "publish.nats_user", 3},
      {"[publish]\nnats_password_env = \"PW\"\nnats_creds = \"/c\"\n", "publish.nats_creds", 3},
  };
  for (const auto& c : cases) {
    const auto errors = all_errors(c.text);
    ASSERT_EQ(errors.size(), 1u) << c.text;
    EXPECT_EQ(errors[0].key, c.blamed) << c.text;
    EXPECT_EQ(errors[0].line, c.line) << c.text;
    EXPECT_EQ(errors[0].problem, both) << c.text;
    EXPECT_EQ(errors[0].code, config_errc::invalid_value);
  }
}

TEST(PublishConfig, PublishingSomethingNeedsARecordType) {
  const auto errors = all_errors(
      "[publish]\nnats_url = \"nats://a\"\nlifecycle = false\nchanges = false\naudit = false\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].to_string(),
            "p.toml:5: publish.audit: publishing is on (publish.nats_url is set) but publishes "
            "nothing: set publish.lifecycle, publish.audit or publish.changes to true");

  // Off, the switches do not matter; one of them is enough.
  EXPECT_TRUE(
      parse_config("[publish]\nlifecycle = false\naudit = false\nchanges = false\n", "p.toml"));
  EXPECT_TRUE(parse_config(
      "[publish]\nnats_url = [\"nats://a\"]\nlifecycle = false\naudit = false\n", "p.toml"));
}

class NatsSecretNeverPrinted : public ::testing::TestWithParam<std::string> {};

TEST_P(NatsSecretNeverPrinted, InAnyErrorText) {
  std::string text;
  for (const auto& error : all_errors(GetParam())) text += error.to_string() + "\n";
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(
    Secrets, NatsSecretNeverPrinted,
    ::testing::Values("[publish]\nnats_url = \"nats://gw:Sup3rS3cretValue@nats:4222\"\n",
                      "[publish]\nnats_url = \"Sup3rS3cretValue@nats\"\n",
                      "[publish]\nnats_url = [\"nats://a\", \"tls://Sup3rS3cretValue@b\"]\n",
                      "[publish]\nnats_url = \"http://gw:Sup3rS3cretValue@nats\"\n",
                      "[publish]\nnats_url = \"nats://gw:Sup3rS3cretValue@[::1\"\n"));

}  // namespace
}  // namespace gw::config
