#pragma once
// The binlog captured from MariaDB 10.11 that the binlog and publish tests decode (their
// CMake targets define GW_BINLOG_TEST_DATA as tests/unit/binlog/data).

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "binlog/change_stream.h"
#include "eventlog/session_directory.h"

namespace gw::binlog::captured {

namespace pb = protocol::binlog;

// data/mariadb-10.11-changes.binlog: binlog.000002 of tools/sandbox-mariadb (MariaDB
// 1:10.11.19-0+deb12u1, ROW, FULL image and metadata, CRC32) after, as root on connection 5:
//   CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(20), score DECIMAL(5,2), born DATE,
//                        bits BIT(3), tag ENUM('a','b'));                             GTID 0-1-6
//   INSERT INTO people VALUES (1,'Ada',99.50,'1815-12-10',b'101','a'),
//                             (2,NULL,-1.25,NULL,NULL,'b');                           GTID 0-1-7
//   BEGIN; UPDATE people SET name='Ada L.' WHERE id=1; DELETE FROM people WHERE id=2;
//   COMMIT;                                                                           GTID 0-1-8
//   CREATE TABLE myisam_t (id INT) ENGINE=MyISAM;                                     GTID 0-1-9
//   INSERT INTO myisam_t VALUES (7);                                                  GTID 0-1-10
//   SET SESSION gtid_domain_id=1; INSERT INTO people VALUES (3,'third',0,'2000-01-01',b'1','a');
//                                                                                     GTID 1-1-1
// MariaDB writes no BEGIN query for an InnoDB transaction (the GTID event stands for it), so
// only the DDL and the MyISAM COMMIT name the connection.
inline std::vector<Bytes> events_of_test_binlog() {
  std::ifstream file(GW_BINLOG_TEST_DATA "/mariadb-10.11-changes.binlog", std::ios::binary);
  const Bytes bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_GT(bytes.size(), 4u);
  std::vector<Bytes> events;
  std::size_t pos = 4;  // fe 62 69 6e
  while (pos + pb::kHeaderSize <= bytes.size()) {
    const std::uint32_t size = bytes[pos + 9] | (bytes[pos + 10] << 8) | (bytes[pos + 11] << 16) |
                               (std::uint32_t{bytes[pos + 12]} << 24);
    events.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                        bytes.begin() + static_cast<std::ptrdiff_t>(pos + size));
    pos += size;
  }
  EXPECT_EQ(pos, bytes.size());
  return events;
}

inline std::vector<eventlog::Record> all_records(ChangeStream& stream,
                                                 const std::vector<Bytes>& events) {
  std::vector<eventlog::Record> records;
  for (const auto& event : events) {
    auto begun = stream.begin_event(event);
    EXPECT_TRUE(begun.has_value()) << begun.error().message();
    while (true) {
      auto record = stream.next_record();
      EXPECT_TRUE(record.has_value()) << record.error().message();
      if (!record || !*record) break;
      records.push_back(std::move(**record));
    }
  }
  return records;
}

inline ChangeStream stream_from_start(const eventlog::SessionDirectory* directory = nullptr) {
  StreamPosition start;
  start.binlog_file = "binlog.000002";
  start.binlog_pos = 4;
  return ChangeStream(
      {.initial_checksum = pb::Checksum::Crc32, .statement_limit = 4096, .attribution = directory},
      start);
}

}  // namespace gw::binlog::captured
