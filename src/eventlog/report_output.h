#pragma once
// How a report is shown: a table for people, one JSON object for machines.
//
// JSON shape (names are stable; new members may be added):
//   {"by":"program","files":[...],"lines":N,"records":N,"sessions":N,"skipped_lines":N,
//    "dropped":N,
//    "groups":[{"key":"mysql","sessions":N,"left_without_quit":N,"median_ms":N,"p99_ms":N,
//               "close_kinds":{"com_quit":N,"rst":N,...}}, ...]}
// Groups come most sessions first; close_kinds most frequent first.

#include <iosfwd>

#include "eventlog/report.h"

namespace gw::eventlog {

void print_report_table(const ReportSummary& summary, std::ostream& out);
void print_report_json(const ReportSummary& summary, std::ostream& out);

}  // namespace gw::eventlog
