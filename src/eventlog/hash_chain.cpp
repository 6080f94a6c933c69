#include "eventlog/hash_chain.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "eventlog/sequence.h"

namespace gw::eventlog {
namespace {

constexpr std::string_view kPrevKey = R"(,"prev_hash":")";
constexpr std::string_view kHashKey = R"(,"hash":")";
constexpr std::size_t kHexLength = 64;

bool is_hex(std::string_view text) {
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Sha256::Sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
  // Only when libcrypto is broken or out of memory; nothing sensible can go on.
  if (md_ == nullptr || ctx_ == nullptr) throw std::runtime_error("OpenSSL has no SHA-256");
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

std::string Sha256::hex(std::string_view a, std::string_view b, std::string_view c) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(ctx_, md_, nullptr);
  EVP_DigestUpdate(ctx_, a.data(), a.size());
  EVP_DigestUpdate(ctx_, b.data(), b.size());
  EVP_DigestUpdate(ctx_, c.data(), c.size());
  EVP_DigestFinal_ex(ctx_, digest, &length);
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{length} * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 0xF];
  }
  return out;
}

HashChain::HashChain(std::string last_hash) : last_hash_(std::move(last_hash)) {}

void HashChain::seal(std::string& json) {
  json.pop_back();  // the object's closing '}'
  json += kPrevKey;
  json += last_hash_;
  json += '"';
  last_hash_ = sha_.hex(last_hash_, json, "}");
  json += kHashKey;
  json += last_hash_;
  json += "\"}";
}

std::expected<SealedLine, std::string> split_sealed(std::string_view line) {
  constexpr std::size_t kHashTail = kHashKey.size() + kHexLength + 2;  // ,"hash":"…"}
  constexpr std::size_t kPrevTail = kPrevKey.size() + kHexLength + 1;  // ,"prev_hash":"…"
  if (line.size() < kHashTail + kPrevTail + 1 || !line.ends_with("\"}")) {
    return std::unexpected("no hash at the end of the line (was hash_chain on?)");
  }
  const std::size_t hash_at = line.size() - kHashTail;
  if (line.substr(hash_at, kHashKey.size()) != kHashKey) {
    return std::unexpected("no hash at the end of the line (was hash_chain on?)");
  }
  const std::size_t prev_at = hash_at - kPrevTail;
  if (line.substr(prev_at, kPrevKey.size()) != kPrevKey || line[hash_at - 1] != '"') {
    return std::unexpected("no prev_hash just before the hash");
  }
  SealedLine sealed{.prev_hash = line.substr(prev_at + kPrevKey.size(), kHexLength),
                    .hash = line.substr(hash_at + kHashKey.size(), kHexLength),
                    .hashed = line.substr(0, hash_at)};
  if (!is_hex(sealed.prev_hash) || !is_hex(sealed.hash)) {
    return std::unexpected("prev_hash or hash is not 64 lower-case hex digits");
  }
  return sealed;
}

std::string expected_hash(Sha256& sha, const SealedLine& line) {
  return sha.hex(line.prev_hash, line.hashed, "}");
}

std::optional<std::string> last_hash_in_file(const std::string& path) {
  // Only a complete line counts: a torn last line (a crash mid-write) has no trustworthy hash,
  // so the chain continues from the line before it and verify will name the torn one.
  const auto line = last_line_in_file(path);
  if (!line) return std::nullopt;
  auto sealed = split_sealed(*line);
  if (!sealed) return std::nullopt;
  return std::string(sealed->hash);
}

}  // namespace gw::eventlog
