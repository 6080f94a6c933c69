#pragma once
// The first packet of a result set and the reply to COM_STMT_PREPARE.
//
// Column count (MySQL "page_protocol_com_query_response_text_resultset"; MariaDB KB "Result Set
// Packets"):
//   int<lenenc>  column_count         1 .. 4096 in practice; never 0 (that would be an OK)
//   if MARIADB_CLIENT_CACHE_METADATA:
//     int<1>     metadata_follows     0: the client's cached column definitions still apply,
//                                     and none are sent
// MySQL's CLIENT_OPTIONAL_RESULTSET_METADATA puts a different flag (resultset_metadata) at the
// same place; gracewire does not offer it.
// The first byte tells the response kind apart: 0x00 OK, 0xFF ERR, 0xFB LOCAL INFILE request,
// 0xFE EOF/OK (never a column count). Those are unexpected_message here.
//
// COM_STMT_PREPARE_OK (MySQL "page_protocol_com_stmt_prepare", section "COM_STMT_PREPARE
// Response"; MariaDB KB "COM_STMT_PREPARE", section "COM_STMT_PREPARE_OK"):
//   int<1>  header          0x00
//   int<4>  statement_id
//   int<2>  columns         number of column definitions that follow
//   int<2>  params          number of parameter definitions that follow (they come first)
//   int<1>  filler          0x00
//   int<2>  warnings
//   int<1>  metadata_follows  MySQL 8 only, with CLIENT_OPTIONAL_RESULTSET_METADATA
// Every server since 4.1 sends the 12 bytes up to warnings, so a shorter payload is need_more.

#include <cstdint>
#include <optional>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol {

// The count alone, whatever the capabilities: one trailing byte (MariaDB's metadata_follows
// flag) is accepted and ignored. Use decode_column_count_packet to read that flag strictly.
[[nodiscard]] Result<std::uint64_t> decode_column_count(ByteView payload);

struct ColumnCount {
  std::uint64_t count = 0;
  bool metadata_follows = true;  // only on the wire under MARIADB_CLIENT_CACHE_METADATA
  friend bool operator==(const ColumnCount&, const ColumnCount&) = default;
};
[[nodiscard]] Result<ColumnCount> decode_column_count_packet(ByteView payload,
                                                             std::uint64_t capabilities);
void encode_column_count_packet(const ColumnCount& count, std::uint64_t capabilities,
                                gw::Bytes& out);

struct PrepareOk {
  std::uint32_t statement_id = 0;
  std::uint16_t columns = 0, params = 0, warnings = 0;
  std::optional<std::uint8_t> metadata_follows;  // MySQL's 13th byte, when sent
  friend bool operator==(const PrepareOk&, const PrepareOk&) = default;
};
[[nodiscard]] Result<PrepareOk> decode_prepare_ok(ByteView payload);
void encode_prepare_ok(const PrepareOk& prepared, gw::Bytes& out);

}  // namespace gw::protocol
