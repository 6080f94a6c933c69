"""MariaDB Connector/C through gracewire: the binary protocol and the less common commands.

Each scenario of tests/integration/clients/gw_probe runs directly against the server and then
through gracewire; the two transcripts must be identical, and a few lines are pinned so that an
identical-but-wrong transcript (both runs failing the same way) cannot pass."""

import os
import subprocess
import unittest
from pathlib import Path

import harness

PROBE = Path(os.environ.get("GW_PROBE_BIN", harness.REPO / "build/tests/integration/clients/gw_probe"))


def setUpModule():
    harness.start_stack("connector_c")


def tearDownModule():
    harness.stop_stack()


class ConnectorCTest(harness.IntegrationTestCase):
    def run_probe(self, endpoint, scenario):
        s = self.server
        cmd = [str(PROBE), "--host", endpoint.host, "--port", str(endpoint.port), "--user", s.user,
               "--password", s.password, "--database", s.database, scenario]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0,
                         f"gw_probe {scenario} via {endpoint.name} failed:\n{done.stderr}")
        return done.stdout

    def same_both_ways(self, scenario):
        direct = self.run_probe(self.stack.direct, scenario)
        proxied = self.run_probe(self.stack.proxied, scenario)
        self.assertEqual(proxied.splitlines(), direct.splitlines(),
                         f"{scenario}: transcript through gracewire differs from direct")
        return proxied

    def test_prepared_statements_with_every_common_type(self):
        out = self.same_both_ways("prepared_types")
        self.assertIn("select row 1 c_time=838:59:59.999999", out)
        self.assertIn("ext_format=json", out)

    def test_cursor_fetch(self):
        out = self.same_both_ways("cursor_fetch")
        self.assertIn("single cursor_exists=yes", out)
        self.assertIn("single count=1000 id_sum=500500", out)

    def test_send_long_data(self):
        self.assertIn("matches_sent=yes", self.same_both_ways("long_data"))

    def test_statement_reset_and_close(self):
        out = self.same_both_ways("stmt_reset_close")
        self.assertIn("error 1243 HY000 Unknown prepared statement handler", out)

    def test_procedure_with_several_results_and_out_params(self):
        self.assertIn("out_params=yes", self.same_both_ways("multi_result_proc"))

    def test_multi_statements_toggled_with_set_option(self):
        out = self.same_both_ways("multi_statements")
        self.assertIn("1064", out)

    def test_change_user(self):
        # The scenario's wrong password is logged by the server once per run (direct and proxied);
        # a failed COM_CHANGE_USER moves no abort counter (measured on MariaDB 10.11).
        self.expect_server_aborts("Access denied for user 'gw_other'")
        out = self.same_both_ways("change_user")
        self.assertIn("change wrong password error 1045 28000", out)

    def test_misc_commands(self):
        # COM_PROCESS_KILL of a second connection: the server counts the killed one, each run.
        self.expect_server_aborts("Aborted connection", Aborted_clients=2)
        out = self.same_both_ways("misc_commands")
        self.assertIn("txn read only in_trans=1 autocommit=1 readonly=1", out)

    def test_mariadb_bulk_and_direct_execute(self):
        self.same_both_ways("mariadb_ps_extensions")


if __name__ == "__main__":
    unittest.main()
