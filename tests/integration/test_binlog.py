"""The binlog follower against a real MariaDB (issue 10): gracewire follows the server's binlog,
writes one change record per row, says who made each change when the session went through it,
keeps a checkpoint, resumes without loss and ends its dump without a trace on the server.

The module's server runs with log-bin, ROW format, FULL row image and FULL row metadata, and
log_warnings=3 (so that any unclean end of the dump would be logged). Each test starts its own
gracewire with its own change log and checkpoint, in front of that server, so that tests can
stop, kill and restart it; every test also checks (IntegrationTestCase) that the server logged
no aborted connection and counted none.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path

import pymysql

import harness

BINLOG = harness.Credentials("gw_binlog", "gw-binlog-pw", "")
kServerId = 4242
kFlushSeconds = 0.1
kWait = 15.0 * harness.TIME_FACTOR

# Every column family at its boundaries (rows 1 and 2) and all NULL (row 3), for time_zone UTC;
# test_binlog_faults.py compares the same rows with mariadb-binlog's reading of them.
kTypesTable = """CREATE TABLE types (
    id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,
    mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT,
    bu BIGINT UNSIGNED, d65 DECIMAL(65,30), d10 DECIMAL(10,2), f FLOAT, db DOUBLE,
    dt DATE, tm TIME(6), dtm DATETIME(6), ts TIMESTAMP(6) NULL, y YEAR, b1 BIT(1),
    b64 BIT(64), e ENUM('x','y'), st SET('a','b','c'), vc VARCHAR(40), l1 VARCHAR(20)
    CHARACTER SET latin1, vb VARBINARY(20), bl BLOB, tx TEXT, j JSON)"""
kTypesRows = (
    "INSERT INTO types VALUES (1, -128, 255, -32768, 65535, -8388608, 16777215, "
    "-2147483648, 4294967295, -9223372036854775808, 18446744073709551615, "
    "'-99999999999999999999999999999999999.999999999999999999999999999999', -12345678.99, "
    "-1.5, 2.2250738585072014e-308, '1000-01-01', '-838:59:59.000000', "
    "'1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000000', 1901, b'0', "
    "b'1111111111111111111111111111111111111111111111111111111111111111', 'x', '', "
    "'héllo wörld ✓', 'café', x'00ff10', '', '', '{\"a\": [1, 2]}')",
    "INSERT INTO types VALUES (2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, "
    "9223372036854775807, 0, "
    "'99999999999999999999999999999999999.999999999999999999999999999999', 0.01, "
    "3.4e38, -1.7976931348623157e308, '9999-12-31', '-00:00:01.500000', "
    "'9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', 2155, b'1', b'0', "
    "'y', 'a,c', REPEAT('z', 40), '', '', REPEAT(x'ab', 1000), 'text', 'null')",
    "INSERT INTO types (id) VALUES (3)")


def setUpModule():
    harness.start_stack(
        "binlog",
        server_args=("--binlog-row-metadata=FULL", "--binlog-row-image=FULL", "--log-warnings=3"),
        control_account=harness.CONTROL_CREDENTIALS,
        server_tls=True)  # offered; used only where a test sets upstream.tls_mode
    server = harness.STACK.server
    server.admin_query("CREATE USER %s@'%%' IDENTIFIED BY %s", (BINLOG.user, BINLOG.password))
    server.admin_query("GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO %s@'%%'", (BINLOG.user,))
    server.admin_query(f"GRANT ALL ON {server.database}.* TO %s@'%%'", (server.user,))


def tearDownModule():
    harness.stop_stack()


class Follower:
    """One gracewire with the binlog follower on, its change log and checkpoint in `directory`."""

    def __init__(self, stack: harness.Stack, directory: Path, extra_config: str = "",
                 start: str = "current", changes: Path | None = None,
                 server: harness.MariaDB | None = None):
        """server: the upstream to follow, when not the stack's own (test_binlog_faults.py)."""
        self.directory = directory
        self.changes = changes or directory / "changes.jsonl"
        self.checkpoint = directory / "checkpoint.json"
        control = harness.CONTROL_CREDENTIALS
        config = directory / "gracewire.toml"
        config.write_text(
            "[close]\nclose_timeout = \"2s\"\n\n"
            f"[control]\nuser = \"{control.user}\"\npassword = \"{control.password}\"\n\n"
            f"[event_log]\npath = \"{directory / 'events.jsonl'}\"\nflush_interval = \"100ms\"\n\n"
            f"[binlog]\nenabled = true\nuser = \"{BINLOG.user}\"\npassword = \"{BINLOG.password}\"\n"
            f"server_id = {kServerId}\nstart = \"{start}\"\ncheckpoint = \"{self.checkpoint}\"\n"
            f"path = \"{self.changes}\"\nheartbeat = \"500ms\"\n" + extra_config)
        server = server or stack.server
        self.gracewire = harness.Gracewire(f"{server.host}:{server.port}",
                                           stack.artifacts / "gracewire.log",
                                           ("--config", str(config)))

    def start(self) -> "Follower":
        self.gracewire.start()
        wait_until(lambda: "following the binlog" in self.gracewire.log(), "the dump to start")
        return self

    def stop(self) -> int:
        return self.gracewire.stop()

    def text(self) -> str:
        """The change log, rotated parts first (changes.jsonl.2, .1, then changes.jsonl)."""
        parts = sorted(self.directory.glob("changes.jsonl.*"), key=lambda p: -int(p.suffix[1:]))
        return "".join(p.read_text() for p in [*parts, self.changes] if p.exists())

    def records(self, type_: str | None = None, table: str | None = None) -> list[dict]:
        out = []
        marker = f'"table":"{table}"' if table else None
        for line in self.text().splitlines():
            if not line.strip() or (marker and marker not in line):
                continue
            record = json.loads(line)
            if type_ is None or record["type"] == type_:
                out.append(record)
        return out

    def rows_of(self, table: str) -> list[dict]:
        return self.records("row", table)

    def wait_rows(self, table: str, count: int, timeout: float = kWait) -> list[dict]:
        marker = f'"type":"row"'
        table_marker = f'"table":"{table}"'
        # Counting lines is cheap; parsing 200,000 records on every poll is not.
        wait_until(lambda: sum(1 for line in self.text().splitlines()
                               if marker in line and table_marker in line) >= count,
                   f"{count} row records of {table}", timeout)
        return self.rows_of(table)


def wait_until(predicate, what: str, timeout: float = kWait):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(kFlushSeconds)


def dump_threads(server: harness.MariaDB) -> tuple:
    return server.admin_query(
        "SELECT id, user, state FROM information_schema.processlist WHERE command = 'Binlog Dump'")


def as_record(column: str, value):
    """A value as PyMySQL gives it, in the change record's JSON form."""
    import datetime
    import decimal
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        micros = value.days * 86400_000_000 + value.seconds * 1_000_000 + value.microseconds
        sign = "-" if micros < 0 else ""
        micros = abs(micros)
        hours, rest = divmod(micros, 3600_000_000)
        minutes, rest = divmod(rest, 60_000_000)
        seconds, micros = divmod(rest, 1_000_000)
        return f"{sign}{hours:02}:{minutes:02}:{seconds:02}.{micros:06}"
    if isinstance(value, set):
        return ",".join(v for v in ("a", "b", "c") if v in value)
    if isinstance(value, bytes):
        if column.startswith("b") and column[1:].isdigit():  # BIT(n): its unsigned value
            return int.from_bytes(value, "big")
        return base64.b64encode(value).decode()
    return value


class SlowReader:
    """Reads a FIFO a little at a time (so its writer meets backpressure) until hurry()."""

    def __init__(self, path: Path):
        # Opened before gracewire opens its end: gracewire never waits for a reader.
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.lines: list[str] = []
        self._partial = b""
        self._fast = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        writer_seen = False
        while True:
            try:
                chunk = os.read(self.fd, 1 << 20 if self._fast.is_set() else 4096)
            except BlockingIOError:
                chunk = None
            if chunk:
                writer_seen = True
                self._partial += chunk
                *done, self._partial = self._partial.split(b"\n")
                self.lines += [line.decode() for line in done]
            elif chunk == b"" and writer_seen:
                os.close(self.fd)
                return  # the writer closed its end
            time.sleep(0.001 if self._fast.is_set() else 0.02)

    def count(self, marker: str) -> int:
        return sum(1 for line in list(self.lines) if marker in line)

    def hurry(self) -> None:
        self._fast.set()

    def join(self) -> None:
        self._thread.join(30)


def key(record: dict) -> tuple:
    return (record["gtid"], record["event_index"], record["row_index"])


class BinlogTest(harness.IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.directory = Path(tempfile.mkdtemp(prefix="gw-binlog-"))
        self.db = self.server.database

    def follower(self, **kwargs) -> Follower:
        follower = Follower(self.stack, self.directory, **kwargs)
        self.addCleanup(self.stop_follower, follower)
        return follower.start()

    def stop_follower(self, follower: Follower) -> None:
        if follower.gracewire.alive():
            self.assertEqual(follower.stop(), 0)
        wait_until(lambda: not dump_threads(self.server), "no dump thread left", 5)

    def admin(self, *statements: str) -> None:
        with contextlib.closing(self.server.admin()) as conn, conn.cursor() as cur:
            cur.execute(f"USE {self.db}")
            for statement in statements:
                cur.execute(statement)

    def through(self, follower: Follower, program: str) -> pymysql.connections.Connection:
        return pymysql.connect(host="127.0.0.1", port=follower.gracewire.port,
                               user=self.server.user, password=self.server.password,
                               database=self.db, autocommit=True,
                               program_name=program)

    # --- records ---------------------------------------------------------------------------------

    def test_insert_update_delete_are_recorded_with_their_images(self):
        self.admin("CREATE TABLE iud (id INT PRIMARY KEY, name VARCHAR(20), n BIGINT UNSIGNED)")
        f = self.follower()
        self.admin("INSERT INTO iud VALUES (1, 'one', 18446744073709551615), (2, NULL, 0)",
                   "UPDATE iud SET name = 'uno' WHERE id = 1", "DELETE FROM iud WHERE id = 2")
        rows = f.wait_rows("iud", 4)
        self.assertEqual([r["op"] for r in rows], ["insert", "insert", "update", "delete"])
        insert, insert2, update, delete = rows
        self.assertEqual(insert["after"], {"id": 1, "name": "one", "n": 18446744073709551615})
        self.assertNotIn("before", insert)
        self.assertEqual(insert2["after"], {"id": 2, "name": None, "n": 0})
        self.assertEqual(update["before"]["name"], "one")
        self.assertEqual(update["after"]["name"], "uno")
        self.assertEqual(delete["before"], {"id": 2, "name": None, "n": 0})
        self.assertNotIn("after", delete)
        self.assertIn("INSERT INTO iud", insert["statement"])
        for r in rows:
            self.assertEqual(r["db"], self.db)
            self.assertRegex(r["gtid"], r"^\d+-1-\d+$")
            self.assertTrue(r["binlog_file"].startswith("binlog."))
            self.assertGreater(r["binlog_pos"], 4)
        # The two inserted rows share one event: same gtid and event, rows 0 and 1.
        self.assertEqual((insert["gtid"], insert["event_index"]),
                         (insert2["gtid"], insert2["event_index"]))
        self.assertEqual((insert["row_index"], insert2["row_index"]), (0, 1))
        commits = wait_until(lambda: [c for c in f.records("commit") if c["gtid"] == insert["gtid"]],
                             "the insert's commit record")
        self.assertEqual(commits[0]["rows"], 2)
        ddl = [d for d in f.records("ddl")]
        self.assertEqual(ddl, [], "the CREATE TABLE came before the dump's start")

    def test_values_equal_what_select_returns(self):
        """Boundary values of every column family: each row record's `after` equals the row as
        SELECT returns it (time_zone UTC), converted to the record's JSON conventions."""
        self.admin(kTypesTable)
        f = self.follower()
        self.admin("SET time_zone = '+00:00'", *kTypesRows)
        rows = {r["after"]["id"]: r["after"] for r in f.wait_rows("types", 3)}
        with contextlib.closing(self.server.admin()) as conn, conn.cursor(
                pymysql.cursors.DictCursor) as cur:
            cur.execute("SET time_zone = '+00:00'")
            cur.execute(f"SELECT * FROM {self.db}.types ORDER BY id")
            selected = cur.fetchall()
        for want in selected:
            got = rows[want["id"]]
            for column, value in want.items():
                self.assertEqual(as_record(column, value), got[column],
                                 f"row {want['id']} column {column}")

    def test_binlog_subcommand_prints_a_range_and_ends_cleanly(self):
        self.admin("CREATE TABLE ranged (id INT PRIMARY KEY)")
        (file, start), = [row[:2] for row in self.server.admin_query("SHOW MASTER STATUS")]
        self.admin("INSERT INTO ranged VALUES (1), (2)", "INSERT INTO ranged VALUES (3)")
        (_, end), = [row[:2] for row in self.server.admin_query("SHOW MASTER STATUS")]
        self.admin("INSERT INTO ranged VALUES (4)")  # past the range
        config = self.directory / "range.toml"
        config.write_text(
            f"[upstream]\naddress = \"{self.server.host}:{self.server.port}\"\n\n"
            f"[binlog]\nuser = \"{BINLOG.user}\"\npassword = \"{BINLOG.password}\"\n"
            f"server_id = {kServerId + 1}\n")
        binary = os.environ.get("GRACEWIRE_BIN", str(harness.REPO / "build" / "gracewire"))
        done = subprocess.run([binary, "binlog", "--config", str(config), "--from",
                               f"{file}:{start}", "--to", f"{file}:{end}"],
                              capture_output=True, text=True, timeout=30 * harness.TIME_FACTOR)
        self.assertEqual(done.returncode, 0, done.stderr)
        records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        rows = [r for r in records if r["type"] == "row"]
        self.assertEqual([r["after"]["id"] for r in rows], [1, 2, 3], done.stderr)
        self.assertEqual([r["rows"] for r in records if r["type"] == "commit"], [2, 1])
        self.assertIn("reached the end of the range", done.stderr)
        # Its dump ended with KILL QUERY from a second connection of the binlog account.
        self.assertEqual(dump_threads(self.server), ())

    def test_a_row_larger_than_a_packet(self):
        """A 17 MiB value makes a row event larger than one packet (16 MiB - 1): the dump sends
        it in several packets, joined before the event is decoded."""
        self.admin("CREATE TABLE huge (id INT PRIMARY KEY, body LONGTEXT)")
        f = self.follower()
        size = 17 * 1024 * 1024
        self.admin(f"INSERT INTO huge VALUES (1, REPEAT('h', {size})), (2, '')")
        rows = f.wait_rows("huge", 2)
        self.assertEqual(len(rows[0]["after"]["body"]), size)
        self.assertEqual(set(rows[0]["after"]["body"]), {"h"})
        self.assertEqual(rows[1]["after"], {"id": 2, "body": ""})

    def test_ddl_is_recorded(self):
        f = self.follower()
        self.admin("CREATE TABLE ddl_seen (id INT)")
        ddl = wait_until(lambda: [d for d in f.records("ddl") if "ddl_seen" in d["statement"]],
                         "the ddl record")
        self.assertEqual(ddl[0]["db"], self.db)
        self.assertIn("CREATE TABLE", ddl[0]["statement"])

    def test_changes_through_gracewire_name_the_session(self):
        # MariaDB names the connection in DDL and in the COMMIT of non-transactional changes
        # (an InnoDB transaction's GTID event stands for its BEGIN and names nobody).
        f = self.follower()
        with contextlib.closing(self.through(f, "attributed-app")) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE who (id INT PRIMARY KEY) ENGINE=MyISAM")
            cur.execute("INSERT INTO who VALUES (1)")
            thread = conn.thread_id()
        self.admin("CREATE TABLE who_direct (id INT)")
        ddl = wait_until(lambda: [d for d in f.records("ddl") if "who" in d["statement"]] if len(
            [d for d in f.records("ddl") if "who" in d["statement"]]) == 2 else None, "both ddl")
        proxied, direct = ddl
        self.assertEqual(proxied["server_conn_id"], thread)
        self.assertEqual(proxied["program"], "attributed-app")
        self.assertEqual(proxied["user"], self.server.user)
        self.assertTrue(proxied["client"].startswith("127.0.0.1:"))
        self.assertGreater(proxied["session"], 0)
        self.assertGreater(direct["server_conn_id"], 0)
        self.assertNotEqual(direct["server_conn_id"], thread)
        self.assertEqual(direct["session"], 0)
        self.assertEqual(direct["program"], "")
        commit = wait_until(lambda: [c for c in f.records("commit")
                                     if c["server_conn_id"] == thread], "the MyISAM commit")
        self.assertEqual(commit[0]["program"], "attributed-app")
        self.assertEqual(commit[0]["rows"], 1)

    def test_innodb_transactions_through_gracewire_name_their_session(self):
        # An InnoDB transaction names no connection in the binlog; gracewire learns its GTID from
        # the session's OK (last_gtid, tracked by the sandbox server) — for PyMySQL, which does
        # not ask for session tracking and must see its OKs unchanged, and for the mariadb CLI,
        # which does. Direct writes interleaved with them keep server_conn_id alone.
        self.admin("CREATE TABLE orders (id INT PRIMARY KEY, who VARCHAR(10)) ENGINE=InnoDB")
        f = self.follower()
        direct = self.server.admin()
        self.addCleanup(direct.close)
        direct.select_db(self.db)
        direct.autocommit(True)
        with contextlib.closing(self.through(f, "orders-app")) as conn, conn.cursor() as cur:
            thread = conn.thread_id()
            for i in range(100):
                self.assertEqual(cur.execute("INSERT INTO orders VALUES (%s, 'proxy')", (i,)), 1)
                with direct.cursor() as d:
                    d.execute("INSERT INTO orders VALUES (%s, 'direct')", (1000 + i,))
            cur.execute("BEGIN")
            cur.execute("INSERT INTO orders VALUES (500, 'proxy')")
            self.assertEqual(cur.execute("UPDATE orders SET who = 'proxy2' WHERE id < 3"), 3)
            cur.execute("COMMIT")
            # The OK's info string reaches PyMySQL intact, without the session state.
            cur.execute("UPDATE orders SET who = 'proxy3' WHERE id < 2")
            self.assertEqual(conn._result.message, b"Rows matched: 2  Changed: 2  Warnings: 0")
            self.assertEqual(conn._result.server_status & 0x4000, 0)
        cli = subprocess.run(
            ["mariadb", "-h", "127.0.0.1", "-P", str(f.gracewire.port), "-u", self.server.user,
             f"-p{self.server.password}", self.db, "-e",
             "INSERT INTO orders VALUES (900, 'cli'); SELECT CONNECTION_ID()"],
            capture_output=True, text=True, timeout=30, check=True)
        cli_thread = int(cli.stdout.split()[-1])

        rows = f.wait_rows("orders", 100 + 100 + 1 + 3 + 2 + 1)
        by_id = {}
        for row in rows:
            by_id.setdefault((row["after"] or row["before"])["id"], []).append(row)
        for i in range(100):
            proxied, = by_id[i][:1]
            self.assertEqual((proxied["server_conn_id"], proxied["program"]), (thread, "orders-app"),
                             proxied)
            self.assertGreater(proxied["session"], 0)
            self.assertEqual(proxied["user"], self.server.user)
            made_directly, = by_id[1000 + i]
            self.assertEqual(made_directly["session"], 0, made_directly)
            self.assertEqual(made_directly["program"], "")
        in_transaction = [r for r in rows if r["after"] and r["after"]["who"] == "proxy2"]
        self.assertEqual(len(in_transaction), 3)
        self.assertTrue(all(r["program"] == "orders-app" for r in in_transaction), in_transaction)
        commit = [c for c in f.records("commit") if c["gtid"] == in_transaction[0]["gtid"]]
        self.assertEqual((commit[0]["program"], commit[0]["rows"]), ("orders-app", 4))
        from_cli, = by_id[900]
        self.assertEqual(from_cli["server_conn_id"], cli_thread)
        self.assertGreater(from_cli["session"], 0)
        self.assertNotEqual(from_cli["session"], by_id[0][0]["session"])

    def test_a_secret_in_ddl_is_redacted(self):
        f = self.follower()
        self.admin("CREATE USER IF NOT EXISTS 'gw_secret_user'@'%' IDENTIFIED BY 'hunter2-secret'",
                   "DROP USER 'gw_secret_user'@'%'")
        wait_until(lambda: [d for d in f.records("ddl") if "DROP USER" in d["statement"]],
                   "the DROP USER record")
        self.assertNotIn("hunter2-secret", f.changes.read_text())

    # --- checkpoint, resume, clean end ----------------------------------------------------------

    def test_clean_stop_leaves_nothing_on_the_server(self):
        f = self.follower()
        self.assertEqual(len(dump_threads(self.server)), 1)
        self.assertEqual(f.stop(), 0)
        self.assertEqual(dump_threads(self.server), ())
        self.assertIn("KILL QUERY", f.gracewire.log())
        # IntegrationTestCase checks: no "Aborted connection" at log_warnings=3, counters unmoved.

    def test_restart_resumes_without_loss_or_repeat(self):
        self.admin("CREATE TABLE resume (id INT PRIMARY KEY)")
        f = self.follower()
        self.admin(*[f"INSERT INTO resume VALUES ({i})" for i in range(1, 11)])
        f.wait_rows("resume", 10)
        self.assertEqual(f.stop(), 0)
        self.assertTrue(f.checkpoint.exists())
        checkpoint = json.loads(f.checkpoint.read_text())
        self.admin(*[f"INSERT INTO resume VALUES ({i})" for i in range(11, 21)])
        f2 = self.follower()
        rows = f2.wait_rows("resume", 20)
        time.sleep(0.5)
        rows = f2.rows_of("resume")
        ids = [r["after"]["id"] for r in rows]
        self.assertEqual(ids, list(range(1, 21)), f"checkpoint was {checkpoint}")
        self.assertEqual(len({key(r) for r in rows}), 20)

    def test_kill_9_loses_nothing(self):
        self.admin("CREATE TABLE crash (id INT PRIMARY KEY)")
        f = self.follower()
        self.admin(*[f"INSERT INTO crash VALUES ({i})" for i in range(1, 51)])
        f.wait_rows("crash", 50)
        time.sleep(1.5)  # a checkpoint interval
        os.kill(f.gracewire.pid, signal.SIGKILL)
        f.gracewire.proc.wait()
        self.admin(*[f"INSERT INTO crash VALUES ({i})" for i in range(51, 101)])
        f2 = self.follower()
        f2.wait_rows("crash", 100)
        rows = f2.rows_of("crash")
        by_key = {key(r): r["after"]["id"] for r in rows}
        self.assertEqual(sorted(by_key.values()), list(range(1, 101)),
                         "after deduplication by key, every insert exactly once")
        # The dump connection of the killed process dies at its next heartbeat write (or is
        # replaced by the new dump with the same server_id): the server logs that one.
        # So does its control connection, which had no chance to send COM_QUIT.
        self.expect_server_aborts("Aborted connection", Aborted_clients=2)

    def test_large_transaction_streams_in_bounded_memory(self):
        self.admin("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(100))")
        f = self.follower(extra_config="")
        start_rss = f.gracewire.rss_kib()
        with harness.RssSampler(f.gracewire) as rss:
            self.admin("INSERT INTO big SELECT seq, REPEAT('x', 100) FROM seq_1_to_200000")
            f.wait_rows("big", 200000, timeout=120 * harness.TIME_FACTOR)
        if not harness.SANITIZED:  # ASan keeps freed memory in quarantine
            self.assertLess(rss.peak_kib - start_rss, 200 * 1024,
                            "a 200k-row transaction must not be held whole")
        commits = [c for c in f.records("commit") if c["rows"] == 200000]
        self.assertEqual(len(commits), 1)
        rows = f.rows_of("big")
        self.assertEqual(len({r["after"]["id"] for r in rows}), 200000)
        self.assertIn("INSERT INTO big SELECT", rows[0]["statement"])
        self.assertNotIn("statement", rows[1], "the statement comes with the first row only")

    def test_the_dump_runs_over_tls_where_the_server_requires_it(self):
        """require_secure_transport=ON: upstream tls_mode = "required" takes the dump connection
        into TLS (the log names the version), rows become records, and SIGTERM still ends the
        dump cleanly: its KILL QUERY comes over a second TLS connection (a plaintext one would be
        refused), and the server logs and counts nothing (the module's checks)."""
        self.server.admin_query("SET GLOBAL require_secure_transport = ON")
        self.addCleanup(self.server.admin_query, "SET GLOBAL require_secure_transport = OFF")
        self.admin("CREATE TABLE over_tls (id INT PRIMARY KEY, v VARCHAR(10))")
        f = self.follower(extra_config='\n[upstream]\ntls_mode = "required"\n')
        following = [l for l in f.gracewire.log().splitlines() if "following the binlog" in l]
        self.assertRegex(following[-1], r"TLSv1\.[23]")
        self.admin("INSERT INTO over_tls VALUES (1, 'a'), (2, 'b')", "DELETE FROM over_tls")
        rows = f.wait_rows("over_tls", 4)
        self.assertEqual([r["op"] for r in rows], ["insert", "insert", "delete", "delete"])
        self.assertEqual(f.stop(), 0)
        wait_until(lambda: not dump_threads(self.server), "no dump thread left", 5)

    def test_a_follower_stopped_by_tls_verification_starts_again_after_a_reload(self):
        """upstream.tls_mode = "verify_ca" with the wrong CA stops the follower (a certificate
        that did not verify fails the same way next time: no retry loop). Once the CA is fixed,
        SIGHUP starts it again without a restart, and rows become records. The server sees the
        follower's and the control connection's TLS handshakes end half way, once each: all a
        failed verification can be (no credentials go to a server that did not verify)."""
        self.expect_server_aborts("Aborted connection", Aborted_connects=2,
                                  Aborted_connects_preauth=2)
        wrong = self.directory / "wrong-ca"
        wrong.mkdir()
        wrong_ca, _, _ = harness.make_ca_and_certificate(wrong)
        self.admin("CREATE TABLE after_reload (id INT PRIMARY KEY)")
        f = Follower(self.stack, self.directory,
                     extra_config=f'\n[upstream]\ntls_mode = "verify_ca"\ntls_ca = "{wrong_ca}"\n')
        self.addCleanup(self.stop_follower, f)
        f.gracewire.start()
        wait_until(lambda: "binlog follower stopped: TLS toward the server failed" in
                   f.gracewire.log(), "the follower to stop on the certificate")
        self.assertRegex(f.gracewire.log(), r"binlog follower stopped: TLS toward the server "
                                            r"failed: .*certificate verify failed")
        config = f.gracewire.extra_args[-1]
        Path(config).write_text(Path(config).read_text().replace(str(wrong_ca),
                                                                 self.server.env["SSL_CA"]))
        f.gracewire.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "following the binlog" in f.gracewire.log(), "the dump to start")
        self.assertIn("TLS settings reloaded: the binlog follower tries again", f.gracewire.log())
        self.admin("INSERT INTO after_reload VALUES (1)")
        self.assertEqual([r["after"] for r in f.wait_rows("after_reload", 1)], [{"id": 1}])

    def test_the_followers_metrics(self):
        """The admin endpoint's binlog numbers: rows decoded, records, the lag (0 once the
        server's last word is a heartbeat: 500 ms here) and the checkpoint's age."""
        self.admin("CREATE TABLE metered (id INT PRIMARY KEY)")
        f = self.follower()
        self.admin("INSERT INTO metered VALUES (1), (2), (3)")
        f.wait_rows("metered", 3)

        def scrape() -> dict[str, float]:
            status, page = harness.admin_http(f.gracewire.admin_port, "/metrics")
            self.assertEqual(status, 200, page)
            return harness.metric_samples(page)

        deadline = time.monotonic() + kWait
        # Caught up (a heartbeat came after the rows), and the rows' checkpoint handed over
        # (every checkpoint_interval, 1 s).
        while ((m := scrape()).get("gracewire_binlog_lag_seconds") != 0
               or "gracewire_binlog_checkpoint_age_seconds" not in m):
            self.assertLess(time.monotonic(), deadline, f"never caught up: {m}")
            time.sleep(0.1)
        self.assertEqual(m["gracewire_binlog_follower_streaming"], 1)
        self.assertGreaterEqual(m["gracewire_binlog_rows_total"], 3)
        self.assertGreaterEqual(m["gracewire_binlog_change_records_total"], 3)
        self.assertGreater(m["gracewire_binlog_events_total"], m["gracewire_binlog_rows_total"])
        self.assertLess(m["gracewire_binlog_checkpoint_age_seconds"], 60)

    def test_sigterm_in_the_middle_of_a_large_transaction(self):
        """The change log is a FIFO this test reads slowly, so the follower is held back by
        backpressure in the middle of a 200,000-row transaction when SIGTERM comes."""
        self.admin("CREATE TABLE midway (id INT PRIMARY KEY)")
        fifo = self.directory / "changes.fifo"
        os.mkfifo(fifo)
        reader = SlowReader(fifo)
        f = Follower(self.stack, self.directory, changes=fifo,
                     extra_config="")
        f.gracewire.start()
        wait_until(lambda: "following the binlog" in f.gracewire.log(), "the dump to start")
        self.admin("INSERT INTO midway SELECT seq FROM seq_1_to_200000")
        wait_until(lambda: reader.count('"table":"midway"') > 1000, "the first rows")
        f.gracewire.proc.send_signal(signal.SIGTERM)
        reader.hurry()  # from now on read as fast as the log writes
        self.assertEqual(f.gracewire.proc.wait(30 * harness.TIME_FACTOR), 0)
        reader.join()
        self.assertEqual(dump_threads(self.server), ())
        first = [json.loads(line) for line in reader.lines if '"table":"midway"' in line]
        self.assertLess(len(first), 200000, "the stop came in the middle of the transaction")
        checkpoint = json.loads(f.checkpoint.read_text())
        self.assertIn("open_gtid", checkpoint, "the checkpoint knows how far into it the stop came")
        f2 = self.follower()
        rows = f2.wait_rows("midway", 200000 - len(first), timeout=120 * harness.TIME_FACTOR)
        time.sleep(0.5)
        rows = first + f2.rows_of("midway")
        self.assertEqual(sorted(r["after"]["id"] for r in rows), list(range(1, 200001)),
                         "after a clean stop, every row exactly once")
        self.assertEqual(len({key(r) for r in rows}), 200000)

    def test_a_killed_dump_is_resumed_without_loss(self):
        self.admin("CREATE TABLE lost (id INT PRIMARY KEY)")
        f = self.follower()
        self.admin(*[f"INSERT INTO lost VALUES ({i})" for i in range(1, 21)])
        f.wait_rows("lost", 20)
        (dump_id, _, _), = dump_threads(self.server)
        self.admin(f"KILL CONNECTION {dump_id}")
        self.admin(*[f"INSERT INTO lost VALUES ({i})" for i in range(21, 41)])
        rows = f.wait_rows("lost", 40)
        wait_until(lambda: "binlog dump resumed" in f.gracewire.log(), "the resume")
        self.assertEqual(sorted(r["after"]["id"] for r in rows), list(range(1, 41)))
        self.assertEqual(len({key(r) for r in rows}), 40, "no row twice after a reconnect")
        # The server counts the connection it killed (research Q6: KILL CONNECTION of a dump).
        self.expect_server_aborts("Aborted connection", Aborted_clients=1)

    def test_two_gtid_domains_resume_each_where_it_was(self):
        self.admin("CREATE TABLE domains (id INT PRIMARY KEY, domain INT)")
        f = self.follower()
        self.admin("INSERT INTO domains VALUES (1, 0)",
                   "SET SESSION gtid_domain_id = 7", "INSERT INTO domains VALUES (2, 7)")
        f.wait_rows("domains", 2)
        self.assertEqual(f.stop(), 0)
        checkpoint = json.loads(f.checkpoint.read_text())
        domains = {g.split("-")[0] for g in checkpoint["gtid"].split(",")}
        self.assertTrue({"0", "7"} <= domains, checkpoint)
        self.admin("SET SESSION gtid_domain_id = 7", "INSERT INTO domains VALUES (3, 7)",
                   "SET SESSION gtid_domain_id = 0", "INSERT INTO domains VALUES (4, 0)")
        f2 = self.follower()
        rows = f2.wait_rows("domains", 4)
        time.sleep(0.5)
        rows = f2.rows_of("domains")
        self.assertEqual(sorted(r["after"]["id"] for r in rows), [1, 2, 3, 4])
        self.assertEqual({r["gtid"].split("-")[0] for r in rows}, {"0", "7"})

    def test_compressed_events_are_decoded(self):
        self.admin("CREATE TABLE squeezed (id INT PRIMARY KEY, body TEXT)")
        self.admin("SET GLOBAL log_bin_compress = ON")
        self.addCleanup(self.admin, "SET GLOBAL log_bin_compress = OFF")
        f = self.follower()
        self.admin("INSERT INTO squeezed VALUES (1, REPEAT('abc', 1000)), (2, 'short')",
                   "UPDATE squeezed SET body = REPEAT('xyz', 500) WHERE id = 2")
        rows = f.wait_rows("squeezed", 3)
        self.assertEqual(rows[0]["after"]["body"], "abc" * 1000)
        self.assertEqual(rows[2]["before"]["body"], "short")
        self.assertEqual(rows[2]["after"]["body"], "xyz" * 500)

    def test_a_purged_position_is_a_clear_error(self):
        self.admin("FLUSH BINARY LOGS")
        (newest,), = [row[:1] for row in self.server.admin_query("SHOW MASTER STATUS")]

        def purged():
            # The server keeps a file until its binlog checkpoint is written (asynchronously).
            self.admin(f"PURGE BINARY LOGS TO '{newest}'")
            return all(row[0] != "binlog.000001" for row in
                       self.server.admin_query("SHOW BINARY LOGS"))
        wait_until(purged, "binlog.000001 to be purged", 10)
        f = Follower(self.stack, self.directory, start="binlog.000001:4")
        f.gracewire.start()
        self.addCleanup(self.stop_follower, f)
        wait_until(lambda: "no longer on the server" in f.gracewire.log(), "the purge error")
        self.assertNotIn("following the binlog", f.gracewire.log())
        f2_dir = Path(tempfile.mkdtemp(prefix="gw-binlog-"))
        f2 = Follower(self.stack, f2_dir, start="0-1-1")
        f2.gracewire.start()
        self.addCleanup(self.stop_follower, f2)
        wait_until(lambda: "binlog follower stopped" in f2.gracewire.log(), "the GTID error")
        self.assertIn("no longer on the server", f2.gracewire.log())

    def test_preflight_names_the_setting_and_the_proxy_keeps_running(self):
        self.admin("SET GLOBAL binlog_row_metadata = 'MINIMAL'")
        self.addCleanup(self.admin, "SET GLOBAL binlog_row_metadata = 'FULL'")
        f = Follower(self.stack, self.directory)
        f.gracewire.start()
        self.addCleanup(self.stop_follower, f)
        wait_until(lambda: "binlog_row_metadata" in f.gracewire.log(), "the preflight error")
        self.assertIn("SET GLOBAL binlog_row_metadata = 'FULL'", f.gracewire.log())
        with contextlib.closing(self.through(f, "still-serving")) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchone(), (1,))


if __name__ == "__main__":
    unittest.main()
