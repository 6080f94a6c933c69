"""sysbench OLTP through gracewire: a few seconds of mixed load with zero errors and reconnects."""

import re
import subprocess
import unittest

import harness

kTables = 2
kTableSize = 10000


def setUpModule():
    harness.start_stack("sysbench")


def tearDownModule():
    harness.stop_stack()


def parse_summary(text: str) -> dict[str, float]:
    """The counters of sysbench 1.0's final report."""
    fields = {}
    for key, pattern in {
        "transactions": r"^\s*transactions:\s+(\d+)",
        "queries": r"^\s*queries:\s+(\d+)",
        "ignored_errors": r"^\s*ignored errors:\s+(\d+)",
        "reconnects": r"^\s*reconnects:\s+(\d+)",
    }.items():
        m = re.search(pattern, text, re.MULTILINE)
        if m:
            fields[key] = int(m.group(1))
    return fields


class SysbenchTest(harness.IntegrationTestCase):
    def sysbench(self, endpoint, script, command, *args, timeout=120):
        cmd = ["sysbench", script, "--db-driver=mysql", f"--mysql-host={endpoint.host}",
               f"--mysql-port={endpoint.port}", f"--mysql-user={self.server.user}",
               f"--mysql-password={self.server.password}", f"--mysql-db={self.server.database}",
               f"--tables={kTables}", f"--table-size={kTableSize}", *args, command]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        self.assertEqual(p.returncode, 0, f"{' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
        self.assertNotIn("FATAL", p.stdout + p.stderr)
        return p.stdout

    def check_run(self, output: str) -> dict[str, float]:
        summary = parse_summary(output)
        self.assertEqual(set(summary), {"transactions", "queries", "ignored_errors", "reconnects"}, output)
        self.assertGreater(summary["transactions"], 0, output)
        self.assertEqual(summary["ignored_errors"], 0, output)
        self.assertEqual(summary["reconnects"], 0, output)
        return summary

    def row_counts(self) -> list[int]:
        return [self.server.admin_query(f"SELECT COUNT(*) FROM test.sbtest{i}")[0][0]
                for i in range(1, kTables + 1)]

    def test_oltp_read_write(self):
        gw = self.stack.proxied
        # prepare goes through gracewire too: CREATE TABLE, bulk INSERTs, CREATE INDEX
        self.sysbench(gw, "oltp_read_write", "prepare", "--threads=2")
        self.assertEqual(self.row_counts(), [kTableSize] * kTables)
        try:
            out = self.sysbench(gw, "oltp_read_write", "run", "--threads=4", "--time=5", "--rand-type=uniform",
                                "--report-interval=0")
            summary = self.check_run(out)
            # every transaction ran 18 statements (10 point selects, 4 ranges, 2 updates, delete, insert)
            self.assertGreaterEqual(summary["queries"], summary["transactions"] * 18)
            # oltp_read_write deletes and re-inserts the same ids: row counts are unchanged
            self.assertEqual(self.row_counts(), [kTableSize] * kTables)
        finally:
            self.sysbench(gw, "oltp_read_write", "cleanup")

    def test_point_select_text_protocol(self):
        gw = self.stack.proxied
        self.sysbench(self.stack.direct, "oltp_point_select", "prepare")
        try:
            out = self.sysbench(gw, "oltp_point_select", "run", "--threads=8", "--time=3",
                                "--db-ps-mode=disable", "--report-interval=0")
            summary = self.check_run(out)
            self.assertEqual(summary["queries"], summary["transactions"])
        finally:
            self.sysbench(self.stack.direct, "oltp_point_select", "cleanup")


if __name__ == "__main__":
    unittest.main(verbosity=2)
