// Binlog framing events (protocol/binlog/event.h, events.h, gtid.h). The first byte picks the
// stream's checksum (bit 0: CRC32) and the post-header lengths handed to the QUERY and rows
// decoders (bits 1-3); the rest is one event as a file or a dump holds it. The event is split,
// its body given to the decoder of its type, and the whole input is also given to every body
// decoder and to inflate_block, so that the decoders are reached without a valid CRC.
// Properties: codec_check.h's prefix rule for split_event (a strict prefix of an accepted event
// is need_more, or invalid_length once the header is there); decoded GTID lists are sorted with
// one entry per domain and re-format and re-parse equal; inflated sizes stay within the limit;
// decompressed QUERY bodies decode; views point into the body.

#include <algorithm>

#include "codec_check.h"
#include "protocol/binlog/event.h"
#include "protocol/binlog/events.h"
#include "protocol/binlog/gtid.h"

using namespace gw;
using namespace gw::protocol::binlog;

namespace {

constexpr std::size_t kInflateLimit = 256 * kKiB;

bool inside(std::string_view view, ByteView body) {
  const auto* begin = reinterpret_cast<const char*>(body.data());
  return view.empty() || (view.data() >= begin && view.data() + view.size() <= begin + body.size());
}

void check_gtid_list(const GtidList& list) {
  for (std::size_t i = 1; i < list.size(); ++i) FUZZ_CHECK(list[i - 1].domain < list[i].domain);
  auto again = parse_gtid_list(format_gtid_list(list));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == list);
}

void check_query(ByteView body, std::uint8_t post_header) {
  if (auto q = decode_query(body, post_header)) {
    FUZZ_CHECK(inside(q->db, body) && inside(q->statement, body));
  }
  Bytes out;
  if (decompress_query(body, post_header, out, kInflateLimit)) {
    FUZZ_CHECK(out.size() <= body.size() + kInflateLimit);
    FUZZ_CHECK(decode_query(out, post_header).has_value());
  } else {
    FUZZ_CHECK(out.empty());
  }
}

void check_rows(std::uint8_t type, ByteView body, std::uint8_t post_header) {
  Bytes out;
  if (decompress_rows(type, body, post_header, out, kInflateLimit)) {
    FUZZ_CHECK(uncompressed_type(type).has_value());
    FUZZ_CHECK(out.size() <= body.size() + kInflateLimit);
  } else {
    FUZZ_CHECK(out.empty());
  }
}

// Every body decoder, whatever the type says.
void decode_all(ByteView body, std::uint8_t choice, std::uint32_t server_id) {
  const std::uint8_t query_post_header = (choice & 0x02) != 0 ? 13 : 11;
  const std::uint8_t rows_post_header = (choice & 0x04) != 0 ? 10 : 8;
  if (auto fd = decode_format_description(body)) {
    FUZZ_CHECK(fd->header_length == kHeaderSize);
    FUZZ_CHECK(fd->post_header_lengths.size() + 58 == body.size());
    // Types are one byte: entries past 255 cannot be asked for.
    const std::size_t known = std::min<std::size_t>(fd->post_header_lengths.size(), 255);
    for (std::size_t t = 1; t <= known; ++t) {
      FUZZ_CHECK(fd->post_header_length(static_cast<std::uint8_t>(t)) ==
                 fd->post_header_lengths[t - 1]);
    }
  }
  if (auto rotate = decode_rotate(body)) FUZZ_CHECK(!rotate->next_file.empty());
  check_query(body, query_post_header);
  (void)decode_xid(body);
  if (auto gtid = decode_gtid(body, server_id)) {
    FUZZ_CHECK(gtid->gtid.server_id == server_id);
    FUZZ_CHECK(gtid->commit_id.has_value() == ((gtid->flags & GtidEvent::kGroupCommitId) != 0));
    auto text = parse_gtid(format_gtid(gtid->gtid));
    FUZZ_CHECK(text && *text == gtid->gtid);
  }
  if (auto list = decode_gtid_list(body)) check_gtid_list(*list);
  if (auto checkpoint = decode_binlog_checkpoint(body)) FUZZ_CHECK(!checkpoint->file.empty());
  if (auto annotate = decode_annotate_rows(body)) FUZZ_CHECK(inside(annotate->statement, body));
  if (auto heartbeat = decode_heartbeat(body)) FUZZ_CHECK(inside(heartbeat->file, body));
  for (std::uint8_t type = 166; type <= 171; ++type) check_rows(type, body, rows_post_header);
  if (auto inflated = inflate_block(body, kInflateLimit)) {
    FUZZ_CHECK(inflated->size() <= kInflateLimit);
  }
}

void check_text(std::string_view text) {
  if (auto gtid = parse_gtid(text)) {
    auto again = parse_gtid(format_gtid(*gtid));
    FUZZ_CHECK(again && *again == *gtid);
  }
  if (auto list = parse_gtid_list(text)) {
    check_gtid_list(*list);
    // A list without duplicates is a binlog state too.
    auto state = parse_gtid_binlog_state(text);
    FUZZ_CHECK(state && *state == *list);
  }
  if (auto state = parse_gtid_binlog_state(text)) check_gtid_list(*state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t choice = in.u8();
  const ByteView bytes = in.rest();
  const Checksum checksum = (choice & 0x01) != 0 ? Checksum::Crc32 : Checksum::Off;

  auto split = [checksum](ByteView b) { return split_event(b, checksum); };
  if (auto raw = split(bytes)) {
    FUZZ_CHECK(raw->header.event_size == bytes.size());
    FUZZ_CHECK(raw->body.size() <= bytes.size() - kHeaderSize);
    FUZZ_CHECK(raw->body.data() == bytes.data() + kHeaderSize);
    fuzz::check_prefixes(bytes, split, [](std::size_t len, std::error_code ec) {
      return len >= kHeaderSize && ec == codec_errc::invalid_length;
    });
    if (raw->header.type == static_cast<std::uint8_t>(EventType::FormatDescription)) {
      FUZZ_CHECK(announced_checksum(*raw).has_value());
    }
    decode_all(raw->body, choice, raw->header.server_id);
  }
  decode_all(bytes, choice, 1);
  check_text(as_chars(bytes));
  (void)event_type_name(choice);
  return 0;
}
