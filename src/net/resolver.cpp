#include "net/resolver.h"

#include <netdb.h>

#include "net/address.h"

namespace gw::net {

Resolver* Resolver::start(uv_loop_t* loop, const std::string& host, std::uint16_t port, Done done) {
  sockaddr_storage address{};
  if (literal_address(host, port, address)) {
    done(0, reinterpret_cast<const sockaddr*>(&address));
    return nullptr;
  }
  auto* resolver = new Resolver(std::move(done));
  resolver->req_.data = resolver;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  const std::string service = std::to_string(port);
  const int rc =
      uv_getaddrinfo(loop, &resolver->req_, on_resolved, host.c_str(), service.c_str(), &hints);
  if (rc != 0) {
    Done failed = std::move(resolver->done_);
    delete resolver;
    failed(rc, nullptr);
    return nullptr;
  }
  return resolver;
}

void Resolver::cancel() {
  done_ = nullptr;
  // Only a request still queued can be cancelled; one already running finishes unheard.
  uv_cancel(reinterpret_cast<uv_req_t*>(&req_));
}

void Resolver::on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* result) {
  auto* self = static_cast<Resolver*>(req->data);
  Done done = std::move(self->done_);
  if (done) {
    const bool found = status == 0 && result != nullptr;
    done(found ? 0 : (status == 0 ? UV_EAI_NONAME : status), found ? result->ai_addr : nullptr);
  }
  uv_freeaddrinfo(result);
  delete self;
}

}  // namespace gw::net
