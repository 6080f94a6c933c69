"""Publishing to NATS JetStream (issue 13) against a real nats-server with JetStream and a real
MariaDB: lifecycle, audit and change records reach their subjects with the file's content; a
NATS restart loses and doubles nothing; a gracewire killed with SIGKILL and started again
publishes every change exactly once; a misconfigured stream or login stops gracewire at start
with a sentence saying so.

Each test starts its own nats-server (nats_server.py, a free port, its own store) and its own
gracewire; what the stream holds is read with NATS's own client, npm `nats`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import harness
from nats_server import NatsServer

BINLOG = harness.Credentials("gw_binlog", "gw-binlog-pw", "")
kServerId = 4343
kWait = 20.0 * harness.TIME_FACTOR


def setUpModule():
    harness.start_stack(
        "publish",
        server_args=("--binlog-row-metadata=FULL", "--binlog-row-image=FULL", "--log-warnings=3"),
        control_account=harness.CONTROL_CREDENTIALS)
    server = harness.STACK.server
    server.admin_query("CREATE USER %s@'%%' IDENTIFIED BY %s", (BINLOG.user, BINLOG.password))
    server.admin_query("GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO %s@'%%'", (BINLOG.user,))
    server.admin_query(f"GRANT ALL ON {server.database}.* TO %s@'%%'", (server.user,))


def tearDownModule():
    harness.stop_stack()


def lines(path: Path) -> list[str]:
    return [l for l in path.read_text().splitlines() if l.strip()] if path.exists() else []


def wait_until(predicate, what: str, timeout: float = kWait) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class Publishing(harness.IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.nats = NatsServer(self.stack.artifacts)
        self.nats.start()
        self.addCleanup(self.nats.stop, True)
        self.directory = Path(tempfile.mkdtemp(prefix="gw-publish-"))

    def config(self, instance: str = "gw-a", binlog: bool = False, publish: str = "",
               event_log: bool = True, create_stream: bool = True) -> Path:
        control = harness.CONTROL_CREDENTIALS
        text = ("[close]\nclose_timeout = \"2s\"\n\n"
                f"[control]\nuser = \"{control.user}\"\npassword = \"{control.password}\"\n\n")
        if event_log:
            text += (f"[event_log]\npath = \"{self.directory / instance}.jsonl\"\n"
                     "flush_interval = \"100ms\"\n\n")
        if binlog:
            text += (f"[binlog]\nenabled = true\nuser = \"{BINLOG.user}\"\n"
                     f"password = \"{BINLOG.password}\"\nserver_id = {kServerId}\n"
                     f"start = \"current\"\ncheckpoint = \"{self.directory / 'checkpoint.json'}\"\n"
                     f"path = \"{self.directory / 'changes.jsonl'}\"\nheartbeat = \"500ms\"\n\n")
        text += (f"[publish]\nnats_url = \"{self.nats.url}\"\n"
                 f"create_stream = {'true' if create_stream else 'false'}\n"
                 f"instance = \"{instance}\"\n" + publish)
        path = self.directory / f"{instance}.toml"
        path.write_text(text)
        return path

    def gracewire(self, config: Path, env: dict[str, str] | None = None) -> harness.Gracewire:
        gw = harness.Gracewire(f"{self.server.host}:{self.server.port}",
                               self.stack.artifacts / "gracewire.log", ("--config", str(config)),
                               env=env)
        gw.start()
        self.addCleanup(gw.stop)
        return gw

    def sessions(self, gw: harness.Gracewire, count: int, statement: str = "SELECT 1") -> None:
        for _ in range(count):
            conn = harness.connect(gw.endpoint, self.server)
            with conn.cursor() as cur:
                cur.execute(statement)
            conn.close()

    def test_records_reach_their_subjects_with_the_files_content(self):
        self.server.admin_query(
            f"CREATE TABLE {self.server.database}.orders (id INT PRIMARY KEY, item VARCHAR(20))")
        gw = self.gracewire(self.config(binlog=True))
        wait_until(lambda: "following the binlog" in gw.log(), "the dump to start")
        conn = harness.connect(gw.endpoint, self.server)
        with conn.cursor() as cur:
            cur.execute("INSERT INTO orders VALUES (1, 'tea'), (2, 'milk')")
            cur.execute("UPDATE orders SET item = 'honey' WHERE id = 2")
            cur.execute("SELECT * FROM orders")
        conn.commit()
        conn.close()
        changes = self.directory / "changes.jsonl"
        wait_until(lambda: sum('"type":"row"' in l for l in lines(changes)) >= 3, "3 rows")
        self.assertEqual(gw.stop(), 0)
        events = lines(self.directory / "gw-a.jsonl")
        written = events + lines(changes)
        messages = self.nats.read_stream(wait_for=len(written))

        self.assertEqual(len(messages), len(written), "one message per record, none twice")
        self.assertEqual(sorted(m["data"] for m in messages), sorted(written),
                         "the same JSON line as in the files")
        published_events = [m for m in messages if ".events." in m["subject"]]
        self.assertEqual([m["data"] for m in published_events], events, "in the file's order")
        for m in messages:
            record = json.loads(m["data"])
            self.assertEqual(m["type"], record["type"])
            self.assertEqual(m["instance"], "gw-a")
            if record["type"] == "row":
                self.assertEqual(m["subject"], f"gracewire.changes.{record['db']}.{record['table']}")
                self.assertEqual(m["id"], f"{record['gtid']}:{record['event_index']}:"
                                          f"{record['row_index']}")
            elif record["type"] == "commit":
                self.assertEqual(m["subject"], "gracewire.changes")
            elif record["type"] == "ddl":
                self.assertEqual(m["subject"], f"gracewire.changes.{record['db']}")
            else:
                self.assertEqual(m["subject"], f"gracewire.events.{record['type']}")
                self.assertTrue(m["id"].startswith("gw-a:"), m["id"])
        self.assertEqual(len({m["id"] for m in messages}), len(messages), "ids are unique")
        types = {json.loads(m["data"])["type"] for m in messages}
        self.assertTrue({"connect", "auth", "command", "close", "row", "commit"} <= types, types)

    def test_a_nats_restart_before_anything_was_published(self):
        # Regression: libnats 3.4 crashed gracewire when asked for its pending publishes
        # before the first publish, which the reconnect did.
        gw = self.gracewire(self.config())
        self.nats.stop()
        wait_until(lambda: "lost the connection to NATS" in gw.log(), "the loss to be logged")
        self.nats.start()
        wait_until(lambda: "reconnected to NATS" in gw.log(), "the reconnect")
        self.sessions(gw, 2)
        self.assertEqual(gw.stop(), 0)
        written = lines(self.directory / "gw-a.jsonl")
        self.assertEqual([m["data"] for m in self.nats.read_stream(wait_for=len(written))],
                         written)

    def test_a_nats_restart_loses_and_doubles_nothing(self):
        gw = self.gracewire(self.config())
        self.sessions(gw, 10)
        wait_until(lambda: len(lines(self.directory / "gw-a.jsonl")) >= 40, "the first records")
        self.nats.stop()
        self.sessions(gw, 10)  # records wait; forwarding goes on
        wait_until(lambda: "lost the connection to NATS" in gw.log(), "the loss to be logged")
        self.nats.start()
        wait_until(lambda: "reconnected to NATS" in gw.log(), "the reconnect")
        self.sessions(gw, 10)
        self.assertEqual(gw.stop(), 0)
        written = lines(self.directory / "gw-a.jsonl")
        messages = self.nats.read_stream(wait_for=len(written))
        self.assertEqual([m["data"] for m in messages], written,
                         "every record once, in order, across the restart")

    def test_a_killed_gracewire_publishes_every_change_exactly_once(self):
        db = self.server.database
        self.server.admin_query(f"CREATE TABLE {db}.crash (id INT PRIMARY KEY)")
        config = self.config(binlog=True)
        gw = self.gracewire(config)
        wait_until(lambda: "following the binlog" in gw.log(), "the dump to start")
        checkpoint = self.directory / "checkpoint.json"
        self.server.admin_query(f"INSERT INTO {db}.crash SELECT seq FROM {db}.seq_1_to_100")
        wait_until(checkpoint.exists, "a first checkpoint")
        # The kill comes while rows are published ahead of the checkpoint (every second): the
        # restart sends some of them again, and the stream must keep one copy of each.
        for start in range(101, 401, 100):
            self.server.admin_query(
                f"INSERT INTO {db}.crash SELECT seq FROM {db}.seq_{start}_to_{start + 99}")
        wait_until(lambda: sum('"table":"crash"' in l
                               for l in lines(self.directory / "changes.jsonl")) >= 250,
                   "some of the rows")
        os.kill(gw.pid, signal.SIGKILL)
        gw.proc.wait()
        self.server.admin_query(f"INSERT INTO {db}.crash SELECT seq FROM {db}.seq_401_to_500")
        gw2 = self.gracewire(config)
        wait_until(lambda: "following the binlog" in gw2.log(), "the second dump")
        messages = []

        def all_rows() -> bool:
            nonlocal messages
            messages = [m for m in self.nats.read_stream(timeout=5)
                        if m["subject"] == f"gracewire.changes.{db}.crash"]
            return len(messages) >= 500
        try:
            wait_until(all_rows, "500 row messages")
        except AssertionError:
            got = sorted(json.loads(m["data"])["after"]["id"] for m in messages)
            in_file = [json.loads(l)["after"]["id"] for l in lines(self.directory / "changes.jsonl")
                       if '"table":"crash"' in l]
            raise AssertionError(
                f"{len(got)} rows in the stream, missing {sorted(set(range(1, 501)) - set(got))[:20]}"
                f"; {len(in_file)} in the file; checkpoint "
                f"{(self.directory / 'checkpoint.json').read_text()}; server at "
                f"{self.server.admin_query('SELECT @@gtid_binlog_pos')}; count "
                f"{self.server.admin_query(f'SELECT COUNT(*) FROM {db}.crash')}") from None
        time.sleep(1)  # anything sent twice would show now
        messages = [m for m in self.nats.read_stream() if m["subject"].endswith(".crash")]
        ids = sorted(json.loads(m["data"])["after"]["id"] for m in messages)
        self.assertEqual(ids, list(range(1, 501)), "every row exactly once in the stream")
        self.assertEqual(len({m["id"] for m in messages}), 500)
        in_file = sum('"table":"crash"' in l for l in lines(self.directory / "changes.jsonl"))
        self.assertGreaterEqual(in_file, 500, "the file has each row at least once too")
        # The killed process's dump and control connections had no chance to end cleanly.
        self.expect_server_aborts("Aborted connection", Aborted_clients=2)

    def test_two_instances_publish_into_one_stream(self):
        a = self.gracewire(self.config("gw-a"))
        b = self.gracewire(self.config("gw-b"))
        self.sessions(a, 5)
        self.sessions(b, 7)
        self.assertEqual(a.stop(), 0)
        self.assertEqual(b.stop(), 0)
        written = {name: lines(self.directory / f"{name}.jsonl") for name in ("gw-a", "gw-b")}
        messages = self.nats.read_stream(wait_for=sum(map(len, written.values())))
        for name, file_lines in written.items():
            mine = [m["data"] for m in messages if m["instance"] == name]
            self.assertEqual(mine, file_lines, f"{name}: everything, in order, told apart")

    def test_publishing_without_a_file(self):
        gw = self.gracewire(self.config(event_log=False))
        self.sessions(gw, 3)
        self.assertEqual(gw.stop(), 0)
        messages = self.nats.read_stream(wait_for=3 * 4)
        closes = [json.loads(m["data"]) for m in messages if m["type"] == "close"]
        self.assertEqual(len(closes), 3)

    def test_a_full_stream_drops_under_drop_and_says_so(self):
        self.nats.add_stream("GRACEWIRE", "gracewire.>", max_bytes=2048)
        gw = self.gracewire(self.config(
            create_stream=False, publish="loss = \"drop\"\nmax_pending = 8\n"))
        for _ in range(10):  # forwarding never waits for the stream
            self.sessions(gw, 2)
            time.sleep(0.15)  # a flush interval: the records come in several batches
        wait_until(lambda: "dropped" in gw.log() and "maximum bytes" in gw.log(),
                   "the drops and the stream's refusal to be logged")
        metrics = harness.metric_samples(harness.admin_http(gw.admin_port, "/metrics")[1])
        self.assertGreater(metrics["gracewire_publish_records_dropped_total"], 0)
        self.assertGreater(metrics["gracewire_publish_errors_total"], 0)
        self.assertEqual(gw.stop(), 0)
        self.assertIn("were not acknowledged by stream GRACEWIRE", gw.log())
        stored = self.nats.read_stream()
        written = lines(self.directory / "gw-a.jsonl")
        self.assertLess(len(stored), len(written))
        self.assertEqual([m["data"] for m in stored], written[:len(stored)],
                         "what the stream took is the file's beginning, in order")

    def test_a_stream_that_would_lose_records_is_refused(self):
        self.nats.add_stream("GRACEWIRE", "gracewire.events.>")
        out = self.start_failing(self.config(create_stream=False))
        self.assertIn("does not take gracewire.changes.db.table", out)
        self.assertIn("add gracewire.> to its subjects", out)

    def test_tls_to_nats_with_its_ca(self):
        self.nats.stop(remove=True)
        tls_dir = Path(tempfile.mkdtemp(prefix="gw-nats-tls-"))
        ca, cert, key = harness.make_ca_and_certificate(tls_dir)
        self.nats = NatsServer(self.stack.artifacts, tls=(ca, cert, key))
        self.nats.start()
        self.addCleanup(self.nats.stop, True)
        gw = self.gracewire(self.config(publish=f"nats_tls_ca = \"{ca}\"\n"))
        self.sessions(gw, 2)
        self.assertEqual(gw.stop(), 0)
        written = lines(self.directory / "gw-a.jsonl")
        self.assertEqual([m["data"] for m in self.nats.read_stream(wait_for=len(written))],
                         written)
        # Without the CA, the server's certificate is not trusted: a clear error at start.
        other_ca, _, _ = harness.make_ca_and_certificate(Path(tempfile.mkdtemp(prefix="gw-ca-")))
        out = self.start_failing(self.config(instance="gw-b",
                                             publish=f"nats_tls_ca = \"{other_ca}\"\n"))
        self.assertIn("cannot connect to NATS", out)

    def start_failing(self, config: Path, env: dict[str, str] | None = None) -> str:
        """Runs gracewire with `config`, which must stop it at start; returns its output."""
        binary = os.environ.get("GRACEWIRE_BIN", str(harness.REPO / "build" / "gracewire"))
        done = subprocess.run(
            [binary, "--listen", f"127.0.0.1:{harness.free_port()}", "--upstream",
             f"{self.server.host}:{self.server.port}", "--admin", "", "--config", str(config)],
            capture_output=True, text=True, timeout=30 * harness.TIME_FACTOR,
            env=dict(os.environ, **(env or {})))
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertNotIn("listening on", done.stderr)
        return done.stderr

    def test_a_missing_stream_is_a_clear_error_at_start(self):
        out = self.start_failing(self.config(publish="stream = \"ELSEWHERE\"\n",
                                             create_stream=False))
        self.assertIn("NATS stream ELSEWHERE does not exist", out)
        self.assertIn("publish.create_stream = true", out)

    def test_wrong_credentials_are_a_clear_error_and_never_printed(self):
        self.nats.stop(remove=True)
        self.nats = NatsServer(self.stack.artifacts, user="gw", password="right-secret-9")
        self.nats.start()
        self.addCleanup(self.nats.stop, True)
        config = self.config(publish="nats_user = \"gw\"\nnats_password_env = \"GW_NATS_PW\"\n")
        out = self.start_failing(config, env={"GW_NATS_PW": "wrong-secret-7"})
        self.assertIn("cannot connect to NATS", out)
        self.assertIn("uthorization", out)
        self.assertNotIn("wrong-secret-7", out)
        # And with the right one it publishes.
        gw = self.gracewire(config, env={"GW_NATS_PW": "right-secret-9"})
        self.sessions(gw, 1)
        self.assertEqual(gw.stop(), 0)
        self.assertNotIn("right-secret-9", gw.log())


if __name__ == "__main__":
    unittest.main()
