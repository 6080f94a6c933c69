#pragma once
// A throwaway certificate for the TLS unit tests: ECDSA P-256, self-signed for `name` (also its
// DNS subjectAltName), valid from `not_before` to `not_after` seconds around now, written as
// key.pem and cert.pem into `dir`, the way the contexts load them.

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace gw::tls {

inline void make_certificate(const std::filesystem::path& dir, const std::string& name,
                             long not_before = -60, long not_after = 3600) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  ASSERT_NE(cert, nullptr);
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert), not_after);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, subject);
  const std::string san = "DNS:" + name;
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* key_file = std::fopen((dir / "key.pem").c_str(), "w");
  FILE* cert_file = std::fopen((dir / "cert.pem").c_str(), "w");
  ASSERT_TRUE(key_file && cert_file);
  PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_X509(cert_file, cert);
  std::fclose(key_file);
  std::fclose(cert_file);
  X509_free(cert);
  EVP_PKEY_free(key);
}

}  // namespace gw::tls
