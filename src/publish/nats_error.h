#pragma once
// libnats's own words for what just failed on this thread: its last error text, else the
// status's name.

#include <nats/nats.h>

#include <string>

namespace gw::publish {

inline std::string nats_error(natsStatus status) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  if (text != nullptr && *text != '\0') return text;
  return natsStatus_GetText(status);
}

}  // namespace gw::publish
