// The contexts' view of their own certificate: what the log says about it and whether it is
// within its validity (an expired listener certificate is a warning at start and refused by a
// reload).

#include "tls/context.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_certificate.h"

namespace gw::tls {
namespace {

namespace fs = std::filesystem;

class TlsCertificateValidity : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gw-tls-context-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Context server_context_valid_between(long not_before, long not_after) {
    make_certificate(dir_, "gracewire.test", not_before, not_after);
    auto ctx = make_server_context(
        {.cert = (dir_ / "cert.pem").string(), .key = (dir_ / "key.pem").string()});
    EXPECT_TRUE(ctx) << ctx.error();
    return ctx ? std::move(*ctx) : Context{};
  }

  fs::path dir_;
};

TEST_F(TlsCertificateValidity, ACertificateWithinItsValidityHasNoProblem) {
  Context ctx = server_context_valid_between(-60, 3600);
  EXPECT_EQ(certificate_validity_problem(ctx.get()), "");
  EXPECT_NE(describe_certificate(ctx.get()).find("subject /CN=gracewire.test, serial 0x01, "
                                                 "expires "),
            std::string::npos)
      << describe_certificate(ctx.get());
}

TEST_F(TlsCertificateValidity, AnExpiredCertificateSaysWhenItExpired) {
  Context ctx = server_context_valid_between(-7200, -3600);
  const std::string problem = certificate_validity_problem(ctx.get());
  EXPECT_TRUE(problem.starts_with("expired on 20")) << problem;
  EXPECT_TRUE(problem.ends_with(" UTC")) << problem;
}

TEST_F(TlsCertificateValidity, ACertificateNotValidYetSaysFromWhen) {
  Context ctx = server_context_valid_between(3600, 7200);
  const std::string problem = certificate_validity_problem(ctx.get());
  EXPECT_TRUE(problem.starts_with("not valid before 20")) << problem;
}

TEST_F(TlsCertificateValidity, AContextWithoutACertificateHasNoProblem) {
  auto ctx = make_client_context({});
  ASSERT_TRUE(ctx) << ctx.error();
  EXPECT_EQ(certificate_validity_problem(ctx->get()), "");
  EXPECT_EQ(certificate_validity_problem(nullptr), "");
}

}  // namespace
}  // namespace gw::tls
