#include "session/control_session.h"

#include <gtest/gtest.h>

#include "protocol/auth.h"
#include "protocol/native_password.h"
#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;

const std::string kScramble = "abcdefgh123456789012";

protocol::HandshakeResponse sent_response(const Bytes& sent) {
  auto response = protocol::decode_handshake_response(ByteView(sent).subspan(4));
  EXPECT_TRUE(response);
  return response.value_or(protocol::HandshakeResponse{});
}

void login(ControlSession& control) {
  control.on_server_data(packet(0, greeting_payload(9)));
  take(control.to_server());
  control.on_server_data(packet(2, ok_payload()));
  ASSERT_EQ(control.state(), ControlSession::State::Ready);
}

TEST(ControlSession, AnswersTheGreetingWithANativePasswordLogin) {
  ControlSession control("gw_control", "pw");
  control.on_server_data(packet(0, greeting_payload(9)));
  const Bytes sent = take(control.to_server());
  EXPECT_EQ(sent[3], 1);  // sequence id
  const auto response = sent_response(sent);
  EXPECT_EQ(response.user, "gw_control");
  EXPECT_EQ(response.auth_response, protocol::native_password_response("pw", kScramble));
  EXPECT_EQ(response.auth_plugin, "mysql_native_password");
  EXPECT_EQ(control.connection_id(), 9u);
  control.on_server_data(packet(2, ok_payload()));
  EXPECT_EQ(control.state(), ControlSession::State::Ready);
  EXPECT_TRUE(control.logged_in_without_switch());
}

TEST(ControlSession, ReadsATextResultSet) {
  ControlSession control("gw_control", "pw");
  login(control);
  control.query("SHOW GLOBAL STATUS LIKE 'Aborted_c%'");
  EXPECT_EQ(take(control.to_server()),
            packet(0, std::string("\x03") + "SHOW GLOBAL STATUS LIKE 'Aborted_c%'"));
  EXPECT_EQ(control.state(), ControlSession::State::Busy);
  control.on_server_data(concat({packet(1, Bytes{2}),
                                 packet(2,
                                        "\x03"
                                        "def"),
                                 packet(3,
                                        "\x03"
                                        "def"),
                                 packet(4, eof_payload()),
                                 packet(5,
                                        "\x0f"
                                        "Aborted_clients"
                                        "\x01"
                                        "3"),
                                 packet(6, Bytes{0x10, 'A', 'b', 'o', 'r', 't', 'e', 'd', '_', 'c',
                                                 'o', 'n', 'n', 'e', 'c', 't', 's', 0xfb}),
                                 packet(7, eof_payload())}));
  EXPECT_EQ(control.state(), ControlSession::State::Ready);
  auto result = control.take_result();
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->ok);
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(result->rows[0][0], "Aborted_clients");
  EXPECT_EQ(result->rows[0][1], "3");
  EXPECT_FALSE(result->rows[1][1].has_value());
}

// A statement's result is bounded (kResultLimits): a server that streams rows without end fails
// the connection with the reason instead of growing gracewire's memory.
TEST(ControlSession, AResultPastItsLimitsFailsWithTheReason) {
  ControlSession control("gw_control", "pw");
  login(control);
  control.query("SHOW GLOBAL STATUS");
  control.on_server_data(concat({packet(1, Bytes{1}),
                                 packet(2,
                                        "\x03"
                                        "def"),
                                 packet(3, eof_payload())}));
  const std::string row =
      "\x05"
      "value";
  std::uint8_t seq = 4;
  for (std::size_t i = 0; i < ControlSession::kResultLimits.max_rows; ++i) {
    control.on_server_data(packet(seq++, row));
  }
  EXPECT_EQ(control.state(), ControlSession::State::Busy);
  control.on_server_data(packet(seq, row));
  EXPECT_EQ(control.state(), ControlSession::State::Failed);
  EXPECT_NE(control.failure().find("10000 rows"), std::string::npos) << control.failure();
  EXPECT_FALSE(control.take_result());
}

TEST(ControlSession, ChecksSequenceIdsOfAStatementsReply) {
  ControlSession control("gw_control", "pw");
  login(control);
  control.query("KILL QUERY 12345");
  control.on_server_data(packet(2, err_payload(1094, "Unknown thread id: 12345")));
  EXPECT_EQ(control.state(), ControlSession::State::Failed);
  EXPECT_NE(control.failure().find("sequence"), std::string::npos) << control.failure();
}

TEST(ControlSession, ReportsAStatementsError) {
  ControlSession control("gw_control", "pw");
  login(control);
  control.query("KILL QUERY 12345");
  control.on_server_data(packet(1, err_payload(1094, "Unknown thread id: 12345")));
  auto result = control.take_result();
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->error_code, 1094);
  EXPECT_EQ(control.state(), ControlSession::State::Ready);
}

TEST(ControlSession, AnswersASwitchToNativePasswordAndRemembersIt) {
  ControlSession control("gw_control", "pw");
  control.on_server_data(packet(0, greeting_payload()));
  take(control.to_server());
  Bytes request;
  protocol::encode_auth_switch_request({"mysql_native_password", "ZYXWVUTSRQPONMLKJIHG"}, request);
  control.on_server_data(packet(2, request));
  EXPECT_EQ(take(control.to_server()),
            packet(3, protocol::native_password_response("pw", "ZYXWVUTSRQPONMLKJIHG")));
  control.on_server_data(packet(4, ok_payload()));
  EXPECT_EQ(control.state(), ControlSession::State::Ready);
  EXPECT_FALSE(control.logged_in_without_switch());
}

TEST(ControlSession, OtherPluginsAndRefusalsFailWithAReasonButNoSecret) {
  ControlSession control("gw_control", "topsecret");
  control.on_server_data(packet(0, greeting_payload()));
  Bytes request;
  protocol::encode_auth_switch_request({"client_ed25519", std::string(32, 'n')}, request);
  control.on_server_data(packet(2, request));
  EXPECT_EQ(control.state(), ControlSession::State::Failed);
  EXPECT_NE(control.failure().find("client_ed25519"), std::string::npos);
  EXPECT_TRUE(control.login_refused());

  ControlSession refused("gw_control", "topsecret");
  refused.on_server_data(packet(0, greeting_payload()));
  refused.on_server_data(packet(2, err_payload(1045, "Access denied for user 'gw_control'")));
  EXPECT_EQ(refused.state(), ControlSession::State::Failed);
  EXPECT_NE(refused.failure().find("1045"), std::string::npos);
  EXPECT_EQ(refused.failure().find("topsecret"), std::string::npos);
  EXPECT_TRUE(refused.login_refused());  // the proxy retries it rarely
}

TEST(ControlSession, QuitsWithComQuitAndClosesOnTheServersEof) {
  ControlSession control("gw_control", "pw");
  login(control);
  control.quit();
  EXPECT_EQ(take(control.to_server()), (Bytes{0x01, 0x00, 0x00, 0x00, 0x01}));
  control.on_server_eof();
  EXPECT_EQ(control.state(), ControlSession::State::Closed);
}

TEST(ControlSession, UnexpectedEofIsAFailure) {
  ControlSession control("gw_control", "pw");
  login(control);
  control.on_server_eof();
  EXPECT_EQ(control.state(), ControlSession::State::Failed);
}

// SHOW GRANTS rows as MariaDB 10.11.19 returned them for accounts set up each way (the password
// hash replaced), and what a KILL QUERY of another account's statement then did.
using GrantRows = std::vector<std::vector<std::optional<std::string>>>;
constexpr const char* kHash = "IDENTIFIED BY PASSWORD '*0123456789ABCDEF0123456789ABCDEF01234567'";

GrantRows grants(std::initializer_list<std::string> lines) {
  GrantRows rows;
  for (const auto& line : lines) rows.push_back({line});
  return rows;
}

TEST(KillPrivilege, UsageOrProcessAloneMayNotKill) {
  // Both got ERR 1095 "You are not owner of thread".
  auto usage = kill_privilege_from_grants(
      grants({std::string("GRANT USAGE ON *.* TO `np`@`%` ") + kHash}), "np");
  EXPECT_FALSE(usage.allowed);
  EXPECT_EQ(usage.account, "'np'@'%'");
  auto process = kill_privilege_from_grants(
      grants({std::string("GRANT PROCESS ON *.* TO `pr`@`localhost` ") + kHash}), "pr");
  EXPECT_FALSE(process.allowed);
  EXPECT_EQ(process.account, "'pr'@'localhost'");
  EXPECT_EQ(kill_grant_statement(process.account),
            "GRANT CONNECTION ADMIN ON *.* TO 'pr'@'localhost'");
}

TEST(KillPrivilege, ConnectionAdminSuperAllPrivilegesOrADefaultRoleMayKill) {
  for (const std::string privileges :
       {"CONNECTION ADMIN", "SUPER", "ALL PRIVILEGES", "SELECT, PROCESS, CONNECTION ADMIN"}) {
    auto found = kill_privilege_from_grants(
        grants({"GRANT " + privileges + " ON *.* TO `gw`@`%` " + kHash}), "gw");
    EXPECT_TRUE(found.allowed) << privileges;
  }
  // The default role's grants are listed after the account's own.
  auto role = kill_privilege_from_grants(
      grants({"GRANT `killer` TO `ro`@`%`", std::string("GRANT USAGE ON *.* TO `ro`@`%` ") + kHash,
              "GRANT CONNECTION ADMIN ON *.* TO `killer`",
              "SET DEFAULT ROLE `killer` FOR `ro`@`%`"}),
      "ro");
  EXPECT_TRUE(role.allowed);
  EXPECT_EQ(role.account, "'ro'@'%'");
}

TEST(KillPrivilege, OnlyGlobalGrantsCount) {
  auto on_database =
      kill_privilege_from_grants(grants({std::string("GRANT USAGE ON *.* TO `gw`@`%` ") + kHash,
                                         "GRANT ALL PRIVILEGES ON `shop`.* TO `gw`@`%`"}),
                                 "gw");
  EXPECT_FALSE(on_database.allowed);
  // A privilege whose name merely contains one of them is not it.
  auto lookalike =
      kill_privilege_from_grants(grants({"GRANT SUPERVISOR ON *.* TO `gw`@`%`"}), "gw");
  EXPECT_FALSE(lookalike.allowed);
}

TEST(KillPrivilege, TheAdviceNeverCarriesThePasswordHash) {
  auto found = kill_privilege_from_grants(
      grants({std::string("GRANT USAGE ON *.* TO `gw`@`10.%` ") + kHash}), "gw");
  EXPECT_EQ(found.account, "'gw'@'10.%'");
  EXPECT_EQ(kill_grant_statement(found.account).find("0123456789"), std::string::npos);
}

}  // namespace
}  // namespace gw::session
