#include "protocol/binlog/event.h"

#include <zlib.h>

#include <array>
#include <string>

#include "core/byte_reader.h"
#include "core/errors.h"

namespace gw::protocol::binlog {
namespace {

constexpr std::size_t kTypeOffset = 4;
constexpr std::size_t kFlagsOffset = 17;
// FORMAT_DESCRIPTION: the algorithm byte, then the 4-byte checksum field.
constexpr std::size_t kAlgorithmSize = 1;

// Names as in MariaDB's sql/log_event.h (Log_event_type) and MySQL's binlog_event.h for the
// MySQL-only types; nullptr where no server defines the number.
constexpr std::array<const char*, 42> kLowNames = {
    "UNKNOWN_EVENT",
    "START_EVENT_V3",
    "QUERY_EVENT",
    "STOP_EVENT",
    "ROTATE_EVENT",
    "INTVAR_EVENT",
    "LOAD_EVENT",
    "SLAVE_EVENT",
    "CREATE_FILE_EVENT",
    "APPEND_BLOCK_EVENT",
    "EXEC_LOAD_EVENT",
    "DELETE_FILE_EVENT",
    "NEW_LOAD_EVENT",
    "RAND_EVENT",
    "USER_VAR_EVENT",
    "FORMAT_DESCRIPTION_EVENT",
    "XID_EVENT",
    "BEGIN_LOAD_QUERY_EVENT",
    "EXECUTE_LOAD_QUERY_EVENT",
    "TABLE_MAP_EVENT",
    "PRE_GA_WRITE_ROWS_EVENT",
    "PRE_GA_UPDATE_ROWS_EVENT",
    "PRE_GA_DELETE_ROWS_EVENT",
    "WRITE_ROWS_EVENT_V1",
    "UPDATE_ROWS_EVENT_V1",
    "DELETE_ROWS_EVENT_V1",
    "INCIDENT_EVENT",
    "HEARTBEAT_LOG_EVENT",
    "IGNORABLE_LOG_EVENT",
    "ROWS_QUERY_LOG_EVENT",
    "WRITE_ROWS_EVENT",
    "UPDATE_ROWS_EVENT",
    "DELETE_ROWS_EVENT",
    "GTID_LOG_EVENT",
    "ANONYMOUS_GTID_LOG_EVENT",
    "PREVIOUS_GTIDS_LOG_EVENT",
    "TRANSACTION_CONTEXT_EVENT",
    "VIEW_CHANGE_EVENT",
    "XA_PREPARE_LOG_EVENT",
    "PARTIAL_UPDATE_ROWS_EVENT",
    "TRANSACTION_PAYLOAD_EVENT",
    "HEARTBEAT_LOG_EVENT_V2",
};
constexpr std::uint8_t kFirstMariadbType = 160;
constexpr std::array<const char*, 12> kMariadbNames = {
    "ANNOTATE_ROWS_EVENT",
    "BINLOG_CHECKPOINT_EVENT",
    "GTID_EVENT",
    "GTID_LIST_EVENT",
    "START_ENCRYPTION_EVENT",
    "QUERY_COMPRESSED_EVENT",
    "WRITE_ROWS_COMPRESSED_EVENT_V1",
    "UPDATE_ROWS_COMPRESSED_EVENT_V1",
    "DELETE_ROWS_COMPRESSED_EVENT_V1",
    "WRITE_ROWS_COMPRESSED_EVENT",
    "UPDATE_ROWS_COMPRESSED_EVENT",
    "DELETE_ROWS_COMPRESSED_EVENT",
};

std::uint32_t crc32_of(ByteView bytes, std::uint32_t crc = 0) {
  // zlib takes uInt lengths; events are at most kMaxEventSize (1 GiB), which fits.
  return static_cast<std::uint32_t>(::crc32(crc, bytes.data(), static_cast<uInt>(bytes.size())));
}

// The CRC32 a FORMAT_DESCRIPTION's checksum field holds: over header and body with
// kFlagBinlogInUse clear (event.h).
std::uint32_t format_description_crc(ByteView covered) {
  std::array<std::uint8_t, kHeaderSize> header{};
  for (std::size_t i = 0; i < kHeaderSize; ++i) header[i] = covered[i];
  header[kFlagsOffset] = static_cast<std::uint8_t>(header[kFlagsOffset] & ~kFlagBinlogInUse);
  return crc32_of(covered.subspan(kHeaderSize), crc32_of(header));
}

std::uint32_t stored_crc(ByteView event) {
  ByteReader r(event.subspan(event.size() - kChecksumSize));
  return r.u32();
}

}  // namespace

std::string event_type_name(std::uint8_t type) {
  const char* name = nullptr;
  if (type < kLowNames.size()) {
    name = kLowNames[type];
  } else if (type >= kFirstMariadbType &&
             std::size_t{type} - kFirstMariadbType < kMariadbNames.size()) {
    name = kMariadbNames[type - kFirstMariadbType];
  }
  if (name != nullptr) return name;
  return "UNKNOWN_EVENT(" + std::to_string(type) + ")";
}

Result<EventHeader> decode_header(ByteView bytes) {
  ByteReader r(bytes);
  EventHeader h;
  h.timestamp = r.u32();
  h.type = r.u8();
  h.server_id = r.u32();
  h.event_size = r.u32();
  h.log_pos = r.u32();
  h.flags = r.u16();
  if (!r.ok()) return fail(r.error());
  return h;
}

Result<RawEvent> split_event(ByteView bytes, Checksum checksum) {
  auto header = decode_header(bytes);
  if (!header) return fail(header.error());
  const std::size_t size = header->event_size;
  if (size < kHeaderSize || size > kMaxEventSize || size != bytes.size()) {
    return fail(codec_errc::invalid_length);
  }
  std::size_t trailer = 0;
  bool verify = false;
  const bool format_description =
      bytes[kTypeOffset] == static_cast<std::uint8_t>(EventType::FormatDescription);
  if (format_description) {
    if (size < kHeaderSize + kAlgorithmSize + kChecksumSize) {
      return fail(codec_errc::invalid_length);
    }
    const std::uint8_t algorithm = bytes[size - kChecksumSize - kAlgorithmSize];
    if (algorithm != static_cast<std::uint8_t>(Checksum::Off) &&
        algorithm != static_cast<std::uint8_t>(Checksum::Crc32)) {
      return fail(codec_errc::unsupported);
    }
    trailer = kChecksumSize;
    verify = algorithm == static_cast<std::uint8_t>(Checksum::Crc32);
  } else if (checksum == Checksum::Crc32) {
    if (size < kHeaderSize + kChecksumSize) return fail(codec_errc::invalid_length);
    trailer = kChecksumSize;
    verify = true;
  }
  if (verify) {
    const ByteView covered = bytes.first(size - kChecksumSize);
    const std::uint32_t computed =
        format_description ? format_description_crc(covered) : crc32_of(covered);
    if (computed != stored_crc(bytes)) return fail(codec_errc::checksum_mismatch);
  }
  return RawEvent{*header, bytes.subspan(kHeaderSize, size - kHeaderSize - trailer)};
}

Result<Checksum> announced_checksum(const RawEvent& format_description) {
  if (format_description.header.type != static_cast<std::uint8_t>(EventType::FormatDescription)) {
    return fail(codec_errc::unexpected_message);
  }
  const ByteView body = format_description.body;
  if (body.empty()) return fail(codec_errc::invalid_length);
  switch (body.back()) {
    case static_cast<std::uint8_t>(Checksum::Off):
      return Checksum::Off;
    case static_cast<std::uint8_t>(Checksum::Crc32):
      return Checksum::Crc32;
    default:
      return fail(codec_errc::unsupported);
  }
}

}  // namespace gw::protocol::binlog
