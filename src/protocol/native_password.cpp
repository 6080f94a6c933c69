#include "protocol/native_password.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>

namespace gw::protocol {

namespace {

using Digest = std::array<unsigned char, SHA_DIGEST_LENGTH>;

Digest sha1(std::string_view a, std::string_view b = {}) {
  Digest out{};
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha1(), nullptr);
  EVP_DigestUpdate(context, a.data(), a.size());
  EVP_DigestUpdate(context, b.data(), b.size());
  EVP_DigestFinal_ex(context, out.data(), nullptr);
  EVP_MD_CTX_free(context);
  return out;
}

std::string_view view(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace

std::string native_password_response(std::string_view password, std::string_view scramble) {
  if (password.empty()) return {};
  const Digest stage1 = sha1(password);
  const Digest stage2 = sha1(view(stage1));
  const Digest mix = sha1(scramble.substr(0, kScrambleLength), view(stage2));
  std::string response(SHA_DIGEST_LENGTH, '\0');
  for (std::size_t i = 0; i < response.size(); ++i) {
    response[i] = static_cast<char>(stage1[i] ^ mix[i]);
  }
  return response;
}

}  // namespace gw::protocol
