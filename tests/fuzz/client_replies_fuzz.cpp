// What gracewire's own connections read as a client: the server's side of a login
// (protocol/client_login.h) and one statement's reply (protocol/text_result.h). The first byte
// picks the reader (bit 0); for the login, whether it asks for TLS (bits 1-2: off, if offered,
// required; an SSLRequest's TLS handshake is taken as done at once); for the reply, the
// capabilities (bit 1 CLIENT_DEPRECATE_EOF, bit 2 MARIADB_CLIENT_CACHE_METADATA); then messages
// follow, each as int<1> sequence id (the login only), int<2> length, payload.
// Properties: a cut message (need_more) changes nothing and sends nothing; any other error ends
// the reader for good; the login sends only while it waits for the server, never the password;
// a login asking for TLS sends nothing but a 32-byte SSLRequest before its handshake;
// a finished reply holds no more rows than the limit, each as wide as every other.

#include <string>

#include "core/errors.h"
#include "fuzz_support.h"
#include "protocol/client_login.h"
#include "protocol/constants.h"
#include "protocol/text_result.h"

using namespace gw;
using namespace gw::protocol;

namespace {

constexpr std::string_view kPassword = "Fz-pw-8e1d";

bool contains(const Bytes& haystack, std::string_view needle) {
  return std::string_view(reinterpret_cast<const char*>(haystack.data()), haystack.size())
             .find(needle) != std::string_view::npos;
}

void login(fuzz::Input& in, std::uint8_t which) {
  const auto tls = static_cast<LoginTls>(((which >> 1) & 3) % 3);
  ClientLogin login("gw", std::string(kPassword), {}, tls);
  Bytes sent;
  while (!in.empty()) {
    const std::uint8_t sequence_id = in.u8();
    const ByteView payload = in.take(in.u16());
    const auto before = login.state();
    const std::size_t sent_before = sent.size();
    auto handled = login.on_message(sequence_id, payload, sent);
    if (!handled && handled.error() == codec_errc::need_more) {
      FUZZ_CHECK(login.state() == before);
      FUZZ_CHECK(sent.size() == sent_before);
      continue;
    }
    if (!handled) FUZZ_CHECK(login.state() == ClientLogin::State::Failed);
    if (login.state() == ClientLogin::State::StartTls) {
      FUZZ_CHECK(tls != LoginTls::Off);
      FUZZ_CHECK(sent.size() == sent_before + 4 + kSslRequestSize);
      FUZZ_CHECK(is_ssl_request(ByteView(sent.data() + sent_before + 4, kSslRequestSize)));
      login.continue_in_tls(sent);  // the handshake, done
    }
    if (sent.size() != sent_before) FUZZ_CHECK(login.state() == ClientLogin::State::Auth);
    if (before != ClientLogin::State::Greeting && before != ClientLogin::State::Auth) {
      FUZZ_CHECK(!handled);  // nothing belongs to an ended login
    }
  }
  FUZZ_CHECK(!contains(sent, kPassword));
}

void reply(fuzz::Input& in, std::uint8_t which) {
  std::uint64_t caps = cap::kProtocol41 | cap::kTransactions;
  if ((which & 2) != 0) caps |= cap::kDeprecateEof;
  if ((which & 4) != 0) caps |= cap::kMariadbCacheMetadata;
  const TextResultLimits limits{.max_rows = 8, .max_bytes = 512};
  TextResultDecoder decoder(caps, limits);
  bool ended = false;
  while (!in.empty()) {
    const ByteView payload = in.take(in.u16());
    const bool done_before = decoder.done();
    auto handled = decoder.on_message(payload);
    if (!handled && handled.error() == codec_errc::need_more) {
      FUZZ_CHECK(decoder.done() == done_before);
      continue;
    }
    if (ended) FUZZ_CHECK(!handled);
    if (!handled) {
      FUZZ_CHECK(decoder.done());
      ended = true;
      continue;
    }
    if (*handled) {
      ended = true;
      const TextResult result = decoder.take();
      FUZZ_CHECK(result.rows.size() <= limits.max_rows);
      std::size_t bytes = 0;
      for (const TextRow& row : result.rows) {
        FUZZ_CHECK(row.size() == result.rows.front().size());
        for (const auto& field : row) bytes += field ? field->size() : 0;
      }
      FUZZ_CHECK(bytes <= limits.max_bytes);
      FUZZ_CHECK(result.ok || result.rows.empty());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t which = in.u8();
  if ((which & 1) == 0) {
    login(in, which);
  } else {
    reply(in, which);
  }
  return 0;
}
