#pragma once
// Wire constants of the MySQL/MariaDB client/server protocol.
// Sources: MariaDB Connector/C include/mariadb_com.h; MySQL's include/mysql_com.h
// (CLIENT_DEPRECATE_EOF, CLIENT_QUERY_ATTRIBUTES); MariaDB server sql/sql_class.h.

#include <cstdint>
#include <string_view>

namespace gw::protocol {

// Capability flags. The low 32 bits travel in every handshake; the high 32 bits are MariaDB's
// extended capabilities, sent in the greeting's filler and the response's reserved bytes when
// the CLIENT_MYSQL bit (bit 0) is clear on both sides.
namespace cap {
inline constexpr std::uint64_t kMysql = 1ULL << 0;  // "long password" on MySQL; clear = MariaDB ext
inline constexpr std::uint64_t kFoundRows = 1ULL << 1;
inline constexpr std::uint64_t kLongFlag = 1ULL << 2;
inline constexpr std::uint64_t kConnectWithDb = 1ULL << 3;
inline constexpr std::uint64_t kNoSchema = 1ULL << 4;
inline constexpr std::uint64_t kCompress = 1ULL << 5;
inline constexpr std::uint64_t kOdbc = 1ULL << 6;
inline constexpr std::uint64_t kLocalFiles = 1ULL << 7;
inline constexpr std::uint64_t kIgnoreSpace = 1ULL << 8;
inline constexpr std::uint64_t kProtocol41 = 1ULL << 9;
inline constexpr std::uint64_t kInteractive = 1ULL << 10;
inline constexpr std::uint64_t kSsl = 1ULL << 11;
inline constexpr std::uint64_t kIgnoreSigpipe = 1ULL << 12;
inline constexpr std::uint64_t kTransactions = 1ULL << 13;
inline constexpr std::uint64_t kReserved = 1ULL << 14;
inline constexpr std::uint64_t kSecureConnection = 1ULL << 15;
inline constexpr std::uint64_t kMultiStatements = 1ULL << 16;
inline constexpr std::uint64_t kMultiResults = 1ULL << 17;
inline constexpr std::uint64_t kPsMultiResults = 1ULL << 18;
inline constexpr std::uint64_t kPluginAuth = 1ULL << 19;
inline constexpr std::uint64_t kConnectAttrs = 1ULL << 20;
inline constexpr std::uint64_t kPluginAuthLenencData = 1ULL << 21;
inline constexpr std::uint64_t kCanHandleExpiredPasswords = 1ULL << 22;
inline constexpr std::uint64_t kSessionTrack = 1ULL << 23;
inline constexpr std::uint64_t kDeprecateEof = 1ULL << 24;
inline constexpr std::uint64_t kOptionalResultsetMetadata = 1ULL << 25;
inline constexpr std::uint64_t kZstdCompression = 1ULL << 26;
inline constexpr std::uint64_t kQueryAttributes = 1ULL << 27;
inline constexpr std::uint64_t kMultiFactorAuth = 1ULL << 28;
inline constexpr std::uint64_t kProgress = 1ULL << 29;  // MariaDB's old progress bit
inline constexpr std::uint64_t kSslVerifyServerCert = 1ULL << 30;
inline constexpr std::uint64_t kRememberOptions = 1ULL << 31;
inline constexpr std::uint64_t kMariadbProgress = 1ULL << 32;
inline constexpr std::uint64_t kMariadbComMulti = 1ULL << 33;
inline constexpr std::uint64_t kMariadbStmtBulkOperations = 1ULL << 34;
inline constexpr std::uint64_t kMariadbExtendedMetadata = 1ULL << 35;
inline constexpr std::uint64_t kMariadbCacheMetadata = 1ULL << 36;
}  // namespace cap

// Command bytes: the first payload byte of every client packet in the command phase.
enum class Command : std::uint8_t {
  Sleep = 0x00,
  Quit = 0x01,
  InitDb = 0x02,
  Query = 0x03,
  FieldList = 0x04,
  CreateDb = 0x05,
  DropDb = 0x06,
  Refresh = 0x07,
  Shutdown = 0x08,
  Statistics = 0x09,
  ProcessInfo = 0x0a,
  Connect = 0x0b,
  ProcessKill = 0x0c,
  Debug = 0x0d,
  Ping = 0x0e,
  Time = 0x0f,
  DelayedInsert = 0x10,
  ChangeUser = 0x11,
  BinlogDump = 0x12,
  TableDump = 0x13,
  ConnectOut = 0x14,
  RegisterSlave = 0x15,
  StmtPrepare = 0x16,
  StmtExecute = 0x17,
  StmtSendLongData = 0x18,
  StmtClose = 0x19,
  StmtReset = 0x1a,
  SetOption = 0x1b,
  StmtFetch = 0x1c,
  Daemon = 0x1d,
  BinlogDumpGtid = 0x1e,
  ResetConnection = 0x1f,
  StmtBulkExecute = 0xfa,
};

// "COM_QUERY", "COM_STMT_EXECUTE", …; "COM_UNKNOWN" for bytes outside the table.
std::string_view command_name(std::uint8_t command);

// Server status flags, carried by OK and EOF packets.
namespace status {
inline constexpr std::uint16_t kInTrans = 1;
inline constexpr std::uint16_t kAutocommit = 2;
inline constexpr std::uint16_t kMoreResultsExist = 8;
inline constexpr std::uint16_t kNoGoodIndexUsed = 16;
inline constexpr std::uint16_t kNoIndexUsed = 32;
inline constexpr std::uint16_t kCursorExists = 64;
inline constexpr std::uint16_t kLastRowSent = 128;
inline constexpr std::uint16_t kDbDropped = 256;
inline constexpr std::uint16_t kNoBackslashEscapes = 512;
inline constexpr std::uint16_t kMetadataChanged = 1024;
inline constexpr std::uint16_t kQueryWasSlow = 2048;
inline constexpr std::uint16_t kPsOutParams = 4096;
inline constexpr std::uint16_t kInTransReadonly = 8192;
inline constexpr std::uint16_t kSessionStateChanged = 16384;
}  // namespace status

// First payload byte of server responses.
inline constexpr std::uint8_t kOkHeader = 0x00;
inline constexpr std::uint8_t kEofHeader = 0xfe;
inline constexpr std::uint8_t kErrHeader = 0xff;
inline constexpr std::uint8_t kLocalInfileHeader = 0xfb;
inline constexpr std::uint8_t kAuthMoreDataHeader = 0x01;
inline constexpr std::uint8_t kAuthSwitchHeader = 0xfe;

// One packet carries at most this many payload bytes; a logical message of this size or more is
// split into packets of exactly this size followed by one shorter packet (possibly empty).
inline constexpr std::uint32_t kMaxPacketPayload = 0xffffff;

}  // namespace gw::protocol
