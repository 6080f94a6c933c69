"""The event log against a real MariaDB: clients with known close behaviour produce exactly the
expected close_kind, the audit records carry the statement and its outcome (secrets redacted),
`gracewire report` counts them, and `gracewire verify` checks the hash chain.

One gracewire with an event log (flush every 100 ms, hash chain on) in front of the module's
server; each test finds its own records by session, through the server connection id it saw."""

import json
import os
import struct
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import pymysql

import harness
import rawclient

kFlushSeconds = 0.1


def setUpModule():
    global EVENT_LOG
    directory = Path(tempfile.mkdtemp(prefix="gw-event-log-"))
    EVENT_LOG = directory / "events.jsonl"
    config = directory / "gracewire.toml"
    control = harness.CONTROL_CREDENTIALS
    config.write_text(
        "[close]\nclose_timeout = \"2s\"\nin_flight = \"cancel\"\n\n"
        f"[control]\nuser = \"{control.user}\"\npassword = \"{control.password}\"\n\n"
        f"[event_log]\npath = \"{EVENT_LOG}\"\nflush_interval = \"100ms\"\nhash_chain = true\n"
        "params = true\n")
    harness.start_stack("event_log", gracewire_args=("--config", str(config)),
                        control_account=control)


def tearDownModule():
    harness.stop_stack()


def records() -> list[dict]:
    if not EVENT_LOG.exists():
        return []
    return [json.loads(line) for line in EVENT_LOG.read_text().splitlines() if line.strip()]


def wait_for(predicate, what: str, timeout: float = 5.0) -> list[dict]:
    """The records matching `predicate`, once there is at least one (writes are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [r for r in records() if predicate(r)]
        if found or time.monotonic() > deadline:
            if not found:
                raise AssertionError(f"no {what} record within {timeout} s")
            return found
        time.sleep(kFlushSeconds)


def close_of(server_conn_id: int) -> dict:
    found = wait_for(lambda r: r["type"] == "close" and r["server_conn_id"] == server_conn_id,
                     f"close record for server connection {server_conn_id}")
    return found[0]


class EventLogTest(harness.IntegrationTestCase):
    def raw_login(self) -> tuple[rawclient.RawClient, int]:
        endpoint = self.stack.proxied
        client = rawclient.RawClient(endpoint.host, endpoint.port)
        client.login(self.server.user, self.server.password, self.server.database)
        server_id = int(client.query("SELECT CONNECTION_ID()")[0].decode()[1:])
        return client, server_id

    # --- how clients close ----------------------------------------------------------------

    def test_com_quit(self):
        conn = self.connect(self.stack.proxied, program_name="quitter")
        server_id = conn.thread_id()
        conn.close()
        record = close_of(server_id)
        self.assertEqual(record["close_kind"], "com_quit")
        self.assertEqual(record["upstream_close"], "com_quit_eof")
        self.assertEqual(record["program"], "quitter")
        self.assertIsInstance(record["upstream_close_ms"], int)

    def test_socket_closed_without_com_quit(self):
        client, server_id = self.raw_login()
        client.close_fin()
        record = close_of(server_id)
        self.assertEqual(record["close_kind"], "fin_without_quit")
        self.assertEqual(record["upstream_close"], "com_quit_eof")  # absorbed: clean upstream

    def test_reset(self):
        client, server_id = self.raw_login()
        client.close_rst()
        self.assertEqual(close_of(server_id)["close_kind"], "rst")

    def test_vanish_mid_query(self):
        client, server_id = self.raw_login()
        client.send_query("SELECT SLEEP(5)")
        time.sleep(0.3)
        client.close_fin()
        record = close_of(server_id)
        self.assertEqual(record["close_kind"], "mid_command")
        self.assertEqual(record["last_command"], "COM_QUERY")

    def test_vanish_mid_result(self):
        client, server_id = self.raw_login()
        client.send_query("SELECT seq, REPEAT('x', 100) FROM seq_1_to_3000000")
        client.read_result_head()
        for _ in range(1000):
            client.read_row()
        client.close_rst()
        self.assertEqual(close_of(server_id)["close_kind"], "mid_result")

    def test_open_transaction_is_recorded(self):
        client, server_id = self.raw_login()
        client.query("START TRANSACTION")
        client.close_fin()
        record = close_of(server_id)
        self.assertTrue(record["in_transaction"])

    def test_handshake_abort(self):
        before = {r["session"] for r in records() if r["type"] == "connect"}
        endpoint = self.stack.proxied
        client = rawclient.RawClient(endpoint.host, endpoint.port)
        greeting = client.read_greeting()
        client.close_fin()
        record = close_of(greeting.connection_id)
        self.assertEqual(record["close_kind"], "handshake_abort")
        self.assertEqual(record["upstream_close"], "com_quit_eof")  # ended as the control account
        self.assertNotIn(record["session"], before)

    def test_failed_auth(self):
        self.expect_server_aborts("Access denied", Aborted_connects=1)
        with self.assertRaises(pymysql.err.OperationalError):
            harness.connect(self.stack.proxied, self.server, password="wrong",
                            program_name="badpass")
        auth = wait_for(lambda r: r["type"] == "auth" and r["program"] == "badpass", "auth")[0]
        self.assertFalse(auth["ok"])
        self.assertEqual(auth["error_code"], 1045)
        close = close_of(auth["server_conn_id"])
        self.assertEqual(close["close_kind"], "auth_failed")

    # --- what clients did ------------------------------------------------------------------

    def test_audit_records_carry_statement_and_outcome(self):
        conn = self.connect(self.stack.proxied, program_name="auditor", autocommit=True)
        server_id = conn.thread_id()
        with conn.cursor() as cur:
            cur.execute("CREATE OR REPLACE TABLE audit_t (id INT PRIMARY KEY)")
            cur.execute("INSERT INTO audit_t VALUES (1), (2), (3)")
            cur.execute("SELECT id FROM audit_t ORDER BY id")
            with self.assertRaises(pymysql.err.ProgrammingError):
                cur.execute("SELECT * FROM no_such_table")
        conn.close()
        close_of(server_id)
        commands = [r for r in records()
                    if r["type"] == "command" and r["server_conn_id"] == server_id]
        by_statement = {r["statement"]: r for r in commands}
        insert = by_statement["INSERT INTO audit_t VALUES (1), (2), (3)"]
        self.assertEqual((insert["result"], insert["affected_rows"]), ("ok", 3))
        select = by_statement["SELECT id FROM audit_t ORDER BY id"]
        self.assertEqual((select["result"], select["columns"], select["rows"]), ("rows", 1, 3))
        self.assertGreater(select["bytes_to_client"], 0)
        error = by_statement["SELECT * FROM no_such_table"]
        self.assertEqual((error["result"], error["error_code"], error["sql_state"]),
                         ("error", 1146, "42S02"))
        for record in commands:
            self.assertEqual(record["program"], "auditor")
            self.assertEqual(record["user"], self.server.user)
            self.assertGreaterEqual(record["duration_us"], 0)

    def test_secrets_never_reach_the_log(self):
        secret = "Very-Secret-Passw0rd"
        conn = self.connect(self.stack.proxied, autocommit=True)
        server_id = conn.thread_id()
        with conn.cursor() as cur:
            cur.execute(f"CREATE USER IF NOT EXISTS gw_audit_tmp@'%' IDENTIFIED BY '{secret}'")
            cur.execute(f"SET PASSWORD FOR gw_audit_tmp@'%' = PASSWORD('{secret}')")
            cur.execute("DROP USER gw_audit_tmp@'%'")
        conn.close()
        close_of(server_id)
        text = EVENT_LOG.read_text()
        self.assertNotIn(secret, text)
        self.assertIn("IDENTIFIED BY '***'", text)
        self.assertIn("PASSWORD('***')", text)
        self.assertNotIn("auth_response", text)  # authentication data is never recorded

    def test_bound_parameters_of_prepared_statements(self):
        """Connector/C's binary protocol (gw_probe): parameters as SQL literals, long data marked."""
        probe = os.environ.get("GW_PROBE_BIN",
                               str(harness.REPO / "build/tests/integration/clients/gw_probe"))
        s, endpoint = self.server, self.stack.proxied
        done = subprocess.run([probe, "--host", endpoint.host, "--port", str(endpoint.port),
                               "--user", s.user, "--password", s.password, "--database",
                               s.database, "long_data"], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        # Other tests execute statements too: wait for this probe's own record.
        executes = wait_for(lambda r: r["type"] == "command" and
                            r["command"] == "COM_STMT_EXECUTE" and
                            r.get("params") == ["1", "<long data>", "<long data>"],
                            "the probe's COM_STMT_EXECUTE with its params")
        for record in executes:
            self.assertIsInstance(record["statement_id"], int)

    def test_bound_parameters_of_a_secret_bearing_statement_are_redacted(self):
        """A parameter carries no text to judge it by: the statement it was prepared from does."""
        client, _ = self.raw_login()
        statement_id = client.prepare("DO PASSWORD(?)")
        secret = b"planted-bound-secret-7"
        body = struct.pack("<IBI", statement_id, 0, 1) + b"\x00" + b"\x01" + b"\xfd\x00"
        client.send_command(0x17, body + bytes([len(secret)]) + secret)  # COM_STMT_EXECUTE
        self.assertEqual(client.read_packet()[:1], b"\x00")
        client.send_quit()
        client.read_until_eof(5)
        client.close()
        # Statement ids count per connection, so the record is known by its redacted parameter.
        wait_for(lambda r: r["type"] == "command" and r["command"] == "COM_STMT_EXECUTE" and
                 r.get("params") == ["'***'"], "the execute record, its parameter redacted")
        self.assertNotIn(secret.decode(), EVENT_LOG.read_text())

    def test_server_conn_id_joins_the_servers_own_id(self):
        conn = self.connect(self.stack.proxied, program_name="joiner")
        with conn.cursor() as cur:
            cur.execute("SELECT CONNECTION_ID()")
            server_id = cur.fetchone()[0]
        conn.close()
        self.assertEqual(close_of(server_id)["program"], "joiner")


class ToolsTest(harness.IntegrationTestCase):
    """`gracewire report` and `gracewire verify` over what the proxy wrote."""

    def gracewire(self, *args: str) -> subprocess.CompletedProcess:
        binary = os.environ.get("GRACEWIRE_BIN", str(harness.REPO / "build" / "gracewire"))
        return subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)

    def test_report_counts_close_kinds_per_program(self):
        for program in ("rep-good", "rep-good"):
            conn = self.connect(self.stack.proxied, program_name=program)
            conn.close()
        conn = self.connect(self.stack.proxied, program_name="rep-bad")
        server_id = conn.thread_id()
        conn._sock.close()  # no COM_QUIT (the socket's file object keeps no other reference)
        conn._rfile.close()
        close_of(server_id)
        wait_for(lambda r: r["type"] == "close" and r["program"] == "rep-good", "rep-good close")
        time.sleep(3 * kFlushSeconds)
        done = self.gracewire("report", "--json", "--by", "program", str(EVENT_LOG))
        self.assertEqual(done.returncode, 0, done.stderr)
        report = json.loads(done.stdout)
        groups = {g["key"]: g for g in report["groups"]}
        self.assertEqual(groups["rep-good"]["sessions"], 2, report)
        self.assertEqual(groups["rep-good"]["left_without_quit"], 0)
        self.assertEqual(groups["rep-good"]["close_kinds"].get("com_quit"), 2)
        self.assertEqual(groups["rep-bad"]["sessions"], 1)
        self.assertEqual(groups["rep-bad"]["left_without_quit"], 1)

    def test_verify_accepts_the_chain_and_names_a_tampered_line(self):
        conn = self.connect(self.stack.proxied)
        server_id = conn.thread_id()
        conn.close()
        close_of(server_id)
        copy = self.stack.tmp / "verify-copy.jsonl"
        copy.write_text(EVENT_LOG.read_text())
        done = self.gracewire("verify", str(copy))
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        lines = copy.read_text().splitlines()
        lines[1] = lines[1].replace('"type":', '"type" :', 1)
        copy.write_text("\n".join(lines) + "\n")
        done = self.gracewire("verify", str(copy))
        self.assertEqual(done.returncode, 1)
        self.assertIn(f"{copy}:2", done.stdout + done.stderr)


if __name__ == "__main__":
    unittest.main()
