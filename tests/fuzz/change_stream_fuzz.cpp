// The binlog follower's ChangeStream (binlog/change_stream.h) over a whole stream of events, as a
// binlog file lays them out (an optional fe 62 69 6e magic, then events back to back, each as
// long as its header says). The first byte chooses whether checksums are expected. Every
// decoder of protocol/binlog runs on what the fuzzer makes of real events (the seed is a file
// captured from MariaDB 10.11). Properties: never a crash or a read past an event (ASan); rows
// of an event come out one per call and stop; a stream that failed is not used again; the
// committed position only moves at transaction ends (never while a group is open).

#include <variant>

#include "binlog/change_stream.h"
#include "fuzz_support.h"

using namespace gw;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const bool checksums = (in.u8() & 1) != 0;
  ByteView rest = in.rest();
  if (rest.size() >= 4 && rest[0] == 0xfe && rest[1] == 'b' && rest[2] == 'i' && rest[3] == 'n') {
    rest = rest.subspan(4);
  }
  binlog::ChangeStream stream({.initial_checksum = checksums ? protocol::binlog::Checksum::Crc32
                                                             : protocol::binlog::Checksum::Off,
                               .statement_limit = 256,
                               .attribution = nullptr},
                              binlog::StreamPosition{});
  std::size_t records = 0;
  while (rest.size() >= protocol::binlog::kHeaderSize) {
    const std::uint32_t event_size =
        rest[9] | (rest[10] << 8) | (rest[11] << 16) | (std::uint32_t{rest[12]} << 24);
    const std::size_t take =
        std::min<std::size_t>(std::max<std::uint32_t>(event_size, 1), rest.size());
    const ByteView event = rest.first(take);
    rest = rest.subspan(take);
    const auto committed_before = stream.committed();
    const bool open_before = stream.in_transaction();
    if (!stream.begin_event(event)) return 0;  // the follower reconnects; the stream is dropped
    // Rows of one event: at most as many as the event has bytes (each row takes one at least).
    std::size_t from_this_event = 0;
    while (true) {
      auto record = stream.next_record();
      if (!record) return 0;
      if (!*record) break;
      ++records;
      FUZZ_CHECK(++from_this_event <= event.size() + 1);
    }
    if (open_before && stream.in_transaction()) {
      FUZZ_CHECK(stream.committed().gtid == committed_before.gtid);
    }
  }
  FUZZ_CHECK(stream.stats().rows <= records);
  return 0;
}
