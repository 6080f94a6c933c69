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
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path

import harness
from nats_server import NatsServer, make_operator

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
        self.addCleanup(shutil.rmtree, self.directory, True)

    def config(self, instance: str = "gw-a", binlog: bool = False, publish: str = "",
               event_log: bool = True, create_stream: bool = True, event_log_extra: str = "",
               nats_url: str = "") -> Path:
        control = harness.CONTROL_CREDENTIALS
        text = ("[close]\nclose_timeout = \"2s\"\n\n"
                f"[control]\nuser = \"{control.user}\"\npassword = \"{control.password}\"\n\n")
        if event_log:
            text += (f"[event_log]\npath = \"{self.directory / instance}.jsonl\"\n"
                     f"flush_interval = \"100ms\"\n{event_log_extra}\n")
        if binlog:
            text += (f"[binlog]\nenabled = true\nuser = \"{BINLOG.user}\"\n"
                     f"password = \"{BINLOG.password}\"\nserver_id = {kServerId}\n"
                     f"start = \"current\"\ncheckpoint = \"{self.directory / 'checkpoint.json'}\"\n"
                     f"path = \"{self.directory / 'changes.jsonl'}\"\nheartbeat = \"500ms\"\n\n")
        text += (f"[publish]\nnats_url = {nats_url or json.dumps(self.nats.url)}\n"
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

    def test_records_sent_while_nats_goes_away_keep_their_order(self):
        # Regression: records handed to libnats between its noticing the lost connection and
        # gracewire's hearing of it sat in libnats's reconnect buffer, which it sends first on
        # reconnecting: they reached the stream before older records that were lost in flight.
        gw = self.gracewire(self.config())
        stop = threading.Event()

        def client() -> None:
            conn = harness.connect(gw.endpoint, self.server)
            with conn.cursor() as cur:
                while not stop.is_set():
                    cur.execute("SELECT 1")
            conn.close()
        worker = threading.Thread(target=client, daemon=True)
        worker.start()
        self.addCleanup(stop.set)
        try:
            for restart in range(3):
                time.sleep(0.5)
                self.nats.stop()
                wait_until(lambda: gw.log().count("lost the connection to NATS") > restart,
                           "the loss to be logged")
                self.nats.start()
                wait_until(lambda: gw.log().count("reconnected to NATS") > restart,
                           "the reconnect")
            time.sleep(0.5)
        finally:
            stop.set()
            worker.join(kWait)
        self.assertEqual(gw.stop(), 0)
        written = lines(self.directory / "gw-a.jsonl")
        self.assertGreater(len(written), 100, "records flowed across the restarts")
        messages = self.nats.read_stream(wait_for=len(written))
        self.assertEqual(len(messages), len(written), "every record once")
        published = [json.loads(m["data"])["seq"] for m in messages]
        out_of_order = [(a, b) for a, b in zip(published, published[1:]) if b != a + 1]
        self.assertEqual(out_of_order, [], "the stream holds the records in the file's order")
        self.assertEqual([m["data"] for m in messages], written)

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

    def test_a_killed_gracewire_publishes_every_event_exactly_once(self):
        config = self.config()
        log_file = self.directory / "gw-a.jsonl"

        def written_at_least(count: int) -> None:
            wait_until(lambda: len(lines(log_file)) >= count, f"{count} records in the file")

        gw = self.gracewire(config)
        self.sessions(gw, 5)
        written_at_least(20)
        # 1. A hung NATS: what follows is sent and never acknowledged, and the kill comes with
        # it in flight. NATS reads it once it runs again: those records reach the stream from
        # the dead connection and again from the restart, which must leave one copy.
        self.nats.pause()
        self.addCleanup(self.nats.resume)
        self.sessions(gw, 5)
        written_at_least(40)
        time.sleep(0.5)  # sent by the publisher, and still unacknowledged
        os.kill(gw.pid, signal.SIGKILL)
        gw.proc.wait()
        self.nats.resume()
        time.sleep(1)  # NATS reads what the dead connection left in its socket
        gw = self.gracewire(config)
        self.assertIn("had not acknowledged before the last stop", gw.log())
        self.sessions(gw, 3)
        written_at_least(52)
        progress = self.directory / "gw-a.jsonl.published"
        wait_until(lambda: json.loads(progress.read_text())["seq"] == len(lines(log_file)),
                   "the progress file to follow the acknowledgements")
        # 2. NATS away: what follows waits in gracewire, never sent, and the kill loses it from
        # memory. Only the file has it, and the restart must publish it from there.
        self.nats.stop()
        wait_until(lambda: "lost the connection to NATS" in gw.log(), "the loss to be logged")
        self.sessions(gw, 5)
        written_at_least(72)
        os.kill(gw.pid, signal.SIGKILL)
        gw.proc.wait()
        self.nats.start()
        gw = self.gracewire(config)
        self.assertIn("had not acknowledged before the last stop", gw.log())
        self.sessions(gw, 3)
        self.assertEqual(gw.stop(), 0)

        written = lines(log_file)
        self.assertEqual([json.loads(l)["seq"] for l in written], list(range(1, len(written) + 1)),
                         "the file's lines are numbered without a gap across the kills")
        self.nats.read_stream(wait_for=len(written))
        time.sleep(0.5)  # anything sent twice would show now
        messages = self.nats.read_stream(wait_for=len(written))
        self.assertEqual([m["data"] for m in messages], written,
                         "every record exactly once, in order, across both kills")
        lineages = {m["id"].split(":")[1] for m in messages}
        self.assertEqual(len(lineages), 1, "one lineage: each restart goes on with the same ids")
        lineage = lineages.pop()
        self.assertEqual([m["id"] for m in messages],
                         [f"gw-a:{lineage}:{json.loads(l)['seq']}" for l in written])
        # The killed processes' control connections had no chance to end cleanly.
        self.expect_server_aborts("Aborted connection", Aborted_clients=2)

    def test_records_written_while_publishing_was_off_are_not_published_later(self):
        config = self.config()
        log_file = self.directory / "gw-a.jsonl"
        progress = self.directory / "gw-a.jsonl.published"
        gw = self.gracewire(config)
        self.sessions(gw, 2)
        self.assertEqual(gw.stop(), 0)
        first_run = lines(log_file)
        self.assertTrue(progress.exists())
        unpublished = self.directory / "unpublished.toml"
        unpublished.write_text(config.read_text().split("[publish]")[0])
        gw = self.gracewire(unpublished)
        self.assertIn("removed", gw.log())
        self.assertFalse(progress.exists())
        self.sessions(gw, 2)
        self.assertEqual(gw.stop(), 0)
        second_run = lines(log_file)[len(first_run):]
        gw = self.gracewire(config)
        self.assertNotIn("had not acknowledged", gw.log())
        self.sessions(gw, 1)
        self.assertEqual(gw.stop(), 0)
        third_run = lines(log_file)[len(first_run) + len(second_run):]
        self.assertTrue(second_run and third_run)
        messages = self.nats.read_stream(wait_for=len(first_run) + len(third_run))
        self.assertEqual([m["data"] for m in messages], first_run + third_run)
        lineages = [m["id"].split(":")[1] for m in messages]
        self.assertNotEqual(lineages[0], lineages[-1], "a new lineage after the gap")

    def test_under_block_the_sessions_pause_while_nats_is_away_and_nothing_is_lost(self):
        gw = self.gracewire(self.config(publish="loss = \"block\"\nmax_pending = 8\n",
                                        event_log_extra="queue_records = 16\n"))
        self.sessions(gw, 1)
        self.nats.stop()
        wait_until(lambda: "lost the connection to NATS" in gw.log(), "the loss to be logged")
        done = threading.Event()
        statements = 200  # far past max_pending plus the event log's queue

        def client() -> None:
            conn = harness.connect(gw.endpoint, self.server)
            with conn.cursor() as cur:
                for _ in range(statements):
                    cur.execute("SELECT 1")
            conn.close()
            done.set()
        worker = threading.Thread(target=client, daemon=True)
        worker.start()
        time.sleep(2 * harness.TIME_FACTOR)
        self.assertFalse(done.is_set(), "the session waits for the stream")
        # The loop is not stalled: every loop answers for the metrics.
        status, page = harness.admin_http(gw.admin_port, "/metrics")
        self.assertEqual(status, 200)
        metrics = harness.metric_samples(page)
        self.assertEqual(metrics["gracewire_publish_connected"], 0)
        self.assertEqual(metrics["gracewire_publish_pending_records"], 8)
        self.nats.start()
        self.assertTrue(done.wait(kWait), "the session goes on once NATS is back")
        worker.join()
        self.assertEqual(gw.stop(), 0)
        written = lines(self.directory / "gw-a.jsonl")
        selects = [l for l in written if json.loads(l).get("statement") == "SELECT 1"]
        self.assertEqual(len(selects), statements + 1, "every statement recorded")
        self.assertFalse(any('"type":"dropped"' in l for l in written), "nothing dropped")
        self.assertNotIn("found no room", gw.log())
        self.assertNotIn("event log: dropped", gw.log())
        messages = self.nats.read_stream(wait_for=len(written))
        self.assertEqual([m["data"] for m in messages], written, "everything, once, in order")

    def test_of_several_urls_any_that_answers_will_do(self):
        # A cluster's URLs, the first one down: gracewire connects to one that answers.
        dead = f"nats://127.0.0.1:{harness.free_port()}"
        gw = self.gracewire(self.config(nats_url=json.dumps([dead, self.nats.url])))
        self.sessions(gw, 2)
        wait_until(lambda: self.nats.read_stream(timeout=2) != [], "records in the stream")
        self.assertEqual(gw.stop(), 0)
        written = lines(self.directory / "gw-a.jsonl")
        self.assertEqual([m["data"] for m in self.nats.read_stream(wait_for=len(written))],
                         written)

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

    def fill_a_full_stream(self, **limit) -> tuple[harness.Gracewire, list[dict], list[str]]:
        """Sessions through a gracewire publishing under "drop" into a stream with `limit`;
        returns it stopped, with what the stream holds and what the file holds."""
        self.nats.add_stream("GRACEWIRE", "gracewire.>", **limit)
        gw = self.gracewire(self.config(
            create_stream=False, publish="loss = \"drop\"\nmax_pending = 8\n"))
        for _ in range(10):  # forwarding never waits for the stream
            self.sessions(gw, 2)
            time.sleep(0.15)  # a flush interval: the records come in several batches
        wait_until(lambda: "maximum " in gw.log(), "the stream's refusal to be logged")
        metrics = harness.metric_samples(harness.admin_http(gw.admin_port, "/metrics")[1])
        self.assertGreater(metrics["gracewire_publish_errors_total"], 0)
        self.assertEqual(gw.stop(), 0)
        return gw, self.nats.read_stream(), lines(self.directory / "gw-a.jsonl")

    def test_a_full_stream_drops_under_drop_and_says_so(self):
        gw, stored, written = self.fill_a_full_stream(max_msgs=5)
        self.assertIn("maximum messages exceeded", gw.log())
        self.assertIn("found no room among the 8", gw.log())
        self.assertIn("were not acknowledged by stream GRACEWIRE", gw.log())
        self.assertEqual([m["data"] for m in stored], written[:5],
                         "what the stream took is the file's beginning, in order")

    def test_a_stream_full_by_bytes_refuses_and_keeps_the_order(self):
        gw, stored, written = self.fill_a_full_stream(max_bytes=2048)
        self.assertIn("maximum bytes exceeded", gw.log())
        self.assertLess(len(stored), len(written))
        # In the file's order, each record once; not all from the file's start: nats-server 2.9
        # (Debian 12) counts a message smaller than it stores it for discard = new, takes one
        # too many, then removes the oldest to fit max_bytes (nats-server#4775). The room this
        # makes lets a record sent again after a refusal in, past the ones dropped meanwhile.
        positions = [written.index(m["data"]) for m in stored]
        self.assertEqual(positions, sorted(set(positions)), "in order, none twice")

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


    def test_a_credentials_file_logs_in_and_a_stranger_s_is_refused(self):
        # Operator mode: the user's JWT is signed by its account, the account's by the operator
        # the server trusts; the seed in the file signs the server's nonce.
        setup = Path(tempfile.mkdtemp(prefix="gw-nats-operator-"))
        self.addCleanup(shutil.rmtree, setup, True)
        conf = make_operator(setup)
        self.nats.stop(remove=True)
        self.nats = NatsServer(self.stack.artifacts, config=conf, creds=setup / "user.creds")
        self.nats.start()
        self.addCleanup(self.nats.stop, True)
        seed = [l for l in (setup / "other.creds").read_text().splitlines() if l.startswith("SU")]
        self.assertEqual(len(seed), 1)
        out = self.start_failing(
            self.config("gw-b", publish=f"nats_creds = \"{setup / 'other.creds'}\"\n"))
        self.assertIn("cannot connect to NATS", out)
        self.assertIn("uthorization", out)
        self.assertNotIn(seed[0], out)
        gw = self.gracewire(
            self.config(publish=f"nats_creds = \"{setup / 'user.creds'}\"\n"))
        self.sessions(gw, 2)
        self.assertEqual(gw.stop(), 0)
        self.assertNotIn(seed[0], gw.log())
        written = lines(self.directory / "gw-a.jsonl")
        self.assertEqual([m["data"] for m in self.nats.read_stream(wait_for=len(written))],
                         written)

if __name__ == "__main__":
    unittest.main()
