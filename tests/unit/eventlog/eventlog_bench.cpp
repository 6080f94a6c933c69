// Throughput of the event log writer and of `gracewire report`. A tool, not a test: run
//   build/tests/unit/eventlog_bench [records] [directory]
// and read records/s. The writer is timed from the first submit() to the end of close() (all
// records in the file); submit() alone is timed too, since that is what the event loop pays.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "eventlog/json.h"
#include "eventlog/report.h"
#include "eventlog/writer.h"

namespace {

using Clock = std::chrono::steady_clock;
using gw::eventlog::CommandRecord;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

CommandRecord command(std::uint64_t i) {
  CommandRecord record;
  record.common.ts = std::chrono::system_clock::now();
  record.common.session = i / 10;
  record.common.server_conn_id = static_cast<std::uint32_t>(i / 10 + 1000);
  record.common.client = "127.0.0.1:54321";
  record.common.user = "app";
  record.common.db = "shop";
  record.common.program = "bench";
  record.command = "COM_QUERY";
  record.statement = "SELECT id, name, price FROM products WHERE category = 'tools' AND id > " +
                     std::to_string(i) + " ORDER BY id LIMIT 10";
  record.result = CommandRecord::Result::Rows;
  record.columns = 3;
  record.rows = 10;
  record.duration_us = 120;
  record.bytes_from_client = 96;
  record.bytes_to_client = 812;
  return record;
}

void bench_writer(const std::string& path, std::uint64_t records, bool hash_chain) {
  std::filesystem::remove(path);
  auto log =
      gw::eventlog::EventLog::open({.path = path, .rotate_bytes = 0, .hash_chain = hash_chain});
  if (!log) {
    std::fprintf(stderr, "%s\n", log.error().c_str());
    return;
  }
  // Records are built before the clock starts: building them is the proxy's cost, not ours.
  std::vector<CommandRecord> prepared;
  prepared.reserve(records);
  for (std::uint64_t i = 0; i < records; ++i) prepared.push_back(command(i));
  const auto start = Clock::now();
  for (auto& record : prepared) (*log)->submit(std::move(record));
  const double submitted = seconds_since(start);
  (*log)->close();
  const double total = seconds_since(start);
  const auto stats = (*log)->stats();
  std::printf(
      "writer%-12s %9llu records  %6.2f s  %10.0f records/s  %6.1f MB/s  submit %5.0f ns/record"
      "  dropped %llu\n",
      hash_chain ? " +hash_chain" : "", static_cast<unsigned long long>(stats.written), total,
      static_cast<double>(stats.written) / total, static_cast<double>(stats.bytes) / total / 1e6,
      submitted * 1e9 / static_cast<double>(records),
      static_cast<unsigned long long>(stats.dropped));
}

// What submit() costs the event loop when the writer keeps up: a queue with room for all.
void bench_submit(const std::string& path, std::uint64_t records) {
  std::filesystem::remove(path);
  auto log = gw::eventlog::EventLog::open(
      {.path = path, .rotate_bytes = 0, .queue_records = static_cast<std::size_t>(records) + 1});
  if (!log) return;
  std::vector<CommandRecord> prepared;
  prepared.reserve(records);
  for (std::uint64_t i = 0; i < records; ++i) prepared.push_back(command(i));
  const auto start = Clock::now();
  for (auto& record : prepared) (*log)->submit(std::move(record));
  const double submitted = seconds_since(start);
  (*log)->close();
  std::printf("submit, never blocked %9llu records  %6.0f ns/record on the event-loop thread\n",
              static_cast<unsigned long long>(records),
              submitted * 1e9 / static_cast<double>(records));
}

// Sessions of connect, auth, eight commands and close: the shape of a real audit log.
void write_report_input(const std::string& path, std::uint64_t records) {
  std::FILE* out = std::fopen(path.c_str(), "w");
  std::string line;
  const char* const kinds[] = {"com_quit", "com_quit", "com_quit", "fin_without_quit", "rst"};
  for (std::uint64_t i = 0, session = 0; i < records; ++session) {
    gw::eventlog::Common common{.ts = std::chrono::system_clock::now(),
                                .session = session,
                                .server_conn_id = static_cast<std::uint32_t>(session + 1),
                                .client = "10.0.0." + std::to_string(session % 50) + ":40000",
                                .user = "app",
                                .db = "shop",
                                .program = "prog" + std::to_string(session % 7)};
    const auto put = [&](const gw::eventlog::Record& record) {
      line.clear();
      gw::eventlog::append_json(line, record);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), out);
      ++i;
    };
    put(gw::eventlog::ConnectRecord{.common = common, .listener = "127.0.0.1:3307"});
    put(gw::eventlog::AuthRecord{
        .common = common,
        .auth_plugin = "mysql_native_password",
        .ok = true,
        .attributes = {{"_client_name", "libmariadb"},
                       {"_client_version", session % 2 ? "3.3.8" : "3.1.20"},
                       {"_os", "Linux"},
                       {"_pid", "4242"},
                       {"program_name", common.program}},
        .capabilities = 0x81aa205});
    for (int c = 0; c < 8; ++c) {
      CommandRecord record = command(i);
      record.common = common;
      put(record);
    }
    put(gw::eventlog::CloseRecord{.common = common,
                                  .close_kind = kinds[session % 5],
                                  .last_command = "COM_QUERY",
                                  .duration_ms = static_cast<std::int64_t>(session % 5000),
                                  .commands = 8,
                                  .upstream_close = "com_quit_eof",
                                  .upstream_close_ms = 1});
  }
  std::fclose(out);
}

void bench_report(const std::string& path, std::uint64_t records, gw::eventlog::ReportBy by) {
  const auto start = Clock::now();
  const auto summary = gw::eventlog::build_report({path}, by);
  const double total = seconds_since(start);
  if (!summary) {
    std::fprintf(stderr, "%s\n", summary.error().c_str());
    return;
  }
  std::printf(
      "report --by %-8s %9llu records  %6.2f s  %10.0f records/s  %6.1f MB/s  (%llu "
      "sessions, %zu groups)\n",
      std::string(to_string(by)).c_str(), static_cast<unsigned long long>(summary->lines), total,
      static_cast<double>(records) / total,
      static_cast<double>(std::filesystem::file_size(path)) / total / 1e6,
      static_cast<unsigned long long>(summary->sessions), summary->groups.size());
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t records = argc > 1 ? std::stoull(argv[1]) : 1'000'000;
  const std::string dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path().string();
  const std::string writer_path = dir + "/gw_bench_writer.log";
  const std::string report_path = dir + "/gw_bench_report.log";

  bench_writer(writer_path, records, false);
  bench_writer(writer_path, records, true);
  bench_submit(writer_path, std::min<std::uint64_t>(records, 50'000));
  std::filesystem::remove(writer_path);

  write_report_input(report_path, records);
  bench_report(report_path, records, gw::eventlog::ReportBy::Program);
  bench_report(report_path, records, gw::eventlog::ReportBy::Library);
  std::filesystem::remove(report_path);
  return 0;
}
