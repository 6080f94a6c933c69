#include "protocol/resultset.h"

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol {
namespace {

// The first byte of a column count, or the response it really is.
bool starts_column_count(std::uint8_t first) {
  return first != kOkHeader && first != kErrHeader && first != kLocalInfileHeader &&
         first != kEofHeader;
}

std::uint64_t read_count(ByteReader& reader) {
  if (reader.empty()) {
    reader.set_error(codec_errc::need_more);
    return 0;
  }
  if (!starts_column_count(reader.peek())) {
    reader.set_error(codec_errc::unexpected_message);
    return 0;
  }
  const std::uint64_t count = reader.lenenc();
  // Zero columns is an OK packet, whatever the spelling: 0xFC 0x00 0x00 is not a result set.
  if (reader.ok() && count == 0) reader.set_error(codec_errc::invalid_value);
  return count;
}

}  // namespace

Result<std::uint64_t> decode_column_count(ByteView payload) {
  ByteReader reader(payload);
  const std::uint64_t count = read_count(reader);
  if (!reader.ok()) return fail(reader.error());
  if (reader.remaining() > 1) return fail(codec_errc::trailing_bytes);
  return count;
}

Result<ColumnCount> decode_column_count_packet(ByteView payload, std::uint64_t capabilities) {
  ByteReader reader(payload);
  ColumnCount result;
  result.count = read_count(reader);
  if ((capabilities & cap::kMariadbCacheMetadata) != 0) {
    const std::uint8_t flag = reader.u8();
    if (reader.ok() && flag > 1) return fail(codec_errc::invalid_value);
    result.metadata_follows = flag != 0;
  }
  if (!reader.ok()) return fail(reader.error());
  if (!reader.empty()) return fail(codec_errc::trailing_bytes);
  return result;
}

void encode_column_count_packet(const ColumnCount& count, std::uint64_t capabilities, Bytes& out) {
  ByteWriter writer(out);
  writer.lenenc(count.count);
  if ((capabilities & cap::kMariadbCacheMetadata) != 0) writer.u8(count.metadata_follows ? 1 : 0);
}

Result<PrepareOk> decode_prepare_ok(ByteView payload) {
  ByteReader reader(payload);
  if (reader.empty()) return fail(codec_errc::need_more);
  if (reader.u8() != kOkHeader) return fail(codec_errc::unexpected_message);
  PrepareOk prepared;
  prepared.statement_id = reader.u32();
  prepared.columns = reader.u16();
  prepared.params = reader.u16();
  reader.skip(1);  // filler
  prepared.warnings = reader.u16();
  if (!reader.ok()) return fail(reader.error());
  if (!reader.empty()) prepared.metadata_follows = reader.u8();
  if (!reader.empty()) return fail(codec_errc::trailing_bytes);
  return prepared;
}

void encode_prepare_ok(const PrepareOk& prepared, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(kOkHeader);
  writer.u32(prepared.statement_id);
  writer.u16(prepared.columns);
  writer.u16(prepared.params);
  writer.u8(0);
  writer.u16(prepared.warnings);
  if (prepared.metadata_follows) writer.u8(*prepared.metadata_follows);
}

}  // namespace gw::protocol
