#include "protocol/binlog/events.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "binlog_test_support.h"
#include "binlog_vectors.h"
#include "core/errors.h"
#include "protocol/binlog/event.h"

namespace gw::protocol::binlog::testing {
namespace {

// Every captured event that carries a CRC32 (all but the --binlog-checksum=NONE ones).
const std::vector<const Bytes*> kCrcEvents = {
    &kFormatDescription,
    &kFormatDescriptionInUse,
    &kGtidListEmpty,
    &kGtidListOneDomain,
    &kGtidListTwoDomains,
    &kGtidListTwoServersInDomain,
    &kBinlogCheckpoint,
    &kGtidDdl,
    &kQueryCreateTable,
    &kGtidTransaction,
    &kAnnotateRows,
    &kXid,
    &kGtidDomain1,
    &kGtidXaPrepare,
    &kGtidXaCommit,
    &kGtidGroupCommit,
    &kQueryCommit,
    &kRotate,
    &kQueryNoDb,
    &kDumpFakeRotate,
    &kDumpFormatDescription,
    &kDumpHeartbeat,
    &kQueryCompressedShort,
    &kQueryShort,
    &kQueryCompressedLong,
    &kQueryLong,
    &kWriteRowsCompressed,
    &kWriteRows,
    &kUpdateRowsCompressed,
    &kUpdateRows,
    &kDeleteRowsCompressed,
    &kDeleteRows,
};

// ---- header, split, checksum -----------------------------------------------------------------

TEST(BinlogEvent, DecodesTheCommonHeader) {
  auto h = decode_header(kQueryCreateTable);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->timestamp, 0x6b0ea4c4u);
  EXPECT_EQ(h->type, static_cast<std::uint8_t>(EventType::Query));
  EXPECT_EQ(h->server_id, 1u);
  EXPECT_EQ(h->event_size, kQueryCreateTable.size());
  EXPECT_EQ(h->log_pos, 563u);  // 421 + 142: the next event's offset in the file
  EXPECT_EQ(h->flags, 0);
}

TEST(BinlogEvent, EveryStrictPrefixOfAHeaderIsNeedMore) {
  for (const Bytes* event : kCrcEvents) {
    for (std::size_t n = 0; n < kHeaderSize; ++n) {
      const ByteView prefix = ByteView(*event).first(n);
      EXPECT_EQ(decode_header(prefix).error(), codec_errc::need_more) << n;
      EXPECT_EQ(split_event(prefix, Checksum::Crc32).error(), codec_errc::need_more) << n;
    }
  }
}

TEST(BinlogEvent, AnEventCutAfterItsHeaderIsInvalidLength) {
  // event_size says more than there is: the reader of a file or of a dump packet knows where
  // the event ends, so a short one is a length that lied, not bytes still to come.
  for (const Bytes* event : kCrcEvents) {
    for (std::size_t n = kHeaderSize; n < event->size(); ++n) {
      EXPECT_EQ(split_event(ByteView(*event).first(n), Checksum::Crc32).error(),
                codec_errc::invalid_length)
          << n;
    }
  }
}

TEST(BinlogEvent, AnEventSizeThatLiesIsInvalidLength) {
  Bytes longer = kXid;
  longer.push_back(0);
  EXPECT_EQ(split_event(longer, Checksum::Crc32).error(), codec_errc::invalid_length);

  auto with_size = [](Bytes event, std::uint32_t size) {
    for (int i = 0; i < 4; ++i) event[9 + i] = static_cast<std::uint8_t>(size >> (8 * i));
    return event;
  };
  EXPECT_EQ(split_event(with_size(kXid, 18), Checksum::Crc32).error(), codec_errc::invalid_length);
  EXPECT_EQ(split_event(with_size(kXid, 0xFFFFFFFF), Checksum::Crc32).error(),
            codec_errc::invalid_length);
  // Too short to hold its checksum.
  Bytes header_only(kXid.begin(), kXid.begin() + 21);
  EXPECT_EQ(split_event(with_size(header_only, 21), Checksum::Crc32).error(),
            codec_errc::invalid_length);
  EXPECT_TRUE(split_event(with_size(header_only, 21), Checksum::Off));
}

TEST(BinlogEvent, EveryCapturedEventPassesItsChecksum) {
  for (const Bytes* event : kCrcEvents) {
    auto raw = split_event(*event, Checksum::Crc32);
    ASSERT_TRUE(raw) << event_type_name((*event)[4]);
    EXPECT_EQ(raw->header.event_size, event->size());
    if (raw->header.type == static_cast<std::uint8_t>(EventType::FormatDescription)) continue;
    EXPECT_EQ(raw->body.size(), event->size() - kHeaderSize - kChecksumSize);
    EXPECT_EQ(raw->body.data(), event->data() + kHeaderSize);
  }
}

TEST(BinlogEvent, OneFlippedByteIsAChecksumMismatch) {
  for (const Bytes* event : kCrcEvents) {
    for (std::size_t at : {std::size_t{0}, std::size_t{kHeaderSize}, event->size() - 1}) {
      Bytes bad = *event;
      bad[at] ^= 0x10;
      EXPECT_EQ(split_event(bad, Checksum::Crc32).error(), codec_errc::checksum_mismatch)
          << event_type_name((*event)[4]) << " byte " << at;
    }
  }
}

TEST(BinlogEvent, WithoutAChecksumTheBodyRunsToTheEnd) {
  auto raw = split_event(kXid, Checksum::Off);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->body.size(), kXid.size() - kHeaderSize);
  auto list = split_event(kGtidListNoChecksum, Checksum::Off);
  ASSERT_TRUE(list);
  auto decoded = decode_gtid_list(list->body);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->empty());
}

TEST(BinlogEvent, AFormatDescriptionIsCheckedByItsOwnAlgorithmByte) {
  // Whatever the caller believes the stream's checksum to be.
  EXPECT_TRUE(split_event(kFormatDescription, Checksum::Off));
  Bytes bad = kFormatDescription;
  bad[30] ^= 1;
  EXPECT_EQ(split_event(bad, Checksum::Off).error(), codec_errc::checksum_mismatch);

  auto raw = split_ok(kFormatDescription, Checksum::Off);
  EXPECT_EQ(raw.body.size(), kFormatDescription.size() - kHeaderSize - kChecksumSize);
  auto announced = announced_checksum(raw);
  ASSERT_TRUE(announced);
  EXPECT_EQ(*announced, Checksum::Crc32);
}

TEST(BinlogEvent, TheInUseFlagIsOutsideTheFormatDescriptionsChecksum) {
  auto raw = split_ok(kFormatDescriptionInUse);
  EXPECT_EQ(raw.header.flags, kFlagBinlogInUse);
  // The server clears the flag when it closes the file and leaves the CRC as it is.
  Bytes closed = kFormatDescriptionInUse;
  closed[17] = 0;
  EXPECT_TRUE(split_event(closed, Checksum::Crc32));
  // Any other flag is covered.
  Bytes other = kFormatDescriptionInUse;
  other[17] |= 0x02;
  EXPECT_EQ(split_event(other, Checksum::Crc32).error(), codec_errc::checksum_mismatch);
  // A dump from position 4 sends the same event with the flag cleared and the CRC recomputed;
  // log_pos stays the file's (256).
  auto sent = split_ok(kDumpFormatDescription);
  EXPECT_EQ(sent.header.flags, 0);
  EXPECT_EQ(sent.header.log_pos, 256u);
}

TEST(BinlogEvent, AFormatDescriptionWithChecksumOffKeepsFourUncheckedBytes) {
  auto raw = split_ok(kFormatDescriptionChecksumOff, Checksum::Crc32);
  EXPECT_EQ(raw.body.size(), kFormatDescriptionChecksumOff.size() - kHeaderSize - kChecksumSize);
  auto announced = announced_checksum(raw);
  ASSERT_TRUE(announced);
  EXPECT_EQ(*announced, Checksum::Off);
  auto fd = decode_format_description(raw.body);
  ASSERT_TRUE(fd);
  EXPECT_EQ(fd->checksum, Checksum::Off);
  EXPECT_EQ(fd->post_header_lengths,
            decode_format_description(body_of(kFormatDescription))->post_header_lengths);
  Bytes trailer_changed = kFormatDescriptionChecksumOff;
  trailer_changed.back() ^= 0xff;
  EXPECT_TRUE(split_event(trailer_changed, Checksum::Crc32));
}

TEST(BinlogEvent, AnUnknownChecksumAlgorithmIsUnsupported) {
  Bytes fd = kFormatDescriptionChecksumOff;
  fd[fd.size() - 5] = 2;
  EXPECT_EQ(split_event(fd, Checksum::Off).error(), codec_errc::unsupported);
  auto xid = split_ok(kXid);
  EXPECT_EQ(announced_checksum(xid).error(), codec_errc::unexpected_message);
}

TEST(BinlogEvent, NamesFollowLogEventH) {
  EXPECT_EQ(event_type_name(2), "QUERY_EVENT");
  EXPECT_EQ(event_type_name(15), "FORMAT_DESCRIPTION_EVENT");
  EXPECT_EQ(event_type_name(23), "WRITE_ROWS_EVENT_V1");
  EXPECT_EQ(event_type_name(27), "HEARTBEAT_LOG_EVENT");
  EXPECT_EQ(event_type_name(38), "XA_PREPARE_LOG_EVENT");  // seen in the XA capture
  EXPECT_EQ(event_type_name(41), "HEARTBEAT_LOG_EVENT_V2");
  EXPECT_EQ(event_type_name(160), "ANNOTATE_ROWS_EVENT");
  EXPECT_EQ(event_type_name(163), "GTID_LIST_EVENT");
  EXPECT_EQ(event_type_name(166), "WRITE_ROWS_COMPRESSED_EVENT_V1");
  EXPECT_EQ(event_type_name(171), "DELETE_ROWS_COMPRESSED_EVENT");
  EXPECT_EQ(event_type_name(42), "UNKNOWN_EVENT(42)");
  EXPECT_EQ(event_type_name(172), "UNKNOWN_EVENT(172)");
  EXPECT_EQ(event_type_name(255), "UNKNOWN_EVENT(255)");
}

// ---- FORMAT_DESCRIPTION ----------------------------------------------------------------------

TEST(BinlogFormatDescription, DecodesMariadb1011) {
  auto fd = decode_format_description(body_of(kFormatDescription));
  ASSERT_TRUE(fd);
  EXPECT_EQ(fd->binlog_version, 4);
  EXPECT_EQ(fd->server_version, "10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_EQ(fd->create_timestamp, 0u);
  EXPECT_EQ(fd->header_length, kHeaderSize);
  EXPECT_EQ(fd->checksum, Checksum::Crc32);
  ASSERT_EQ(fd->post_header_lengths.size(), 171u);
  auto ph = [&](EventType t) { return fd->post_header_length(static_cast<std::uint8_t>(t)); };
  EXPECT_EQ(ph(EventType::Query), kQueryPostHeader);
  EXPECT_EQ(ph(EventType::Rotate), 8);
  EXPECT_EQ(ph(EventType::FormatDescription), 228);
  EXPECT_EQ(ph(EventType::Xid), 0);
  EXPECT_EQ(ph(EventType::TableMap), 8);
  EXPECT_EQ(ph(EventType::WriteRowsV1), kRowsPostHeaderV1);
  EXPECT_EQ(ph(EventType::DeleteRowsV1), kRowsPostHeaderV1);
  EXPECT_EQ(ph(EventType::WriteRows), kRowsPostHeaderV2);
  EXPECT_EQ(ph(EventType::AnnotateRows), 0);
  EXPECT_EQ(ph(EventType::BinlogCheckpoint), 4);
  EXPECT_EQ(ph(EventType::Gtid), 19);
  EXPECT_EQ(ph(EventType::GtidList), 4);
  EXPECT_EQ(ph(EventType::QueryCompressed), kQueryPostHeader);
  EXPECT_EQ(ph(EventType::WriteRowsCompressedV1), kRowsPostHeaderV1);
  EXPECT_EQ(ph(EventType::UpdateRowsCompressedV1), kRowsPostHeaderV1);
  EXPECT_EQ(ph(EventType::WriteRowsCompressed), kRowsPostHeaderV2);
  EXPECT_EQ(ph(EventType::DeleteRowsCompressed), kRowsPostHeaderV2);
  EXPECT_EQ(fd->post_header_length(0), 0);
  EXPECT_EQ(fd->post_header_length(172), 0);
}

TEST(BinlogFormatDescription, RejectsWhatItCannotRead) {
  const Bytes body = to_bytes(body_of(kFormatDescription));
  for (std::size_t n = 0; n < 58; ++n) {
    EXPECT_EQ(decode_format_description(ByteView(body).first(n)).error(),
              codec_errc::invalid_length)
        << n;
  }
  Bytes v3 = body;
  v3[0] = 3;
  EXPECT_EQ(decode_format_description(v3).error(), codec_errc::unsupported);
  Bytes short_header = body;
  short_header[56] = 18;
  EXPECT_EQ(decode_format_description(short_header).error(), codec_errc::invalid_value);
  Bytes long_header = body;
  long_header[56] = 20;
  EXPECT_EQ(decode_format_description(long_header).error(), codec_errc::unsupported);
  Bytes algorithm = body;
  algorithm.back() = 0xff;
  EXPECT_EQ(decode_format_description(algorithm).error(), codec_errc::unsupported);
}

// ---- ROTATE, XID, BINLOG_CHECKPOINT, ANNOTATE_ROWS, HEARTBEAT --------------------------------

TEST(BinlogRotate, DecodesTheEndOfAFileAndTheDumpsFirstEvent) {
  auto rotate = decode_rotate(body_of(kRotate));
  ASSERT_TRUE(rotate);
  EXPECT_EQ(rotate->position, 4u);
  EXPECT_EQ(rotate->next_file, "binlog.000003");

  auto fake = split_ok(kDumpFakeRotate);
  EXPECT_EQ(fake.header.flags, kFlagArtificial);
  EXPECT_EQ(fake.header.log_pos, 0u);
  EXPECT_EQ(fake.header.timestamp, 0u);
  auto start = decode_rotate(fake.body);
  ASSERT_TRUE(start);
  EXPECT_EQ(start->position, 4u);
  EXPECT_EQ(start->next_file, "binlog.000005");

  const ByteView body = body_of(kRotate);
  for (std::size_t n = 0; n < 8; ++n) {
    EXPECT_EQ(decode_rotate(body.first(n)).error(), codec_errc::invalid_length);
  }
  EXPECT_EQ(decode_rotate(body.first(8)).error(), codec_errc::invalid_value);
}

TEST(BinlogXid, DecodesTheCommitOfAnInnodbTransaction) {
  auto xid = decode_xid(body_of(kXid));
  ASSERT_TRUE(xid);
  EXPECT_EQ(xid->xid, 16u);
  EXPECT_EQ(decode_xid(body_of(kXid).first(7)).error(), codec_errc::invalid_length);
}

TEST(BinlogCheckpointEvent, DecodesTheFileName) {
  auto checkpoint = decode_binlog_checkpoint(body_of(kBinlogCheckpoint));
  ASSERT_TRUE(checkpoint);
  EXPECT_EQ(checkpoint->file, "binlog.000002");
  const ByteView body = body_of(kBinlogCheckpoint);
  for (std::size_t n = 0; n < body.size(); ++n) {
    EXPECT_EQ(decode_binlog_checkpoint(body.first(n)).error(), codec_errc::invalid_length) << n;
  }
  const Bytes empty = {0, 0, 0, 0};
  EXPECT_EQ(decode_binlog_checkpoint(empty).error(), codec_errc::invalid_value);
  const Bytes lying = {0xff, 0xff, 0xff, 0xff, 'b'};
  EXPECT_EQ(decode_binlog_checkpoint(lying).error(), codec_errc::invalid_length);
}

TEST(BinlogAnnotateRows, IsTheStatement) {
  auto annotate = decode_annotate_rows(body_of(kAnnotateRows));
  ASSERT_TRUE(annotate);
  EXPECT_EQ(annotate->statement, "INSERT INTO t1 VALUES (1, 'one'), (2, 'two')");
}

TEST(BinlogHeartbeat, CarriesTheFileAndTheHeaderThePosition) {
  auto raw = split_ok(kDumpHeartbeat);
  EXPECT_EQ(raw.header.type, static_cast<std::uint8_t>(EventType::Heartbeat));
  EXPECT_EQ(raw.header.log_pos, 411u);
  EXPECT_EQ(raw.header.timestamp, 0u);
  auto heartbeat = decode_heartbeat(raw.body);
  ASSERT_TRUE(heartbeat);
  EXPECT_EQ(heartbeat->file, "binlog.000005");
}

// ---- QUERY -----------------------------------------------------------------------------------

TEST(BinlogQuery, DecodesDdlCommitAndNoDb) {
  auto ddl = decode_query(body_of(kQueryCreateTable), kQueryPostHeader);
  ASSERT_TRUE(ddl);
  EXPECT_EQ(ddl->thread_id, 6u);
  EXPECT_EQ(ddl->exec_time, 0u);
  EXPECT_EQ(ddl->error_code, 0);
  EXPECT_EQ(ddl->db, "test");
  EXPECT_EQ(ddl->statement, "CREATE TABLE t1 (id INT PRIMARY KEY, v VARCHAR(200)) ENGINE=InnoDB");

  auto commit = decode_query(body_of(kQueryCommit), kQueryPostHeader);
  ASSERT_TRUE(commit);
  EXPECT_EQ(commit->db, "test");
  EXPECT_EQ(commit->statement, "COMMIT");

  auto grant = decode_query(body_of(kQueryNoDb), kQueryPostHeader);
  ASSERT_TRUE(grant);
  EXPECT_EQ(grant->db, "");
  EXPECT_EQ(grant->statement, "GRANT ALL PRIVILEGES ON *.* TO 'gracewire'@'%' WITH GRANT OPTION");
}

TEST(BinlogQuery, ABodyCutBeforeTheStatementIsInvalidLength) {
  const ByteView body = body_of(kQueryCreateTable);
  // 13 post-header + 35 status + "test" + NUL
  const std::size_t statement_at = 13 + 35 + 4 + 1;
  for (std::size_t n = 0; n < statement_at; ++n) {
    EXPECT_EQ(decode_query(body.first(n), kQueryPostHeader).error(), codec_errc::invalid_length)
        << n;
  }
  auto empty_statement = decode_query(body.first(statement_at), kQueryPostHeader);
  ASSERT_TRUE(empty_statement);
  EXPECT_EQ(empty_statement->statement, "");
}

TEST(BinlogQuery, RejectsLyingLengthsAndAMissingNul) {
  Bytes body = to_bytes(body_of(kQueryCreateTable));
  Bytes no_nul = body;
  no_nul[13 + 35 + 4] = 'x';
  EXPECT_EQ(decode_query(no_nul, kQueryPostHeader).error(), codec_errc::invalid_value);
  Bytes status = body;
  status[11] = 0xff;
  status[12] = 0xff;
  EXPECT_EQ(decode_query(status, kQueryPostHeader).error(), codec_errc::invalid_length);
  EXPECT_EQ(decode_query(body, 10).error(), codec_errc::invalid_value);
  // A longer post-header than this decoder knows: the extra bytes are skipped.
  Bytes longer(body.begin(), body.begin() + 13);
  longer.push_back(0x77);
  longer.push_back(0x88);
  longer.insert(longer.end(), body.begin() + 13, body.end());
  auto skipped = decode_query(longer, 15);
  ASSERT_TRUE(skipped);
  EXPECT_EQ(skipped->statement,
            "CREATE TABLE t1 (id INT PRIMARY KEY, v VARCHAR(200)) ENGINE=InnoDB");
}

// ---- GTID ------------------------------------------------------------------------------------

TEST(BinlogGtid, DecodesDdlTransactionAndOtherDomain) {
  auto ddl_raw = split_ok(kGtidDdl);
  auto ddl = decode_gtid(ddl_raw.body, ddl_raw.header.server_id);
  ASSERT_TRUE(ddl);
  EXPECT_EQ(ddl->gtid, (Gtid{0, 1, 6}));
  EXPECT_EQ(ddl->flags, 0x29);
  EXPECT_TRUE(ddl->standalone());
  EXPECT_FALSE(ddl->commit_id);

  auto trx = decode_gtid(body_of(kGtidTransaction), 1);
  ASSERT_TRUE(trx);
  EXPECT_EQ(trx->gtid, (Gtid{0, 1, 7}));
  EXPECT_EQ(trx->flags, GtidEvent::kTransactional | GtidEvent::kAllowParallel);
  EXPECT_FALSE(trx->standalone());

  auto other = decode_gtid(body_of(kGtidDomain1), 1);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->gtid, (Gtid{1, 1, 1}));
}

TEST(BinlogGtid, ReadsTheGroupCommitId) {
  auto gc = decode_gtid(body_of(kGtidGroupCommit), 1);
  ASSERT_TRUE(gc);
  EXPECT_EQ(gc->gtid, (Gtid{0, 1, 16}));
  EXPECT_EQ(gc->flags & GtidEvent::kGroupCommitId, GtidEvent::kGroupCommitId);
  EXPECT_EQ(gc->commit_id, 66u);
  const ByteView body = body_of(kGtidGroupCommit);
  EXPECT_EQ(body.size(), 21u);
  EXPECT_EQ(decode_gtid(body.first(20), 1).error(), codec_errc::invalid_length);
}

TEST(BinlogGtid, ToleratesTheXaFields) {
  auto prepare = decode_gtid(body_of(kGtidXaPrepare), 1);
  ASSERT_TRUE(prepare);
  EXPECT_EQ(prepare->gtid, (Gtid{0, 1, 10}));
  EXPECT_EQ(prepare->flags, 0x4c);
  EXPECT_FALSE(prepare->standalone());
  auto commit = decode_gtid(body_of(kGtidXaCommit), 1);
  ASSERT_TRUE(commit);
  EXPECT_EQ(commit->gtid, (Gtid{0, 1, 11}));
  EXPECT_EQ(commit->flags, 0x8d);
  EXPECT_TRUE(commit->standalone());

  // The xid is 13 + 4 + 2 + 3 = 22 bytes in: any cut before is a lie.
  const ByteView body = body_of(kGtidXaCommit);
  ASSERT_EQ(body.size(), 22u);
  for (std::size_t n = 0; n < body.size(); ++n) {
    EXPECT_EQ(decode_gtid(body.first(n), 1).error(), codec_errc::invalid_length) << n;
  }
  Bytes long_gtrid = to_bytes(body);
  long_gtrid[17] = 65;  // past MAXGTRIDSIZE
  EXPECT_EQ(decode_gtid(long_gtrid, 1).error(), codec_errc::invalid_value);
}

// ---- GTID_LIST -------------------------------------------------------------------------------

TEST(BinlogGtidList, DecodesCapturedLists) {
  auto empty = decode_gtid_list(body_of(kGtidListEmpty));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  auto one = decode_gtid_list(body_of(kGtidListOneDomain));
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, (GtidList{{0, 1, 5}}));

  // Written domain 1 first; sorted by domain.
  auto two = decode_gtid_list(body_of(kGtidListTwoDomains));
  ASSERT_TRUE(two);
  EXPECT_EQ(*two, (GtidList{{0, 1, 13}, {1, 1, 1}}));
  EXPECT_EQ(format_gtid_list(*two), "0-1-13,1-1-1");

  // Two servers wrote in domain 0: the later entry (the domain's most recent) wins.
  auto three = decode_gtid_list(body_of(kGtidListTwoServersInDomain));
  ASSERT_TRUE(three);
  EXPECT_EQ(*three, (GtidList{{0, 1, 15}, {1, 1, 2}}));
}

TEST(BinlogGtidList, ACountThatLiesIsRefusedBeforeReserving) {
  Bytes body = to_bytes(body_of(kGtidListTwoDomains));
  for (std::size_t n = 0; n < body.size(); ++n) {
    EXPECT_EQ(decode_gtid_list(ByteView(body).first(n)).error(), codec_errc::invalid_length) << n;
  }
  Bytes huge = body;
  huge[0] = 0xff;
  huge[1] = 0xff;
  huge[2] = 0xff;
  huge[3] = 0x0f;
  EXPECT_EQ(decode_gtid_list(huge).error(), codec_errc::invalid_length);
  // The top four bits are flags, not count.
  Bytes flagged = body;
  flagged[3] = 0x10;
  auto list = decode_gtid_list(flagged);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 2u);
}

}  // namespace
}  // namespace gw::protocol::binlog::testing
