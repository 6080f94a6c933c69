"""gracewire under systemd, without systemd (issue 12, "systemd and signals").

gracewire speaks sd_notify(3) to whatever NOTIFY_SOCKET names: here an AF_UNIX datagram socket
the test binds and reads, as PID 1 would. READY=1 (with MAINPID) once the port accepts, STATUS=
with the client session count (at most once a second, when it changed), RELOADING=1 (with
MONOTONIC_USEC) then READY=1 around SIGHUP, STOPPING=1 at SIGTERM, then exit 0. Without
NOTIFY_SOCKET (the module's own gracewire, and every other module) nothing is sent and nothing
changes; with one that names nothing, gracewire warns once and serves on.

conf/gracewire.service is read too: the keys a Type=notify service needs, the hardening, and a
TimeoutStopSec above the shutdown bound of the shipped config's defaults."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import tomllib
import unittest
from pathlib import Path

import pymysql

import harness

UNIT_FILE = harness.REPO / "conf" / "gracewire.service"
SHIPPED_CONFIG = harness.REPO / "conf" / "gracewire.toml"
BINARY = os.environ.get("GRACEWIRE_BIN", str(harness.REPO / "build" / "gracewire"))
kWait = 5.0 * harness.TIME_FACTOR
CONFIG: Path | None = None
WORK: Path | None = None


def setUpModule():
    global CONFIG, WORK
    # Whatever runs the tests must not hand its own notify socket to gracewire.
    os.environ.pop("NOTIFY_SOCKET", None)
    WORK = Path(tempfile.mkdtemp(prefix="gw-systemd-"))
    CONFIG = WORK / "gracewire.toml"
    CONFIG.write_text('[close]\nclose_timeout = "1s"\ndrain_timeout = "2s"\n')
    harness.start_stack("systemd", gracewire_args=("--config", str(CONFIG)))


def tearDownModule():
    harness.stop_stack()
    if WORK is not None:
        shutil.rmtree(WORK, ignore_errors=True)


# --- the notify socket -------------------------------------------------------------------------


class Notification:
    def __init__(self, data: bytes):
        self.when = time.monotonic()
        self.text = data.decode(errors="replace")
        self.fields = dict(line.partition("=")[::2] for line in self.text.splitlines() if line)

    def __repr__(self) -> str:
        return repr(self.text)


class NotifySocket:
    """What systemd's end of NOTIFY_SOCKET sees. Read all the time by a thread: sd_notify blocks
    once the receiver's queue (net.unix.max_dgram_qlen datagrams) is full."""

    def __init__(self, directory: Path, on_message=None):
        self.path = directory / "notify.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.messages: list[Notification] = []
        self.on_message = on_message
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:  # shutdown() from close()
                return
            message = Notification(data)
            if self.on_message:
                self.on_message(message)
            with self._changed:
                self.messages.append(message)
                self._changed.notify_all()

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self.sock.close()

    def wait_for(self, predicate, what: str, after: int = 0, timeout: float = kWait) -> int:
        """The index of the first message from `after` on that satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for i in range(after, len(self.messages)):
                    if predicate(self.messages[i]):
                        return i
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no notification {what} within {timeout} s; got "
                                         f"{self.messages[after:]}")
                self._changed.wait(left)


def status_names(count: int, draining: bool = False):
    pattern = (rf"^draining: {count} client sessions? left$" if draining
               else rf"^{count} client sessions?$")
    return lambda m: re.match(pattern, m.fields.get("STATUS", "")) is not None


# --- the unit file -------------------------------------------------------------------------------


def unit_entries(path: Path) -> dict[str, dict[str, list[str]]]:
    """systemd's unit syntax, as far as gracewire.service uses it: [Section], Key=Value, comments;
    a key may repeat (each value kept)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, equals, value = line.partition("=")
        if current is None or not equals or not re.fullmatch(r"[A-Za-z0-9]+", key.strip()):
            raise AssertionError(f"{path}:{number}: not a unit file line: {raw!r}")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def seconds_of_timespan(text: str) -> float:
    """systemd.time(7) time spans as the unit file writes them: "60s", "1min 30s", "90"."""
    units = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
    if re.fullmatch(r"\d+", text):
        return float(text)
    total, rest = 0.0, text.replace(" ", "")
    for number, unit in re.findall(r"(\d+)([a-z]+)", rest):
        total += int(number) * units[unit]
    if re.sub(r"\d+[a-z]+", "", rest):
        raise AssertionError(f"time span {text!r} not understood")
    return total


def seconds_of_duration(value) -> float:
    """gracewire's config durations (conf/gracewire.toml, "Units")."""
    if isinstance(value, int):
        return value / 1000
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h)", value).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


class UnitFileTest(unittest.TestCase):
    def setUp(self):
        self.unit = unit_entries(UNIT_FILE)
        self.service = self.unit["Service"]

    def value(self, key: str) -> str:
        self.assertIn(key, self.service, f"[Service] {key}= missing")
        self.assertEqual(len(self.service[key]), 1, f"{key}= given more than once")
        return self.service[key][0]

    def test_it_is_a_notify_service_that_reloads_with_sighup(self):
        self.assertEqual(self.value("Type"), "notify")
        self.assertEqual(self.value("NotifyAccess"), "main")
        self.assertEqual(self.value("KillSignal"), "SIGTERM")
        self.assertEqual(self.value("Restart"), "on-failure")
        self.assertRegex(self.value("ExecReload"), r"^/bin/kill -HUP \$MAINPID$")
        self.assertEqual(self.unit["Install"]["WantedBy"], ["multi-user.target"])

    def test_exec_start_uses_flags_the_binary_has(self):
        argv = self.value("ExecStart").split()
        self.assertEqual(argv[0], "/usr/local/bin/gracewire")
        usage = subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                               timeout=30).stdout
        for flag in (a for a in argv[1:] if a.startswith("-")):
            self.assertRegex(usage, rf"(^|[\s,]){re.escape(flag)}\b", f"gracewire has no {flag}")

    def test_stop_timeout_is_above_the_shutdown_bound_of_the_defaults(self):
        close = tomllib.loads(SHIPPED_CONFIG.read_text())["close"]
        drain_timeout = seconds_of_duration(close["drain_timeout"])
        close_timeout = seconds_of_duration(close["close_timeout"])
        # README "Shutdown": the drain, then 3 x close_timeout + 1 s for what is left, the
        # self-audit (2 x close_timeout), the control connection's COM_QUIT (close_timeout), and
        # the event log's last writes (eventlog::EventLog's 5 s close bound).
        bound = drain_timeout + 3 * close_timeout + 1 + 2 * close_timeout + close_timeout + 5
        stop_timeout = seconds_of_timespan(self.value("TimeoutStopSec"))
        self.assertGreater(stop_timeout, bound,
                           f"TimeoutStopSec={stop_timeout:g}s, but a default shutdown may take "
                           f"{bound:g}s: systemd would SIGKILL a draining gracewire")

    def test_hardening(self):
        expected = {
            "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
            "PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "",
            "AmbientCapabilities": "", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
            "SystemCallArchitectures": "native", "LockPersonality": "yes",
            "MemoryDenyWriteExecute": "yes", "RestrictNamespaces": "yes",
            "RestrictRealtime": "yes", "ProtectKernelTunables": "yes",
            "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
            "ProtectControlGroups": "yes", "ProtectClock": "yes", "ProtectHostname": "yes",
            "RestrictSUIDSGID": "yes", "UMask": "0077", "LimitNOFILE": "65536",
            "StateDirectory": "gracewire", "LogsDirectory": "gracewire", "User": "gracewire",
        }
        for key, value in expected.items():
            with self.subTest(key=key):
                self.assertEqual(self.value(key), value)

    def test_systemd_analyze_verify(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze is not installed")
        # Verified as installed, but with ExecStart at the binary under test: /usr/local/bin has
        # none here, and verify rejects a command that does not exist.
        with tempfile.TemporaryDirectory() as directory:
            unit = Path(directory) / "gracewire.service"
            unit.write_text(UNIT_FILE.read_text().replace("/usr/local/bin/gracewire", BINARY))
            done = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                                  timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertEqual(done.stderr.strip(), "", "systemd-analyze verify complained")


# --- sd_notify ------------------------------------------------------------------------------------


class NotifyTest(harness.IntegrationTestCase):
    """Each test runs its own gracewire with NOTIFY_SOCKET set, beside the module's one."""

    def start_gracewire(self, on_message=None) -> tuple[harness.Gracewire, NotifySocket]:
        directory = Path(tempfile.mkdtemp(prefix="notify-", dir=self.stack.tmp))
        notify = NotifySocket(directory, on_message)
        self.addCleanup(notify.close)
        gracewire = harness.Gracewire(f"{self.server.host}:{self.server.port}",
                                      directory / "gracewire.log", ("--config", str(CONFIG)),
                                      env={"NOTIFY_SOCKET": str(notify.path)})
        self.gracewire = gracewire
        gracewire.start()
        self.addCleanup(self.stop_gracewire, gracewire)
        return gracewire, notify

    def stop_gracewire(self, gracewire: harness.Gracewire) -> None:
        self.assertEqual(gracewire.stop(), 0, gracewire.log())

    def test_ready_once_the_port_accepts_with_mainpid(self):
        probes = []

        def login_at_ready(message: Notification) -> None:
            # On the reader's thread, as soon as READY=1 arrives: the port must accept now.
            if message.fields.get("READY") == "1" and not probes:
                # gracewire logs "listening on" once the listener is bound, before READY=1.
                probes.append(harness.Gracewire.READY_TEXT in self.gracewire.log())
                try:
                    conn = harness.connect(self.gracewire.endpoint, self.server, connect_timeout=2)
                    conn.close()
                    probes.append("logged in")
                except Exception as error:  # on the reader's thread: recorded, asserted below
                    probes.append(f"refused: {error!r}")

        gracewire, notify = self.start_gracewire(login_at_ready)
        first = notify.wait_for(lambda m: "READY" in m.fields, "READY=1")
        ready = notify.messages[first]
        self.assertEqual(ready.fields["READY"], "1")
        self.assertEqual(ready.fields.get("MAINPID"), str(gracewire.pid))
        self.assertTrue(status_names(0)(ready), ready)
        self.assertEqual(probes, [True, "logged in"])
        # Nothing before it: systemd counts the start from READY=1.
        self.assertEqual(first, 0, notify.messages)

    def test_status_follows_the_session_count_at_most_once_a_second(self):
        gracewire, notify = self.start_gracewire()
        after = notify.wait_for(lambda m: "READY" in m.fields, "READY=1") + 1
        conns = [self.connect(gracewire.endpoint) for _ in range(3)]
        three = notify.wait_for(status_names(3), "STATUS naming 3 client sessions", after)
        for conn in conns:
            conn.close()
        zero = notify.wait_for(status_names(0), "STATUS naming 0 client sessions", three + 1)
        updates = [m for m in notify.messages[after:zero + 1] if set(m.fields) == {"STATUS"}]
        self.assertIn(notify.messages[three], updates)
        gaps = [b.when - a.when for a, b in zip(updates, updates[1:])]
        self.assertTrue(all(gap > 0.8 for gap in gaps), f"STATUS more than once a second: {gaps}")
        # Only when it changed: an idle gracewire says nothing more.
        settled = len(notify.messages)
        time.sleep(2.5)
        self.assertEqual(notify.messages[settled:], [])

    def test_sighup_reloading_then_ready(self):
        gracewire, notify = self.start_gracewire()
        after = notify.wait_for(lambda m: "READY" in m.fields, "READY=1") + 1
        for config in (None, "[close\n"):  # a reload, then a file that no longer loads
            if config is not None:
                self.addCleanup(CONFIG.write_text, CONFIG.read_text())
                CONFIG.write_text(config)
            sent = time.monotonic()
            os.kill(gracewire.pid, signal.SIGHUP)
            reloading = notify.wait_for(lambda m: m.fields.get("RELOADING") == "1",
                                        "RELOADING=1", after)
            monotonic_usec = notify.messages[reloading].fields.get("MONOTONIC_USEC", "")
            self.assertRegex(monotonic_usec, r"^\d+$")
            # CLOCK_MONOTONIC, as time.monotonic() reads it on Linux.
            self.assertGreaterEqual(int(monotonic_usec), int(sent * 1e6))
            self.assertLessEqual(int(monotonic_usec), int(time.monotonic() * 1e6))
            # The running configuration goes on either way: READY=1 again.
            ready = notify.wait_for(lambda m: m.fields.get("READY") == "1", "READY=1 again",
                                    reloading + 1)
            self.assertTrue(status_names(0)(notify.messages[ready]), notify.messages[ready])
            after = ready + 1
        self.assertIn("not applied, nothing changed", gracewire.log())
        self.assertTrue(gracewire.alive())
        self.assertNotIn("systemd:", gracewire.log())

    def test_sigterm_stopping_then_exit_0_and_no_ready_while_draining(self):
        gracewire, notify = self.start_gracewire()
        after = notify.wait_for(lambda m: "READY" in m.fields, "READY=1") + 1
        idle = harness.connect(gracewire.endpoint, self.server)  # ERR 1053 at the drain
        busy = harness.connect(gracewire.endpoint, self.server)  # its statement may finish
        finished = []

        def sleep_in_flight():
            try:
                with busy.cursor() as cur:
                    cur.execute("SELECT SLEEP(1.5)")
                    finished.append(cur.fetchall())
            except pymysql.MySQLError as error:
                finished.append(error)

        thread = threading.Thread(target=sleep_in_flight, daemon=True)
        try:
            notify.wait_for(status_names(2), "STATUS naming 2 client sessions", after)
            thread.start()
            deadline = time.monotonic() + kWait
            while not any("SLEEP" in (row[3] or "") for row in self.server.sessions_of(
                    self.server.user)):
                self.assertLess(time.monotonic(), deadline, "SLEEP(1.5) never reached the server")
                time.sleep(0.02)
            os.kill(gracewire.pid, signal.SIGTERM)
            stopping = notify.wait_for(lambda m: m.fields.get("STOPPING") == "1", "STOPPING=1",
                                       after)
            self.assertTrue(status_names(2, draining=True)(notify.messages[stopping]),
                            notify.messages[stopping])
            # A reload during the drain still happens, but systemd hears no READY=1.
            os.kill(gracewire.pid, signal.SIGHUP)
            wait_logged(gracewire, "received SIGHUP")
            gracewire.proc.wait(15 * harness.TIME_FACTOR)
            thread.join(5)
        finally:
            for conn in (idle, busy):
                try:
                    conn.close()
                except pymysql.MySQLError:
                    pass  # gracewire ended it
        self.assertEqual(gracewire.proc.returncode, 0, gracewire.log())
        self.assertEqual(finished, [((0,),)], "the statement in flight was not let finish")
        later = notify.messages[stopping + 1:]
        self.assertFalse([m for m in later if {"READY", "RELOADING", "STOPPING"} & set(m.fields)],
                         later)

    def test_a_notify_socket_that_is_gone_is_warned_once_and_changes_nothing(self):
        log = self.stack.tmp / "gone-gracewire.log"
        gracewire = harness.Gracewire(f"{self.server.host}:{self.server.port}", log,
                                      ("--config", str(CONFIG)),
                                      env={"NOTIFY_SOCKET": str(self.stack.tmp / "no-such.sock")})
        gracewire.start()
        self.addCleanup(self.stop_gracewire, gracewire)
        conns = [self.connect(gracewire.endpoint) for _ in range(2)]
        time.sleep(1.5)  # a STATUS update fails too
        os.kill(gracewire.pid, signal.SIGHUP)
        wait_logged(gracewire, "reload:")
        with conns[0].cursor() as cur:
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchall(), ((1,),))
        self.assertEqual(gracewire.log().count("systemd: notification not delivered"), 1,
                         gracewire.log())


def wait_logged(gracewire: harness.Gracewire, text: str) -> None:
    deadline = time.monotonic() + kWait
    while text not in gracewire.log():
        if time.monotonic() > deadline:
            raise AssertionError(f"gracewire did not log {text!r} within {kWait} s")
        time.sleep(0.05)


class WithoutNotifySocketTest(harness.IntegrationTestCase):
    """The module's gracewire has no NOTIFY_SOCKET (as in every other module): it serves,
    reloads and (at tearDownModule) stops as before, and says nothing about systemd."""

    def test_serves_and_reloads_without_a_word_about_systemd(self):
        gracewire = self.require_gracewire()
        conn = self.connect(self.stack.proxied)
        os.kill(gracewire.pid, signal.SIGHUP)
        wait_logged(gracewire, "reload:")
        with conn.cursor() as cur:
            cur.execute("SELECT 'no systemd'")
            self.assertEqual(cur.fetchall(), (("no systemd",),))
        self.assertTrue(gracewire.alive())
        self.assertNotIn("systemd:", gracewire.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
