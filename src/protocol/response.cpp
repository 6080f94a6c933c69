#include "protocol/response.h"

#include "core/byte_reader.h"
#include "core/byte_writer.h"
#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol {
namespace {

constexpr std::uint16_t kProgressCode = 0xffff;
constexpr char kSqlStateMarker = '#';
constexpr std::size_t kSqlStateSize = 5;
constexpr std::string_view kUnknownSqlState = "HY000";
constexpr std::uint8_t kProgressStringCount = 1;
constexpr std::size_t kEofSize = 5;
constexpr std::uint64_t kEofMaxLength = 9;  // exclusive

}  // namespace

Result<OkPacket> decode_ok(ByteView payload, std::uint64_t capabilities) {
  ByteReader reader(payload);
  if (reader.empty()) return fail(codec_errc::need_more);
  OkPacket ok;
  ok.header = reader.u8();
  const bool terminator = ok.header == kEofHeader && (capabilities & cap::kDeprecateEof) != 0;
  if (ok.header != kOkHeader && !terminator) return fail(codec_errc::unexpected_message);
  ok.affected_rows = reader.lenenc();
  ok.last_insert_id = reader.lenenc();
  if ((capabilities & cap::kProtocol41) != 0) {
    ok.status = reader.u16();
    ok.warnings = reader.u16();
  } else if ((capabilities & cap::kTransactions) != 0) {
    ok.status = reader.u16();
  }
  if ((capabilities & cap::kSessionTrack) != 0) {
    const bool state_changed = (ok.status & status::kSessionStateChanged) != 0;
    if (state_changed || (reader.ok() && !reader.empty())) ok.info = reader.lenenc_string();
    if (state_changed) ok.session_state = reader.lenenc_string();
  } else {
    ok.info = reader.rest_string();
  }
  if (!reader.ok()) return fail(reader.error());
  if (!reader.empty()) return fail(codec_errc::trailing_bytes);
  return ok;
}

void encode_ok(const OkPacket& ok, std::uint64_t capabilities, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(ok.header);
  writer.lenenc(ok.affected_rows);
  writer.lenenc(ok.last_insert_id);
  if ((capabilities & cap::kProtocol41) != 0) {
    writer.u16(ok.status);
    writer.u16(ok.warnings);
  } else if ((capabilities & cap::kTransactions) != 0) {
    writer.u16(ok.status);
  }
  if ((capabilities & cap::kSessionTrack) != 0) {
    const bool state_changed = (ok.status & status::kSessionStateChanged) != 0;
    if (state_changed || !ok.info.empty()) writer.lenenc_string(ok.info);
    if (state_changed) writer.lenenc_string(ok.session_state);
  } else {
    writer.string(ok.info);
  }
}

Result<ErrPacket> decode_err(ByteView payload, std::uint64_t capabilities) {
  ByteReader reader(payload);
  if (reader.empty()) return fail(codec_errc::need_more);
  if (reader.u8() != kErrHeader) return fail(codec_errc::unexpected_message);
  ErrPacket err;
  err.code = reader.u16();
  if (!reader.ok()) return fail(reader.error());
  if (err.code == kProgressCode) return fail(codec_errc::unexpected_message);
  if ((capabilities & cap::kProtocol41) != 0 && reader.empty()) {
    return fail(codec_errc::need_more);  // the '#' marker is due
  }
  if (!reader.empty() && reader.peek() == kSqlStateMarker) {
    reader.skip(1);
    err.sql_state = reader.string(kSqlStateSize);
  } else {
    err.sql_state = kUnknownSqlState;
  }
  err.message = reader.rest_string();
  if (!reader.ok()) return fail(reader.error());
  return err;
}

void encode_err(const ErrPacket& err, std::uint64_t capabilities, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(kErrHeader);
  writer.u16(err.code);
  if ((capabilities & cap::kProtocol41) != 0) {
    writer.u8(static_cast<std::uint8_t>(kSqlStateMarker));
    const std::string_view state = std::string_view(err.sql_state).substr(0, kSqlStateSize);
    writer.string(state);
    writer.zeros(kSqlStateSize - state.size());
  }
  writer.string(err.message);
}

bool is_progress_report(ByteView payload) {
  return payload.size() >= 3 && payload[0] == kErrHeader && payload[1] == 0xff &&
         payload[2] == 0xff;
}

Result<ProgressReport> decode_progress_report(ByteView payload) {
  ByteReader reader(payload);
  if (reader.empty()) return fail(codec_errc::need_more);
  if (reader.u8() != kErrHeader) return fail(codec_errc::unexpected_message);
  const std::uint16_t code = reader.u16();
  if (reader.ok() && code != kProgressCode) return fail(codec_errc::unexpected_message);
  reader.skip(1);  // string count
  ProgressReport report;
  report.stage = reader.u8();
  report.max_stage = reader.u8();
  report.progress = reader.u24();
  report.info = reader.lenenc_string();
  if (!reader.ok()) return fail(reader.error());
  return report;  // anything after the first string is a future extension: ignored
}

void encode_progress_report(const ProgressReport& report, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(kErrHeader);
  writer.u16(kProgressCode);
  writer.u8(kProgressStringCount);
  writer.u8(report.stage);
  writer.u8(report.max_stage);
  writer.u24(report.progress);
  writer.lenenc_string(report.info);
}

Result<EofPacket> decode_eof(ByteView payload) {
  ByteReader reader(payload);
  if (reader.empty()) return fail(codec_errc::need_more);
  if (reader.u8() != kEofHeader || payload.size() >= kEofMaxLength) {
    return fail(codec_errc::unexpected_message);
  }
  EofPacket eof;
  eof.warnings = reader.u16();
  eof.status = reader.u16();
  if (!reader.ok()) return fail(reader.error());
  if (payload.size() > kEofSize) return fail(codec_errc::trailing_bytes);
  return eof;
}

void encode_eof(const EofPacket& eof, Bytes& out) {
  ByteWriter writer(out);
  writer.u8(kEofHeader);
  writer.u16(eof.warnings);
  writer.u16(eof.status);
}

bool is_eof_packet(std::uint8_t first_byte, std::uint64_t length) {
  return first_byte == kEofHeader && length < kEofMaxLength;
}

bool is_ok_terminator(std::uint8_t first_byte, std::uint64_t length) {
  return first_byte == kEofHeader && length < kMaxPacketPayload;
}

}  // namespace gw::protocol
