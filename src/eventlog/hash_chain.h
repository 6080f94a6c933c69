#pragma once
// Tamper evidence: each record carries the hash of the one before it and its own.
//
// A sealed line is the record's JSON object with two members added at its end:
//
//   {…record…,"prev_hash":"<P>","hash":"<H>"}
//
// where P is the previous record's H (64 zeros for the first record ever written) and
//
//   H = lower-case hex of SHA-256( P  ||  {…record…,"prev_hash":"<P>"} )
//
// i.e. over the previous hash followed by the exact bytes of the line without its hash member.
// Hashing bytes as written (not a re-serialisation) lets any tool check a line with a text
// split and one SHA-256. The chain runs across rotation and restarts: the first record of a
// new file carries the last hash of the file before it, and a restarted writer continues from
// the last line of the file it appends to.

#include <openssl/types.h>

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace gw::eventlog {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// SHA-256 in hex over the concatenation of the parts. Reuses one OpenSSL context.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  std::string hex(std::string_view a, std::string_view b, std::string_view c);

 private:
  EVP_MD* md_ = nullptr;
  EVP_MD_CTX* ctx_ = nullptr;
};

class HashChain {
 public:
  explicit HashChain(std::string last_hash = std::string(kGenesisHash));

  // `json` holds exactly one record object; prev_hash and hash become its last two members.
  void seal(std::string& json);
  const std::string& last_hash() const { return last_hash_; }

 private:
  Sha256 sha_;
  std::string last_hash_;
};

// The parts of a sealed line (without its newline).
struct SealedLine {
  std::string_view prev_hash;
  std::string_view hash;
  std::string_view hashed;  // the line up to the hash member, without the closing '}'
};

// Splits a sealed line, or says why it is not one.
std::expected<SealedLine, std::string> split_sealed(std::string_view line);

// What a sealed line's hash must be.
std::string expected_hash(Sha256& sha, const SealedLine& line);

// The hash of the last complete line of `path`, when that line is sealed.
std::optional<std::string> last_hash_in_file(const std::string& path);

}  // namespace gw::eventlog
