#pragma once
// Outlet: a second destination for the lines an EventLog writes, beside its file (or instead
// of it): the NATS publisher (src/publish). The writer thread hands it every line it seals, in
// the order written, with the record the line came from.
//
// The outlet settles each change record later (acknowledged, or lost), in the order handed;
// the EventLog's change_progress() counts a change record written only once both its file and
// its outlet have it, so that the binlog checkpoint never passes a row the stream lacks.

#include <cstdint>
#include <string_view>

#include "eventlog/record.h"

namespace gw::eventlog {

class Outlet {
 public:
  virtual ~Outlet() = default;

  // Writer thread. `line` is the sealed JSON line without its '\n'; `record` is what it
  // encodes, or null for a "dropped" notice; `sequence` is the line's "seq" (sequence.h). The
  // outlet copies what it keeps. It may wait for room (its loss policy says when); its owner
  // bounds that wait when it closes the outlet, after the EventLog's own bounded close().
  virtual void take(const Record* record, std::string_view line, std::uint64_t sequence) = 0;

  // Any thread. Change records handed to take() and since settled: `confirmed` are all the
  // outlet holds for good (the stream acknowledged them, and every change handed before
  // them); `lost` never will be.
  struct ChangeTally {
    std::uint64_t confirmed = 0, lost = 0;
  };
  virtual ChangeTally changes() const = 0;
};

}  // namespace gw::eventlog
