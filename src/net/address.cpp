#include "net/address.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <uv.h>

#include <string_view>

namespace gw::net {

std::string Target::to_string() const {
  if (kind == Kind::Unix) return path;
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

bool literal_address(const std::string& host, std::uint16_t port, sockaddr_storage& out) {
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&out)) == 0) return true;
  return uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&out)) == 0;
}

std::string address_name(const sockaddr* address) {
  char host[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    uv_ip6_name(v6, host, sizeof(host));
    return fmt::format("[{}]:{}", host, ntohs(v6->sin6_port));
  }
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    uv_ip4_name(v4, host, sizeof(host));
    return fmt::format("{}:{}", host, ntohs(v4->sin_port));
  }
  return "?";
}

bool is_resolution_error(int status) {
  return status < 0 && std::string_view(uv_err_name(status)).starts_with("EAI_");
}

std::string uv_reason(int status) { return fmt::format("{} ({})", uv_strerror(status), -status); }

}  // namespace gw::net
