#include "config/nats_names.h"

#include <fmt/format.h>

#include <charconv>

namespace gw::config {
namespace {

constexpr std::string_view kUrlForm = "nats://HOST[:PORT] or tls://HOST[:PORT]";
// JetStream keeps a stream's name as a directory name on disk: the server's own limit.
constexpr std::size_t kMaxStreamName = 255;
// Room for a host name; an id "<instance>:<lineage>:<seq>" stays short in every message.
constexpr std::size_t kMaxInstanceName = 64;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_host_char(char c) { return is_alnum(c) || c == '.' || c == '-' || c == '_'; }

bool is_ipv6_char(char c) {
  // Hex digits, separators, an embedded IPv4 tail, and a %zone suffix ("fe80::1%eth0").
  return is_host_char(c) || c == ':' || c == '%';
}

// A character as a message shows it: itself when printable, else \xNN.
std::string shown(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7F) return std::string(1, c);
  return fmt::format("\\x{:02X}", byte);
}

Explained<std::string> check_port(std::string_view port, std::string_view url) {
  if (port.empty()) return problem("missing port after ':' in " + in_quotes(url));
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec == std::errc::invalid_argument || end != port.data() + port.size()) {
    return problem("port " + in_quotes(port) + " is not a number in " + in_quotes(url));
  }
  if (ec == std::errc::result_out_of_range || value == 0 || value > 65535) {
    return problem("port " + std::string(port) + " is out of range 1..65535");
  }
  return std::string(url);
}

}  // namespace

Explained<std::string> parse_nats_url(std::string_view text) {
  // First, because every other message quotes the URL, and what precedes '@' is a secret.
  if (text.find('@') != std::string_view::npos) {
    return problem(
        "holds credentials (\"user:password@\"), and URLs end up in logs: set nats_user and "
        "nats_password_env, or nats_creds, instead");
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return problem("expected " + std::string(kUrlForm) + ", got " + in_quotes(text));
  }
  const auto scheme = text.substr(0, scheme_end);
  if (scheme != "nats" && scheme != "tls") {
    return problem("the scheme is \"nats\" or \"tls\", got " + in_quotes(scheme) + " in " +
                   in_quotes(text));
  }
  const auto authority = text.substr(scheme_end + 3);
  if (authority.find_first_of("/?#") != std::string_view::npos) {
    return problem("expected " + std::string(kUrlForm) + " with nothing after it, got " +
                   in_quotes(text));
  }
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return problem("missing ']' in " + in_quotes(text));
    const auto host = authority.substr(1, close - 1);
    if (host.empty()) return problem("empty IPv6 address in " + in_quotes(text));
    for (const char c : host) {
      if (!is_ipv6_char(c)) return problem("invalid IPv6 address " + in_quotes(host));
    }
    const auto rest = authority.substr(close + 1);
    if (rest.empty()) return std::string(text);
    if (rest.front() != ':') return problem("expected \":PORT\" after ']' in " + in_quotes(text));
    return check_port(rest.substr(1), text);
  }
  const auto colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
    return problem("an IPv6 address needs brackets, like \"nats://[::1]:4222\"; got " +
                   in_quotes(text));
  }
  const auto host = authority.substr(0, colon);
  if (host.empty()) return problem("missing host in " + in_quotes(text));
  for (const char c : host) {
    if (!is_host_char(c)) return problem("invalid host name " + in_quotes(host));
  }
  if (colon == std::string_view::npos) return std::string(text);
  return check_port(authority.substr(colon + 1), text);
}

Explained<std::string> parse_stream_name(std::string_view text) {
  if (text.empty()) return problem("empty: a stream needs a name");
  if (text.size() > kMaxStreamName) {
    return problem(fmt::format("{} characters long; a stream name has at most {}", text.size(),
                               kMaxStreamName));
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // Space is below '!'; '.', '*' and '>' would make the name a subject or a wildcard, '/'
    // and '\' a path on the server's disk.
    if (c < '!' || c > '~' || c == '.' || c == '*' || c == '>' || c == '/' || c == '\\') {
      return problem(fmt::format(
          "'{}' at offset {}: a stream name takes printable ASCII other than space, '.', '*', "
          "'>', '/' and '\\'",
          shown(text[i]), i));
    }
  }
  return std::string(text);
}

Explained<std::string> parse_subject_prefix(std::string_view text) {
  if (text.empty()) return problem("empty: subjects need at least one token");
  std::size_t token_start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '.') {
      if (i == token_start) return problem(fmt::format("an empty token at offset {}", i));
      token_start = i + 1;
    } else if (!is_alnum(text[i]) && text[i] != '_' && text[i] != '-') {
      return problem(fmt::format("'{}' at offset {}: tokens take letters, digits, '_' and '-'",
                                 shown(text[i]), i));
    }
  }
  return std::string(text);
}

Explained<std::string> parse_instance_name(std::string_view text) {
  if (text.size() > kMaxInstanceName) {
    return problem(fmt::format("{} characters long; an instance name has at most {}", text.size(),
                               kMaxInstanceName));
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_host_char(text[i])) {
      return problem(
          fmt::format("'{}' at offset {}: an instance name takes letters, digits, '_', '.' and '-'",
                      shown(text[i]), i));
    }
  }
  return std::string(text);
}

}  // namespace gw::config
