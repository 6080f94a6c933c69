// The event-log readers behind `gracewire verify` and `gracewire report` (eventlog/verify.h,
// report.h) over arbitrary file contents. Properties: no crash or UB, the verdict is
// consistent (ok without a problem, a problem when not ok), counts never exceed the lines read,
// and the streaming ReportBuilder agrees with the file-reading report.

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "eventlog/report.h"
#include "eventlog/verify.h"
#include "fuzz_support.h"

using namespace gw;
using namespace gw::eventlog;

namespace {

const std::string& scratch_file() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir != nullptr ? dir : "/tmp") + "/gw_fuzz_eventlog_" +
           std::to_string(::getpid()) + ".log";
  }();
  return path;
}

bool write_file(const std::string& path, std::string_view bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const auto by = static_cast<ReportBy>(in.u8() % 4);
  const std::string_view text = as_chars(in.rest());
  const std::string& path = scratch_file();
  if (!write_file(path, text)) return 0;

  std::size_t newlines = 0;
  for (char c : text) newlines += c == '\n';
  const std::size_t max_lines = newlines + 1;

  const VerifyOutcome verdict = verify_chain({path});
  FUZZ_CHECK(verdict.ok == verdict.problem.empty());
  FUZZ_CHECK(verdict.records <= max_lines);

  auto report = build_report({path}, by);
  FUZZ_CHECK(report.has_value());
  FUZZ_CHECK(report->lines <= max_lines);
  FUZZ_CHECK(report->records <= report->lines);
  FUZZ_CHECK(report->sessions <= report->records);
  std::uint64_t grouped = 0;
  for (const auto& group : report->groups) grouped += group.sessions;
  FUZZ_CHECK(grouped == report->sessions);

  ReportBuilder builder(by);
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    builder.add_line(text.substr(begin, end - begin));
    begin = end + 1;
  }
  const ReportSummary streamed = builder.finish({path});
  FUZZ_CHECK(streamed.records == report->records);
  FUZZ_CHECK(streamed.sessions == report->sessions);
  FUZZ_CHECK(streamed.groups.size() == report->groups.size());
  std::remove(path.c_str());
  return 0;
}
