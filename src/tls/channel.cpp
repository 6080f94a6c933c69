#include "tls/channel.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls/context.h"

namespace gw::tls {
namespace {

constexpr std::size_t kReadChunk = 16 * kKiB;  // one TLS record's plaintext at most

}  // namespace

std::expected<Channel, std::string> Channel::create(SSL_CTX* ctx, Role role,
                                                    const std::string& server_name) {
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return std::unexpected("cannot create a TLS connection: " + drain_errors());
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    SSL_free(ssl);
    return std::unexpected("cannot create TLS buffers: " + drain_errors());
  }
  // An empty input BIO means "more to come" until the socket says otherwise (on_eof).
  BIO_set_mem_eof_return(in, -1);
  SSL_set_bio(ssl, in, out);
  Channel channel(ssl, in, out);
  if (role == Role::Server) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
    if (!server_name.empty()) {
      // An address is checked against the certificate's IP entries and is not sent as SNI
      // (RFC 6066 allows host names only).
      const bool address =
          X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name.c_str()) == 1;
      ERR_clear_error();
      if (!address && (SSL_set_tlsext_host_name(ssl, server_name.c_str()) != 1 ||
                       SSL_set1_host(ssl, server_name.c_str()) != 1)) {
        return std::unexpected("cannot use server name '" + server_name + "': " + drain_errors());
      }
    }
  }
  return channel;
}

void Channel::feed(ByteView encrypted) {
  if (encrypted.empty() || state_ == State::Failed) return;
  // A memory BIO grows as needed; the caller bounds what it reads before feeding.
  BIO_write(in_, encrypted.data(), static_cast<int>(encrypted.size()));
}

void Channel::on_eof() {
  eof_ = true;
  BIO_set_mem_eof_return(in_, 0);  // now an empty BIO is the end, and OpenSSL can tell
}

void Channel::pump(Bytes& plain) {
  if (state_ == State::Failed) return;
  if (state_ == State::Handshaking) {
    ERR_clear_error();
    const int result = SSL_do_handshake(ssl_.get());
    if (result == 1) {
      state_ = State::Open;
    } else {
      const int reason = SSL_get_error(ssl_.get(), result);
      if (reason != SSL_ERROR_WANT_READ && reason != SSL_ERROR_WANT_WRITE) {
        fail(result, "handshake");
        flush();  // the alert that says why
        return;
      }
    }
  }
  if (state_ == State::Open || state_ == State::Closed) read_records(plain);
  flush();
}

// One socket read may hold many records, and one record may span reads: read until OpenSSL
// wants more.
void Channel::read_records(Bytes& plain) {
  while (true) {
    ERR_clear_error();
    std::uint8_t chunk[kReadChunk];
    const int result = SSL_read(ssl_.get(), chunk, sizeof chunk);
    if (result > 0) {
      plain.insert(plain.end(), chunk, chunk + result);
      continue;
    }
    const int reason = SSL_get_error(ssl_.get(), result);
    if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) return;
    if (reason == SSL_ERROR_ZERO_RETURN) {
      peer_close_notify_ = true;
      state_ = State::Closed;
      return;
    }
    fail(result, "read");
    return;
  }
}

bool Channel::write(ByteView plain) {
  if (state_ != State::Open) return false;
  if (plain.empty()) return true;
  ERR_clear_error();
  // A memory BIO never fills: SSL_write takes everything at once (backpressure is the
  // caller's, from the socket's write queue).
  const int result = SSL_write(ssl_.get(), plain.data(), static_cast<int>(plain.size()));
  if (result <= 0) {
    fail(result, "write");
    flush();
    return false;
  }
  flush();
  return true;
}

void Channel::close() {
  if (state_ == State::Failed) return;
  if ((SSL_get_shutdown(ssl_.get()) & SSL_SENT_SHUTDOWN) == 0) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // close_notify; the peer's is not waited for here
    ERR_clear_error();
  }
  state_ = State::Closed;
  flush();
}

void Channel::flush() {
  const auto pending = BIO_ctrl_pending(out_bio_);
  if (pending == 0) return;
  const std::size_t at = out_.size();
  out_.resize(at + pending);
  const int read = BIO_read(out_bio_, out_.data() + at, static_cast<int>(pending));
  out_.resize(at + static_cast<std::size_t>(read > 0 ? read : 0));
}

void Channel::fail(int result, const char* during) {
  const int reason = SSL_get_error(ssl_.get(), result);
  // A FIN where close_notify belonged: said as such, so a lifecycle record can tell a client
  // that dropped TLS from one that ended it (hence no SSL_OP_IGNORE_UNEXPECTED_EOF).
  peer_dropped_ = eof_ && (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING ||
                           (reason == SSL_ERROR_SYSCALL && ERR_peek_error() == 0));
  std::string why = drain_errors();
  if (peer_dropped_) {
    why = "the peer closed the connection without close_notify";
  } else if (why.empty()) {
    why = "TLS error " + std::to_string(reason);
  }
  error_ = std::string("TLS ") + during + " failed: " + why;
  state_ = State::Failed;
}

std::string Channel::version() const {
  return state_ == State::Handshaking ? std::string() : SSL_get_version(ssl_.get());
}

std::string Channel::cipher() const {
  const char* name = SSL_get_cipher_name(ssl_.get());
  return state_ == State::Handshaking || name == nullptr ? std::string() : name;
}

}  // namespace gw::tls

namespace gw::tls {

std::string Channel::peer_subject() const {
  if (state_ == State::Handshaking || SSL_get_verify_result(ssl_.get()) != X509_V_OK) return {};
  X509* peer = SSL_get0_peer_certificate(ssl_.get());
  if (peer == nullptr) return {};
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(peer), subject, sizeof subject);
  return subject;
}

}  // namespace gw::tls
