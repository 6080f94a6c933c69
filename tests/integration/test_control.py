"""The control connection when things go wrong (issue 8, items 3, 10 and 11).

Each test starts its own gracewire with its own [control] account and upstream, in front of the
module's MariaDB, of a port where nothing listens, of a server that accepts and never greets, or
of a relay (below) that the test takes down or freezes while gracewire runs:

  - shutdown is bounded whatever the control connection's state: a refused login (wrong password,
    no such account), an upstream down at SIGTERM, a server that stops answering, a login that
    never finishes; the self-audit is then skipped with a warning that says why, and exit is 0;
  - a second SIGTERM while a stopping step waits ends the process at once;
  - an account without CONNECTION ADMIN is named at start-up with the GRANT that fixes it, and a
    client that leaves mid-statement gets "finish": the statement runs to its end, the session
    quits, the server counts nothing, and no refused KILL is repeated;
  - a KILL QUERY refused although SHOW GRANTS looked sufficient (MariaDB 11's SUPER, for one; a
    scripted server here, since 10.11 always agrees with its SHOW GRANTS) is logged once, never
    repeated, and the statement is let finish;
  - an upstream given by name ("localhost:PORT") serves the control connection too: cancel,
    self-audit and the clean end of an abandoned handshake work.
"""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import struct
import subprocess
import threading
import time
import unittest
from pathlib import Path

import harness
import rawclient

# Any stopping step is bounded by close_timeout (2 s here) or twice it; this is far above that and
# far below "for ever".
kExitWithin = 10.0
# "At once": the time for a process to handle a signal and close two sockets, on a loaded machine.
kAtOnce = 2.0
kCloseTimeout = 2.0
NO_PRIVILEGE = harness.Credentials("gw_noprivs", "gw-noprivs-pw", "")


def setUpModule():
    stack = harness.start_stack("control", control_account=harness.CONTROL_CREDENTIALS)
    stack.server.admin_query("CREATE USER %s@'%%' IDENTIFIED BY %s",
                             (NO_PRIVILEGE.user, NO_PRIVILEGE.password))


def tearDownModule():
    harness.stop_stack()


class Relay:
    """A TCP relay in front of the server, one thread per direction. `down()` closes everything and
    stops listening (the server is gone); `freeze()` keeps every socket open and passes nothing on
    (the server hangs)."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.frozen = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                break
            if not data:
                break
            if self.frozen.is_set():
                continue
            try:
                dst.sendall(data)
            except OSError:
                break
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def freeze(self) -> None:
        self.frozen.set()

    def down(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


class ScriptedServer:
    """Just enough of a MySQL server for a control connection and clients: any login succeeds;
    SHOW GRANTS says SUPER; SHOW GLOBAL STATUS gives zero counters; every KILL QUERY is refused
    with ERR 1095 (as MariaDB 11 refuses SUPER); SELECT SLEEP(n) answers OK after n seconds. It
    records what each connection sent and how it ended."""

    kScramble = b"abcdefghijklmnopqrst"

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.kills: list[str] = []
        self.ends: dict[int, tuple[str, float]] = {}  # connection id -> ("quit" | "eof", when)
        self.next_id = 100
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.next_id += 1
                conn_id = self.next_id
            threading.Thread(target=self._serve, args=(conn, conn_id), daemon=True).start()

    @staticmethod
    def _packet(seq: int, payload: bytes) -> bytes:
        return len(payload).to_bytes(3, "little") + bytes([seq & 0xFF]) + payload

    @staticmethod
    def _read(conn: socket.socket) -> bytes | None:
        head = b""
        while len(head) < 4:
            chunk = conn.recv(4 - len(head))
            if not chunk:
                return None
            head += chunk
        length, body = int.from_bytes(head[:3], "little"), b""
        while len(body) < length:
            chunk = conn.recv(length - len(body))
            if not chunk:
                return None
            body += chunk
        return body

    def _greeting(self, conn_id: int) -> bytes:
        caps = rawclient.kWanted
        return (bytes([10]) + b"5.5.5-10.11.0-scripted\0" + struct.pack("<I", conn_id)
                + self.kScramble[:8] + b"\0" + struct.pack("<HBHH", caps & 0xFFFF, 45, 2, caps >> 16)
                + bytes([21]) + bytes(10) + self.kScramble[8:] + b"\0" + b"mysql_native_password\0")

    def _result(self, names: list[str], rows: list[list[str]]) -> list[bytes]:
        def lenenc(text: str) -> bytes:
            data = text.encode()
            return bytes([len(data)]) + data
        eof = b"\xfe\x00\x00\x02\x00"
        out = [bytes([len(names)])]
        for name in names:
            out.append(lenenc("def") + lenenc("") * 3 + lenenc(name) + lenenc(name)
                       + b"\x0c" + struct.pack("<HIBHB", 45, 1024, 0xFD, 0, 0) + b"\0\0")
        out.append(eof)
        out += [b"".join(lenenc(v) for v in row) for row in rows]
        out.append(eof)
        return out

    def _answer(self, sql: str) -> list[bytes]:
        ok = b"\x00\x00\x00\x02\x00\x00\x00"
        if sql == "SHOW GRANTS":
            return self._result(["Grants"], [["GRANT SUPER ON *.* TO `gw_scripted`@`%`"]])
        if sql.startswith("SHOW GLOBAL STATUS"):
            return self._result(["Variable_name", "Value"],
                                [["Aborted_clients", "0"], ["Aborted_connects", "0"]])
        if sql.startswith("KILL QUERY"):
            with self.lock:
                self.kills.append(sql)
            thread = sql.split()[-1]
            return [b"\xff" + struct.pack("<H", 1095) + b"#HY000"
                    + f"You are not owner of thread {thread}".encode()]
        if (m := re.fullmatch(r"SELECT SLEEP\((\d+)\)", sql)):
            time.sleep(int(m.group(1)))
        return [ok]

    def _serve(self, conn: socket.socket, conn_id: int) -> None:
        end = "eof"
        with conn:
            try:
                conn.sendall(self._packet(0, self._greeting(conn_id)))
                if self._read(conn) is None:
                    return
                conn.sendall(self._packet(2, b"\x00\x00\x00\x02\x00\x00\x00"))
                while (payload := self._read(conn)) is not None:
                    if payload[:1] == b"\x01":
                        end = "quit"
                        break
                    answers = self._answer(payload[1:].decode()) if payload[:1] == b"\x03" else \
                        [b"\x00\x00\x00\x02\x00\x00\x00"]
                    conn.sendall(b"".join(self._packet(seq, a) for seq, a in enumerate(answers, 1)))
            except OSError:
                pass
            finally:
                with self.lock:
                    self.ends[conn_id] = (end, time.monotonic())


class ControlCase(harness.IntegrationTestCase):

    @property
    def upstream(self) -> str:
        return f"{self.server.host}:{self.server.port}"

    def start_gw(self, name: str, upstream: str, account: harness.Credentials, *,
                 close_timeout: float = kCloseTimeout, connect_timeout: float = 5.0,
                 in_flight: str = "cancel") -> harness.Gracewire:
        config = self.stack.tmp / f"{name}.toml"
        config.write_text("\n".join([
            "[upstream]", f'connect_timeout = "{int(connect_timeout * 1000)}ms"', "",
            "[close]", f'close_timeout = "{int(close_timeout * 1000)}ms"', 'drain_timeout = "2s"',
            f'in_flight = "{in_flight}"', "",
            "[control]", f'user = "{account.user}"', f'password = "{account.password}"', ""]))
        log = self.stack.artifacts / f"gracewire-{name}.log"
        log.unlink(missing_ok=True)
        gw = harness.Gracewire(upstream, log, ("--config", str(config)))
        gw.start()
        self.addCleanup(self.kill_if_alive, gw)
        return gw

    @staticmethod
    def kill_if_alive(gw: harness.Gracewire) -> None:
        if gw.alive():
            gw.proc.kill()
            gw.proc.wait()

    def wait_for_log(self, gw: harness.Gracewire, text: str, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while text not in gw.log():
            if time.monotonic() > deadline:
                self.fail(f"gracewire did not log {text!r} within {within:g} s:\n{gw.log()}")
            time.sleep(0.05)

    def wait_handles_sigterm(self, gw: harness.Gracewire, within: float = 5.0) -> None:
        """gracewire logs "listening on" a moment before it installs its signal handlers; a SIGTERM
        in between would kill it by default. Its caught-signal mask tells when it is ready."""
        deadline = time.monotonic() + within
        while True:
            with open(f"/proc/{gw.pid}/status") as status:
                caught = next(int(l.split()[1], 16) for l in status if l.startswith("SigCgt:"))
            if caught & (1 << (signal.SIGTERM - 1)):
                return
            self.assertLess(time.monotonic(), deadline, "gracewire never caught SIGTERM")
            time.sleep(0.02)

    def sigterm(self, gw: harness.Gracewire, within: float = kExitWithin) -> tuple[int | None, float]:
        """SIGTERM; (exit code or None if still running after `within`, seconds it took)."""
        self.wait_handles_sigterm(gw)
        started = time.monotonic()
        gw.proc.send_signal(signal.SIGTERM)
        return self.wait_exit(gw, started, within)

    def wait_exit(self, gw: harness.Gracewire, started: float,
                  within: float) -> tuple[int | None, float]:
        try:
            code = gw.proc.wait(max(0.1, within - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            code = None
            self.kill_if_alive(gw)
        return code, time.monotonic() - started

    def assert_exited_cleanly(self, gw: harness.Gracewire, code: int | None, took: float,
                              within: float = kExitWithin) -> None:
        self.assertIsNotNone(code, f"gracewire had not exited {within:g} s after SIGTERM (killed "
                                   f"by the test):\n{gw.log()}")
        self.assertEqual(code, 0, gw.log())
        self.assertLess(took, within)

    def expect_refused_logins(self, user: str, exactly: int | None = None) -> None:
        """Each refused control login is an "Access denied" line and one Aborted_connects; how
        many depends on the retry backoff, so they are counted from the server's log."""
        time.sleep(self.settle_seconds)
        lines = [l for l in self.server.log_since(self._mark.log_offset)
                 if "Access denied" in l and f"'{user}'" in l]
        self.assertGreater(len(lines), 0, "the server saw no refused login")
        if exactly is not None:
            self.assertEqual(len(lines), exactly, lines)
        self.expect_server_aborts("Access denied", Aborted_connects=len(lines))


class ShutdownIsBounded(ControlCase):
    """Item 3: no state of the control connection holds up the end of the process."""

    def check_refused_login(self, name: str, account: harness.Credentials) -> None:
        gw = self.start_gw(name, self.upstream, account)
        self.wait_for_log(gw, "control connection unavailable")
        # A refused login is not retried soon: each try costs the server an "Access denied" line
        # and an aborted connect (a lost connection is retried after 250 ms, 500 ms, 1 s, ...).
        time.sleep(2.0)
        code, took = self.sigterm(gw)
        self.assert_exited_cleanly(gw, code, took)
        self.assertRegex(gw.log(), r"self-audit skipped: control connection not ready: control "
                                   r"login refused: ERR 1045")
        self.assertNotIn(account.password, gw.log())
        self.expect_refused_logins(account.user, exactly=1)

    def test_wrong_password(self):
        self.check_refused_login("wrong-password", harness.Credentials(
            harness.CONTROL_CREDENTIALS.user, "not-the-password", ""))

    def test_missing_account(self):
        self.check_refused_login("missing-account", harness.Credentials("gw_nobody", "pw-of-no-account-7731", ""))

    def test_upstream_refuses_connections(self):
        port = harness.free_port()  # nothing listens there
        gw = self.start_gw("upstream-refuses", f"127.0.0.1:{port}", harness.CONTROL_CREDENTIALS)
        self.wait_for_log(gw, "control connection unavailable")
        code, took = self.sigterm(gw)
        self.assert_exited_cleanly(gw, code, took)
        self.assertIn("self-audit skipped: control connection not ready: cannot connect to "
                      f"127.0.0.1:{port}", gw.log())

    def test_upstream_goes_down_before_sigterm(self):
        relay = Relay((self.server.host, self.server.port))
        self.addCleanup(relay.down)
        gw = self.start_gw("upstream-down", f"127.0.0.1:{relay.port}", harness.CONTROL_CREDENTIALS)
        self.wait_for_log(gw, "self-audit baseline")
        relay.down()
        self.wait_for_log(gw, "control connection unavailable")
        code, took = self.sigterm(gw)
        self.assert_exited_cleanly(gw, code, took)
        self.assertIn("self-audit skipped: control connection not ready: ", gw.log())
        # The relay, not gracewire, dropped the control session without COM_QUIT.
        self.expect_server_aborts("Aborted connection", Aborted_clients=1)

    def test_server_stops_answering(self):
        relay = Relay((self.server.host, self.server.port))
        self.addCleanup(relay.down)
        gw = self.start_gw("upstream-hangs", f"127.0.0.1:{relay.port}", harness.CONTROL_CREDENTIALS)
        self.wait_for_log(gw, "self-audit baseline")
        relay.freeze()
        code, took = self.sigterm(gw)
        self.assert_exited_cleanly(gw, code, took)
        # Two close_timeouts for the audit, one for the COM_QUIT that never gets its EOF.
        self.assertGreater(took, 2 * kCloseTimeout - 0.5)
        self.assertIn(f"self-audit skipped: the server did not answer within "
                      f"{int(2 * kCloseTimeout * 1000)} ms", gw.log())
        relay.down()
        # The frozen relay swallowed gracewire's COM_QUIT; its close reaches the server as a FIN.
        self.expect_server_aborts("Aborted connection", Aborted_clients=1)

    def test_second_signal_ends_a_stuck_stopping_step(self):
        """A server that accepts and never greets; connect_timeout 60 s and close_timeout 10 s, so
        the control connection is still logging in at SIGTERM and the audit may wait 20 s."""
        silent = socket.create_server(("127.0.0.1", 0))  # the backlog accepts; nobody greets
        self.addCleanup(silent.close)
        port = silent.getsockname()[1]
        gw = self.start_gw("stuck-stop", f"127.0.0.1:{port}", harness.CONTROL_CREDENTIALS,
                           close_timeout=10.0, connect_timeout=60.0)
        self.wait_handles_sigterm(gw)
        started = time.monotonic()
        gw.proc.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        self.assertTrue(gw.alive(), "gracewire exited before the second signal: no stuck step "
                                    "to end\n" + gw.log())
        self.assertNotIn("self-audit skipped", gw.log())
        second = time.monotonic()
        gw.proc.send_signal(signal.SIGTERM)
        code, _ = self.wait_exit(gw, started, within=1.0 + kAtOnce + 5.0)
        took = time.monotonic() - second
        self.assertIsNotNone(code, "gracewire ignored the second signal:\n" + gw.log())
        self.assertEqual(code, 0, gw.log())
        self.assertLess(took, kAtOnce, gw.log())
        self.assertIn("another signal: closing the control connection at once", gw.log())


    def test_third_signal_ends_a_cancel_that_cannot_end(self):
        """A statement that cannot be cancelled (the account may not KILL it) holds the cancelling
        step for 3 x close_timeout + 1 s; the signal after the second one closes it at once."""
        gw = self.start_gw("third-signal", self.upstream, NO_PRIVILEGE)
        self.wait_for_log(gw, "self-audit baseline")
        client = rawclient.RawClient(gw.endpoint.host, gw.endpoint.port)
        self.addCleanup(client.close)
        client.login(self.server.user, self.server.password, self.server.database)
        client.send_query("SELECT SLEEP(6)")
        deadline = time.monotonic() + 5
        while not [s for s in self.server.sessions_of(self.server.user) if s[3] == "SELECT SLEEP(6)"]:
            self.assertLess(time.monotonic(), deadline, "the statement never ran")
            time.sleep(0.05)
        self.wait_handles_sigterm(gw)
        started = time.monotonic()
        gw.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        gw.proc.send_signal(signal.SIGTERM)  # the drain ends; the cancel cannot
        time.sleep(1.0)
        self.assertTrue(gw.alive(), "gracewire exited before the third signal\n" + gw.log())
        third = time.monotonic()
        gw.proc.send_signal(signal.SIGTERM)
        code, _ = self.wait_exit(gw, started, within=1.5 + kAtOnce + 10.0)
        took = time.monotonic() - third
        self.assertEqual(code, 0, gw.log())
        self.assertLess(took, kAtOnce, gw.log())
        self.assertIn("another signal: closing 1 remaining connections at once", gw.log())
        self.assertIn("self-audit skipped: stopping at once on a repeated signal", gw.log())
        # Cut mid-statement on the operator's third signal: the server counts it when the
        # statement ends.
        while self.server.sessions_of(self.server.user):
            self.assertLess(time.monotonic() - started, 10, "the server session never ended")
            time.sleep(0.1)
        self.expect_server_aborts("Aborted connection", Aborted_clients=1)


class PrivilegeIsChecked(ControlCase):
    """Item 10: an account that may not KILL QUERY is named at start-up; cancels become finish."""

    def test_account_without_connection_admin(self):
        gw = self.start_gw("no-privilege", self.upstream, NO_PRIVILEGE)
        self.wait_for_log(gw, "control connection ready")
        self.wait_for_log(gw, "lacks CONNECTION ADMIN")
        self.assertIn(f"fix: GRANT CONNECTION ADMIN ON *.* TO '{NO_PRIVILEGE.user}'@'%'", gw.log())
        clients = []
        for _ in range(2):
            client = rawclient.RawClient(gw.endpoint.host, gw.endpoint.port)
            self.addCleanup(client.close)
            client.login(self.server.user, self.server.password, self.server.database)
            client.send_query("SELECT SLEEP(3)")
            clients.append(client)
        deadline = time.monotonic() + 5
        while len([s for s in self.server.sessions_of(self.server.user)
                   if s[3] == "SELECT SLEEP(3)"]) < 2:
            self.assertLess(time.monotonic(), deadline, "the statements never ran")
            time.sleep(0.05)
        left = time.monotonic()
        for client in clients:
            client.close_rst()
        # Finished, not cancelled: the sessions end when the statements do, then quit.
        deadline = left + 3 + kCloseTimeout + 3
        while self.server.sessions_of(self.server.user):
            self.assertLess(time.monotonic(), deadline, "the sessions did not end")
            time.sleep(0.05)
        self.assertGreater(time.monotonic() - left, 2.0, "the statements did not run to the end")
        log = gw.log()
        self.assertNotRegex(log, r"KILL QUERY \d+ failed")
        self.assertLessEqual(len(re.findall(r"KILL QUERY \d+ refused", log)), 1, log)
        self.assertLessEqual(log.count("lacks CONNECTION ADMIN"), 1, log)
        code, took = self.sigterm(gw)
        self.assert_exited_cleanly(gw, code, took)
        # Reading the counters needs no privilege: the audit still runs.
        self.assertIn("self-audit: Aborted_clients +0, Aborted_connects +0", gw.log())

    def test_account_with_connection_admin_is_not_warned(self):
        gw = self.start_gw("privileged", self.upstream, harness.CONTROL_CREDENTIALS)
        self.wait_for_log(gw, "self-audit baseline")
        code, took = self.sigterm(gw)
        self.assert_exited_cleanly(gw, code, took)
        self.assertNotIn("lacks CONNECTION ADMIN", gw.log())


class RefusedCancel(ControlCase):
    """Item 10: when the server refuses a KILL QUERY, one line, no repetition, finish instead."""

    def test_refused_kill_is_logged_once_and_not_repeated(self):
        server = ScriptedServer()
        self.addCleanup(server.close)
        gw = self.start_gw("refused-kill", f"127.0.0.1:{server.port}",
                           harness.Credentials("gw_scripted", "pw", ""))
        self.wait_for_log(gw, "self-audit baseline")
        self.assertNotIn("lacks CONNECTION ADMIN", gw.log())  # SHOW GRANTS said SUPER
        clients, ids = [], []
        for _ in range(2):
            client = rawclient.RawClient(gw.endpoint.host, gw.endpoint.port)
            self.addCleanup(client.close)
            client.login("app", "app-pw")
            ids.append(client.greeting.connection_id)
            client.send_query("SELECT SLEEP(3)")
            clients.append(client)
        time.sleep(0.3)  # both statements are at the server
        left = time.monotonic()
        for client in clients:
            client.close_rst()
        deadline = left + 3 + kCloseTimeout + 3
        while not all(i in server.ends for i in ids):
            self.assertLess(time.monotonic(), deadline, "the sessions did not end:\n" + gw.log())
            time.sleep(0.05)
        for i in ids:
            end, when = server.ends[i]
            self.assertEqual(end, "quit", "the session should end with COM_QUIT")
            self.assertGreater(when - left, 2.0, "the statement should have been let finish")
        log = gw.log()
        # At most one KILL per session, never repeated (it was every 500 ms: 5 or more each). The
        # second session sends none when the first one's refusal was already in: both left at once.
        self.assertIn(len(server.kills), (1, 2), server.kills)
        self.assertEqual(len(re.findall(r"KILL QUERY \d+ refused: ERR 1095", log)), 1, log)
        self.assertNotRegex(log, r"KILL QUERY \d+ failed")
        self.assertIn("fix: GRANT CONNECTION ADMIN ON *.* TO 'gw_scripted'@'%'", log)
        code, took = self.sigterm(gw)
        self.assert_exited_cleanly(gw, code, took)


class UpstreamByName(ControlCase):
    """Item 11: the control connection resolves a host name the way client sessions do."""

    def test_localhost_cancel_audit_and_abandoned_handshake(self):
        gw = self.start_gw("by-name", f"localhost:{self.server.port}", harness.CONTROL_CREDENTIALS)
        self.wait_for_log(gw, "control connection ready")
        self.wait_for_log(gw, "self-audit baseline")
        # Cancel: a client leaves in the middle of a long statement.
        client = rawclient.RawClient(gw.endpoint.host, gw.endpoint.port)
        self.addCleanup(client.close)
        client.login(self.server.user, self.server.password, self.server.database)
        client.send_query("SELECT SLEEP(20)")
        deadline = time.monotonic() + 5
        while not [s for s in self.server.sessions_of(self.server.user) if s[3] == "SELECT SLEEP(20)"]:
            self.assertLess(time.monotonic(), deadline, "the statement never ran")
            time.sleep(0.05)
        left = time.monotonic()
        client.close_rst()
        while self.server.sessions_of(self.server.user):
            # KILL QUERY latency of MariaDB itself (closecells.kServerKillLatency), then a quit.
            self.assertLess(time.monotonic() - left, 2.5 + kCloseTimeout + 1.0,
                            "the statement was not cancelled:\n" + gw.log())
            time.sleep(0.05)
        self.assertIn("cancelling the statement in flight: KILL QUERY", gw.log())
        # An abandoned handshake: greeting read, nothing sent, FIN. Only the control account can
        # end it without the server counting an aborted connect (checked after the test).
        abandoned = rawclient.RawClient(gw.endpoint.host, gw.endpoint.port)
        self.addCleanup(abandoned.close)
        abandoned.read_greeting()
        abandoned.close_fin()
        self.wait_for_log(gw, "closed: handshake_abort")
        code, took = self.sigterm(gw)
        self.assert_exited_cleanly(gw, code, took)
        log = gw.log()
        self.assertNotIn("needs an IP address", log)
        self.assertNotRegex(log, r"KILL QUERY \d+ (failed|not sent)")
        self.assertIn("self-audit: Aborted_clients +0, Aborted_connects +0", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
