#include "protocol/client_login.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <utility>

#include "core/errors.h"
#include "protocol/auth.h"
#include "protocol/frame.h"
#include "protocol/native_password.h"

namespace gw::protocol {

namespace {

// One authentication plugin gracewire can answer for. `answer` turns the password and the
// server's plugin data (the greeting's scramble, or an AuthSwitchRequest's data) into the auth
// response. A plugin that needs more round trips (caching_sha2_password's AuthMoreData) will
// need a second function here; none does yet.
struct PluginAnswer {
  std::string_view name;
  std::string (*answer)(std::string_view password, std::string_view data);
};

std::string native_password_answer(std::string_view password, std::string_view data) {
  // An AuthSwitchRequest's data ends with a NUL after the 20-byte scramble; the answer uses the
  // first 20 bytes only.
  return native_password_response(password, data);
}

constexpr PluginAnswer kPlugins[] = {
    {kNativePasswordPlugin, native_password_answer},
};

const PluginAnswer* find_plugin(std::string_view name) {
  for (const PluginAnswer& plugin : kPlugins) {
    if (plugin.name == name) return &plugin;
  }
  return nullptr;
}

std::string plugin_names() {
  std::string names;
  for (const PluginAnswer& plugin : kPlugins) {
    if (!names.empty()) names += ", ";
    names += plugin.name;
  }
  return names;
}

void wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

}  // namespace

std::uint64_t client_login_capabilities(const Greeting& greeting, bool with_schema) {
  const std::uint64_t wanted =
      kClientLoginCapabilities | (with_schema ? cap::kConnectWithDb : std::uint64_t{0});
  return greeting.capabilities & wanted;
}

Bytes login_response_payload(const Greeting& greeting, const LoginCredentials& credentials,
                             bool in_tls) {
  HandshakeResponse response;
  response.capabilities = client_login_capabilities(greeting, !credentials.schema.empty()) |
                          (in_tls ? cap::kSsl : std::uint64_t{0});
  response.max_packet_size = kClientLoginMaxPacket;
  response.charset = greeting.charset;
  response.user = std::string(credentials.user);
  response.auth_response = native_password_answer(credentials.password, greeting.auth_data);
  if ((response.capabilities & cap::kConnectWithDb) != 0) {
    response.schema = std::string(credentials.schema);
    response.has_schema = true;
  }
  response.auth_plugin = std::string(kNativePasswordPlugin);
  response.has_auth_plugin = true;
  Bytes payload;
  encode_handshake_response(response, payload);
  return payload;
}

ClientLogin::ClientLogin(std::string user, std::string password, std::string schema, LoginTls tls)
    : user_(std::move(user)),
      password_(std::move(password)),
      schema_(std::move(schema)),
      tls_(tls) {}

ClientLogin::~ClientLogin() { wipe_password(); }

void ClientLogin::wipe_password() { wipe(password_); }

void ClientLogin::end(State state, std::string failure) {
  state_ = state;
  failure_ = std::move(failure);
  wipe_password();
}

Result<void> ClientLogin::on_message(std::uint8_t sequence_id, ByteView payload, Bytes& to_server) {
  const std::uint8_t expected = next_sequence_id_;
  Result<void> handled = [&]() -> Result<void> {
    // Nothing may come between the SSLRequest and the TLS handshake.
    if (ended() || state_ == State::StartTls) return fail(codec_errc::unexpected_message);
    if (sequence_id != expected) return fail(session_errc::bad_sequence);
    if (payload.empty()) return fail(codec_errc::need_more);
    next_sequence_id_ = static_cast<std::uint8_t>(sequence_id + 1);
    return state_ == State::Greeting ? on_greeting(payload, to_server)
                                     : on_auth_reply(payload, to_server);
  }();
  if (handled) return handled;
  // The handlers change state only once a message decoded, so a cut one leaves the login as it
  // was; to a caller that passes whole messages it is malformed all the same.
  if (handled.error() == codec_errc::need_more) {
    next_sequence_id_ = expected;
  } else if (state_ != State::Failed) {
    end(State::Failed, fmt::format("bad packet from the server: {}", handled.error().message()));
  }
  return handled;
}

Result<void> ClientLogin::on_greeting(ByteView payload, Bytes& to_server) {
  if (payload[0] == kErrHeader) {
    auto err = decode_err(payload, 0);
    if (!err) return fail(err.error());
    end(State::Failed,
        fmt::format("the server refused the connection: ERR {}: {}", err->code, err->message));
    error_ = std::move(*err);
    return {};
  }
  auto greeting = decode_greeting(payload);
  if (!greeting) return fail(greeting.error());
  greeting_ = std::move(*greeting);
  capabilities_ = client_login_capabilities(*greeting_, !schema_.empty());
  const bool offered = (greeting_->capabilities & cap::kSsl) != 0;
  if (tls_ == LoginTls::Require && !offered) {
    // Lasting until the server's configuration changes: a refusal, not a passing failure.
    end(State::Refused,
        "login not attempted: the server does not offer TLS (its greeting lacks CLIENT_SSL) and "
        "upstream.tls_mode requires it");
    return {};
  }
  if (tls_ != LoginTls::Off && offered) {
    capabilities_ |= cap::kSsl;
    Bytes request;
    encode_ssl_request({.capabilities = capabilities_,
                        .max_packet_size = kClientLoginMaxPacket,
                        .charset = greeting_->charset},
                       request);
    next_sequence_id_ = append_message(request, next_sequence_id_, to_server);
    state_ = State::StartTls;
    return {};
  }
  send_response(to_server);
  return {};
}

void ClientLogin::continue_in_tls(Bytes& to_server) {
  if (state_ == State::StartTls) send_response(to_server);
}

void ClientLogin::send_response(Bytes& to_server) {
  // Inside TLS the response repeats the SSLRequest's capabilities, CLIENT_SSL included.
  const Bytes response = login_response_payload(
      *greeting_, {.user = user_, .password = password_, .schema = schema_}, uses_tls());
  next_sequence_id_ = append_message(response, next_sequence_id_, to_server);
  state_ = State::Auth;
}

Result<void> ClientLogin::on_auth_reply(ByteView payload, Bytes& to_server) {
  switch (payload[0]) {
    case kOkHeader: {
      auto ok = decode_ok(payload, capabilities_);
      if (!ok) return fail(ok.error());
      end(State::LoggedIn, {});
      return {};
    }
    case kErrHeader: {
      auto err = decode_err(payload, capabilities_);
      if (!err) return fail(err.error());
      end(State::Refused,
          fmt::format("login refused: ERR {} ({}): {}", err->code, err->sql_state, err->message));
      error_ = std::move(*err);
      return {};
    }
    case kAuthSwitchHeader:
      return on_auth_switch(payload, to_server);
    case kAuthMoreDataHeader:
      end(State::Failed,
          "the server sent AuthMoreData (0x01): no plugin gracewire speaks continues an exchange");
      return {};
    default:
      end(State::Failed,
          fmt::format("unexpected authentication packet (first byte 0x{:02x})", payload[0]));
      return {};
  }
}

Result<void> ClientLogin::on_auth_switch(ByteView payload, Bytes& to_server) {
  auto request = decode_auth_switch_request(payload);
  if (!request) return fail(request.error());
  const PluginAnswer* plugin = find_plugin(request->plugin);
  if (plugin == nullptr) {
    end(State::Refused, fmt::format("unsupported plugin {} (gracewire speaks {})", request->plugin,
                                    plugin_names()));
    return {};
  }
  switched_ = true;
  std::string answer = plugin->answer(password_, request->data);
  next_sequence_id_ = append_message(as_bytes(answer), next_sequence_id_, to_server);
  wipe(answer);
  return {};
}

}  // namespace gw::protocol
