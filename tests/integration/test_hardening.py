"""Hostile and unlucky clients (issue 8): what they can make gracewire hold, and how the server
sees their sessions end.

Against a real MariaDB (log_warnings=2) and a real gracewire with a control account:
* clients that each send 100+ MiB of a handshake response that never ends leave gracewire's RSS
  where it was (every held message is bounded by its kind, checked as its header arrives);
* half of a 100 KiB COM_QUERY, then FIN or RST: the command was held whole, so the server never
  saw a byte of it, the upstream ends with COM_QUIT, and its log and counters stay clean;
* half of a 20 MiB COM_QUERY (past one packet, so it streams), then FIN or RST: never completed or
  padded; KILL CONNECTION over the control connection ends it, which MariaDB does not log (its
  Aborted_clients still counts it: measured, the least bad ending the protocol leaves);
* a HandshakeResponse with a wrong sequence id never reaches the server (no "Got packets out of
  order", no aborted connect);
* a replica's binlog dump does not hold up shutdown: SIGTERM ends it with KILL QUERY at once, the
  replica gets the server's end-of-stream, and the server logs and counts nothing;
* a server that never greets, or greets with garbage, and a client that never answers the
  greeting: each gets a timeout or an ERR, never a hang or a bare close.
"""

import contextlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path

import closecells as cc
import harness
import rawclient

CONFIG_DIR: Path | None = None
kTable = "hardening_t"
kMiB = 1024 * 1024
# Timeouts written into this module's config: short, so that the tests wait little.
kGreetingTimeout = 1.0
kHandshakeTimeout = 1.0


def setUpModule():
    global CONFIG_DIR
    CONFIG_DIR = Path(tempfile.mkdtemp(prefix="gw-hardening-conf-"))
    config = cc.write_config(CONFIG_DIR / "gracewire.toml")
    with config.open("a") as f:
        f.write(f'\n[upstream]\ngreeting_timeout = "{int(kGreetingTimeout * 1000)}ms"\n'
                f'\n[listener]\nhandshake_timeout = "{int(kHandshakeTimeout * 1000)}ms"\n')
    stack = harness.start_stack("hardening", gracewire_args=("--config", str(config)),
                                control_account=harness.CONTROL_CREDENTIALS,
                                server_args=("--max-allowed-packet=64M",))
    stack.server.admin_query(f"CREATE TABLE test.{kTable} (id INT PRIMARY KEY, v LONGTEXT)")


def tearDownModule():
    try:
        harness.stop_stack()
    finally:
        shutil.rmtree(CONFIG_DIR, ignore_errors=True)


def login(endpoint: harness.Endpoint, server: harness.MariaDB) -> rawclient.RawClient:
    client = rawclient.RawClient(endpoint.host, endpoint.port)
    client.login(server.user, server.password, server.database)
    return client


def query_packets(sql: bytes) -> bytes:
    """COM_QUERY as the wire carries it, split into 16 MiB packets when it is longer."""
    payload = b"\x03" + sql
    out, seq, pos = bytearray(), 0, 0
    while True:
        chunk = payload[pos:pos + 0xFFFFFF]
        out += len(chunk).to_bytes(3, "little") + bytes([seq]) + chunk
        pos += len(chunk)
        seq = (seq + 1) & 0xFF
        if len(chunk) < 0xFFFFFF:
            return bytes(out)


class HardeningTest(harness.IntegrationTestCase):

    def rows(self) -> int:
        return self.server.admin_query(f"SELECT COUNT(*) FROM test.{kTable}")[0][0]

    # --- memory held before authentication ---------------------------------------------------

    def test_unfinished_huge_handshakes_hold_no_memory(self):
        gw = self.require_gracewire()
        before = gw.rss_kib()
        errors: list[int] = []
        sent: list[int] = []

        def flood() -> None:
            client = rawclient.RawClient(self.stack.proxied.host, self.stack.proxied.port, timeout=10)
            client.read_greeting()
            total = 0
            chunk = b"\x00" * kMiB
            try:
                client.send(b"\xff\xff\xff\x01")  # a 16 MiB packet, the first of many
                while total < 128 * kMiB:
                    client.send(chunk)
                    total += len(chunk)
            except OSError:
                pass  # gracewire refused and closed: the point
            sent.append(total)
            with contextlib.suppress(OSError, rawclient.Closed):
                payload = client.read_packet()
                if payload[:1] == b"\xff":
                    errors.append(rawclient.parse_err(payload).code)
            client.close()

        with harness.RssSampler(gw) as rss:
            threads = [threading.Thread(target=flood) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        growth_kib = rss.peak_kib - before
        self.assertLess(growth_kib, 4 * 1024,
                        f"RSS grew by {growth_kib} KiB while 4 clients sent {sent} bytes of handshake")
        self.assertTrue(all(code == 1153 for code in errors), errors)
        self.assertTrue(gw.alive())

    def test_oversized_handshake_response_gets_packet_too_large(self):
        client = rawclient.RawClient(self.stack.proxied.host, self.stack.proxied.port)
        client.read_greeting()
        client.send((70 * 1024).to_bytes(3, "little") + b"\x01" + b"\x00" * 1000)
        with self.assertRaises(rawclient.ServerError) as caught:
            payload = client.read_packet()
            raise rawclient.parse_err(payload)
        self.assertEqual(caught.exception.code, 1153)
        client.close()

    # --- a client that dies half way through a command ---------------------------------------

    def half_sent_query(self, size: int, ending: str) -> None:
        client = login(self.stack.proxied, self.server)
        row_id = size + (1 if ending == "rst" else 0)
        wire = query_packets(f"INSERT INTO test.{kTable} VALUES ({row_id}, '".encode()
                             + b"x" * size + b"')")
        client.send(wire[:len(wire) // 2])
        time.sleep(0.3)  # let gracewire forward (or hold) what it has
        client.close_rst() if ending == "rst" else client.close_fin()
        time.sleep(1.0)
        self.assertEqual(self.rows(), 0, "a half-sent INSERT was executed")

    def test_half_sent_100kib_query_then_fin(self):
        self.half_sent_query(100 * 1024, "fin")

    def test_half_sent_100kib_query_then_rst(self):
        self.half_sent_query(100 * 1024, "rst")

    def killed_connection_expected(self) -> None:
        # KILL CONNECTION: nothing in the log at log_warnings=2, Aborted_clients +1 (measured).
        self.expect_server_aborts("(KILLED)", Aborted_clients=1)

    def test_half_sent_20mib_query_then_fin(self):
        self.killed_connection_expected()
        self.half_sent_query(20 * kMiB, "fin")
        self.assertIn("KILL CONNECTION", self.stack.gracewire.log() if self.stack.gracewire else "")

    def test_half_sent_20mib_query_then_rst(self):
        self.killed_connection_expected()
        self.half_sent_query(20 * kMiB, "rst")

    def test_whole_20mib_query_still_runs(self):
        client = login(self.stack.proxied, self.server)
        client.send(query_packets(f"INSERT INTO test.{kTable} VALUES (7, '".encode()
                                  + b"y" * (20 * kMiB) + b"')"))
        payload = client.read_packet()
        self.assertEqual(payload[:1], b"\x00", payload[:80])
        client.send_quit()
        client.read_until_eof(5)
        self.server.admin_query(f"DELETE FROM test.{kTable}")

    # --- sequence ids ------------------------------------------------------------------------

    def test_handshake_response_out_of_sequence_never_reaches_the_server(self):
        client = rawclient.RawClient(self.stack.proxied.host, self.stack.proxied.port)
        client.read_greeting()
        packet = bytearray(client.handshake_response(self.server.user, self.server.password,
                                                     self.server.database))
        packet[3] = 3  # sequence id 3 where 1 belongs
        client.send(bytes(packet))
        payload = client.read_packet()
        self.assertEqual(payload[:1], b"\xff")
        self.assertEqual(rawclient.parse_err(payload).code, 1156)
        self.assertEqual(client.seq, 3, "the ERR should carry sequence id 2")
        client.close()

    # --- the login steps have timeouts --------------------------------------------------------

    def test_client_that_never_answers_the_greeting_is_timed_out(self):
        client = rawclient.RawClient(self.stack.proxied.host, self.stack.proxied.port)
        client.read_greeting()
        started = time.monotonic()
        tokens = client.read_outcome(kHandshakeTimeout + 5)
        self.assertEqual(tokens[0], "err:1429", tokens)
        self.assertEqual(tokens[-1], "closed:EOF", tokens)
        self.assertLess(time.monotonic() - started, kHandshakeTimeout + 2)
        client.close()


class FakeUpstream:
    """A TCP server that accepts and then either says nothing or sends `greeting` bytes."""

    def __init__(self, greeting: bytes | None):
        self.greeting = greeting
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)
            if self.greeting is not None:
                conn.sendall(self.greeting)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


class BrokenUpstreamTest(harness.IntegrationTestCase):
    """gracewire in front of a fake server: one that never greets, one that greets with garbage."""

    def gracewire_in_front_of(self, fake: FakeUpstream, name: str) -> harness.Gracewire:
        config = self.stack.tmp / f"{name}.toml"
        config.write_text(f'[upstream]\ngreeting_timeout = "{int(kGreetingTimeout * 1000)}ms"\n')
        log = self.stack.artifacts / f"gracewire-{name}.log"
        gw = harness.Gracewire(f"127.0.0.1:{fake.port}", log, ("--config", str(config)))
        gw.start()
        self.addCleanup(gw.stop)
        return gw

    def first_outcome(self, gw: harness.Gracewire, within: float) -> list[str]:
        client = rawclient.RawClient(gw.endpoint.host, gw.endpoint.port)
        try:
            return client.read_outcome(within)
        finally:
            client.close()

    def test_server_that_never_greets_is_timed_out(self):
        fake = FakeUpstream(greeting=None)
        self.addCleanup(fake.close)
        gw = self.gracewire_in_front_of(fake, "silent")
        started = time.monotonic()
        tokens = self.first_outcome(gw, kGreetingTimeout + 5)
        self.assertEqual(tokens, ["err:1429", "closed:EOF"])
        self.assertLess(time.monotonic() - started, kGreetingTimeout + 2)
        self.assertIn("did not greet", gw.log())

    def test_garbage_greeting_gets_an_err(self):
        fake = FakeUpstream(greeting=b"\x05\x00\x00\x00\x0agarb")
        self.addCleanup(fake.close)
        gw = self.gracewire_in_front_of(fake, "garbage")
        self.assertEqual(self.first_outcome(gw, 5), ["err:1429", "closed:EOF"])


class BinlogDumpShutdownTest(harness.IntegrationTestCase):
    """SIGTERM with a replica connected ends within the close bounds, not drain_timeout."""

    kDrainTimeout = 30.0

    def start_dump(self, endpoint: harness.Endpoint) -> rawclient.RawClient:
        client = login(endpoint, self.server)
        for sql in ("SET @master_binlog_checksum='CRC32'", "SET @mariadb_slave_capability=4"):
            client.query(sql)
        binlog = self.server.admin_query("SHOW BINARY LOGS")[0][0]
        body = struct.pack("<IHI", 4, 0, 4242) + binlog.encode()
        client.send_command(0x12, body)  # COM_BINLOG_DUMP from position 4, blocking
        first = client.read_packet()
        self.assertEqual(first[:1], b"\x00", f"no first event: {first[:40]!r}")
        return client

    def test_sigterm_ends_a_binlog_dump_at_once_and_cleanly(self):
        self.server.admin_query(f"GRANT REPLICATION SLAVE ON *.* TO {self.server.user}@'%'")
        config = cc.write_config(self.stack.tmp / "dump.toml", drain_timeout=self.kDrainTimeout)
        log = self.stack.artifacts / "gracewire-dump.log"
        gw = harness.Gracewire(f"{self.server.host}:{self.server.port}", log, ("--config", str(config)))
        gw.start()
        replica = self.start_dump(gw.endpoint)
        time.sleep(0.3)
        started = time.monotonic()
        gw.proc.send_signal(signal.SIGTERM)
        tokens = replica.read_outcome(10)
        code = gw.proc.wait(15)
        took = time.monotonic() - started
        self.assertEqual(code, 0, gw.log())
        self.assertLess(took, cc.kCloseTimeout * 3 + 1, f"shutdown took {took:.1f} s:\n{gw.log()}")
        self.assertIn("eof", tokens, f"the replica did not get the end of the stream: {tokens}")
        self.assertTrue(tokens[-1].startswith("closed"), tokens)
        replica.close()


class StalledEventLogTest(harness.IntegrationTestCase):
    """[event_log] path = "-" into a pipe nobody reads, loss = "block": the session whose records no
    longer fit stops being read, every other part of gracewire goes on (new clients are greeted,
    SIGTERM is handled), and once the reader comes back nothing is lost."""

    def start_gracewire(self, name: str) -> tuple[subprocess.Popen, Path]:
        config = cc.write_config(self.stack.tmp / f"{name}.toml")  # with the control account
        with config.open("a") as f:
            f.write('\n[event_log]\npath = "-"\nloss = "block"\nqueue_records = 16\n'
                    'flush_interval = "10ms"\n')
        port = harness.free_port()
        log = self.stack.artifacts / f"gracewire-{name}.log"
        log_file = log.open("wb")
        self.addCleanup(log_file.close)
        proc = subprocess.Popen(
            [os.environ.get("GRACEWIRE_BIN", str(harness.REPO / "build" / "gracewire")), "--listen", f"127.0.0.1:{port}", "--upstream",
             f"{self.server.host}:{self.server.port}", "--config", str(config)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_file, start_new_session=True)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        deadline = time.monotonic() + 15
        while "listening on" not in log.read_text(errors="replace"):
            self.assertIsNone(proc.poll(), log.read_text(errors="replace"))
            self.assertLess(time.monotonic(), deadline, "gracewire did not start")
            time.sleep(0.05)
        self.port = port
        return proc, log

    def query_until_paused(self, client: rawclient.RawClient, limit: int = 5000) -> int:
        """Sends SELECT 1 until one gets no answer within a second; returns how many were sent."""
        for sent in range(1, limit + 1):
            client.send_query("SELECT 1")
            client.sock.settimeout(1.0)
            try:
                client.read_result_head()
                while client.read_row() is not None:
                    pass
            except (socket.timeout, TimeoutError):
                return sent
            finally:
                client.sock.settimeout(20)
        self.fail(f"{limit} queries were answered although nobody reads the event log")

    def test_stalled_sink_pauses_only_the_session_that_filled_it(self):
        proc, log = self.start_gracewire("stalled")
        busy = login(harness.Endpoint("gw", "127.0.0.1", self.port), self.server)
        sent = self.query_until_paused(busy)
        # The loop still runs: a new client is greeted at once.
        newcomer = rawclient.RawClient("127.0.0.1", self.port, timeout=3)
        self.assertTrue(newcomer.read_greeting().server_version)
        newcomer.close_fin()
        # The reader comes back: the paused query gets its answer, and no record was lost.
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
        reader.start()
        busy.sock.settimeout(10)
        busy.read_result_head()
        while busy.read_row() is not None:
            pass
        busy.send_quit()
        busy.read_until_eof(5)
        busy.close()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(15), 0, log.read_text(errors="replace"))
        reader.join(10)
        commands = [l for l in lines if b'"type":"command"' in l and b"SELECT 1" in l]
        self.assertEqual(len(commands), sent, f"{sent} queries, {len(commands)} command records")
        self.assertNotIn(b'"type":"dropped"', b"".join(lines))

    def test_sigterm_ends_gracewire_while_the_sink_is_stalled(self):
        proc, log = self.start_gracewire("stalled-stop")
        busy = login(harness.Endpoint("gw", "127.0.0.1", self.port), self.server)
        self.query_until_paused(busy)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
        took = time.monotonic() - started
        text = log.read_text(errors="replace")
        self.assertEqual(code, 0, text)
        self.assertLess(took, 15, text)
        self.assertIn("could not be written", text, "the records left behind must be reported")
        busy.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
