"""Integration-test harness: a throwaway MariaDB, a real gracewire process in front of it, real clients.

Each test module calls `start_stack()` in setUpModule and `stop_stack()` in tearDownModule, so every
module gets its own server and its own gracewire on free ports and modules can run in parallel.

Run with /usr/bin/python3: Debian's python3-pymysql is installed for the system interpreter only.

Environment:
  GRACEWIRE_BIN   the binary under test (ctest passes $<TARGET_FILE:gracewire>; default build/gracewire)
  GW_DIRECT=1     point the "through gracewire" side at the server itself. Only for developing the
                  tests before the proxy path exists; tests that need the gracewire process skip.
  GW_ARTIFACTS    directory that receives the server's error log and gracewire's log at the end
                  (default: a new temp directory, printed at the end)
  GW_SANITIZED=1  gracewire is an ASan+UBSan build (CMake sets it for GRACEWIRE_SANITIZE): it runs
                  several times slower, so tests multiply their timeouts and margins by TIME_FACTOR
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

import pymysql

REPO = Path(__file__).resolve().parents[2]
SANITIZED = os.environ.get("GW_SANITIZED") == "1"
# A sanitized gracewire is several times slower: tests give it this much more time, both in the
# close_timeout / drain_timeout they configure and in the margins they add on top.
TIME_FACTOR = 3.0 if SANITIZED else 1.0
SANDBOX_SCRIPT = REPO / "tools" / "sandbox-mariadb"
ABORT_COUNTERS = ("Aborted_clients", "Aborted_connects", "Aborted_connects_preauth")
# What MariaDB logs at log_warnings=2 when a session ends without COM_QUIT ("Aborted connection ...
# Got an error reading/writing communication packets"), ends before authenticating ("... closed
# normally without authentication") or fails to authenticate. A proxy that closes its server
# sessions properly (COM_QUIT, after KILL QUERY and draining if a result is still streaming) causes
# none of them, and none of the counter increases in ABORT_COUNTERS.
ABORT_LOG_MARKERS = ("Aborted connection", "Access denied")


def direct_mode() -> bool:
    return os.environ.get("GW_DIRECT") == "1"


def free_port() -> int:
    """A loopback port that was free a moment ago (callers retry if someone takes it first)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text[-lines:])


def make_ca_and_certificate(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a leaf for 127.0.0.1/localhost signed by it (ECDSA P-256, one day), in
    `directory`: (ca.pem, cert.pem, key.pem); the CA's key is ca-key.pem beside them."""
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    ca_key, ca, key, request, cert = (directory / n for n in
                                      ("ca-key.pem", "ca.pem", "key.pem", "req.pem", "cert.pem"))
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "1", "-subj", "/CN=gracewire-test-ca", "-keyout", str(ca_key), "-out", str(ca))
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(request))
    extensions = directory / "san.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-days", "1", "-extfile", str(extensions), "-out", str(cert))
    return ca, cert, key


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """Where a client connects: the server itself, or gracewire in front of it."""

    name: str
    host: str
    port: int


@dataclasses.dataclass(frozen=True)
class Mark:
    """A point in the server's history: error-log offset and abort counters."""

    log_offset: int
    counters: dict[str, int]


@dataclasses.dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    database: str


# What tools/sandbox-mariadb creates; for tests that have no server to ask.
SANDBOX_CREDENTIALS = Credentials("gracewire", "gracewire", "test")
# The account a test stack creates for gracewire's [control] table (Stack(control_account=...)).
CONTROL_CREDENTIALS = Credentials("gw_control", "gw-control-pw", "")


class MariaDB:
    """A sandbox server from tools/sandbox-mariadb (see that script for the flags)."""

    def __init__(self, extra_args: tuple[str, ...] = (), tls: bool = False):
        """tls: the server gets a throwaway CA and certificate (env SSL_CA, SSL_CERT, SSL_KEY)."""
        self.extra_args = extra_args
        self.tls = tls
        self.env: dict[str, str] = {}

    def start(self) -> None:
        cmd = [str(SANDBOX_SCRIPT), "start"]
        if self.tls:
            cmd.append("--tls")
        if self.extra_args:
            cmd += ["--", *self.extra_args]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{shlex.join(cmd)} failed with {out.returncode}:\n{out.stderr}")
        for line in out.stdout.splitlines():
            key, _, value = line.partition("=")
            self.env[key] = " ".join(shlex.split(value))
        self.ready_mark = self.mark()

    def stop(self, keep_dir: bool = False) -> None:
        if not self.env:
            return
        cmd = [str(SANDBOX_SCRIPT), "stop", self.dir]
        if keep_dir:
            cmd.append("--keep")
        subprocess.run(cmd, check=True, timeout=120)
        self._reap()
        self.env = {}

    # --- a restart on the same port and datadir --------------------------------------------------

    _argv: list[str] | None = None
    _proc: subprocess.Popen | None = None  # a server start_again() started: ours to reap

    def shut_down(self) -> None:
        """A clean shutdown (SIGTERM, wait for the exit, as `stop`) that keeps the directory, so
        that start_again() brings the same server back: same port, datadir, binlog and error log."""
        exe = os.readlink(f"/proc/{self.pid}/exe")
        argv = Path(f"/proc/{self.pid}/cmdline").read_bytes().split(b"\0")[:-1]
        self._argv = [exe, *(arg.decode() for arg in argv[1:])]
        subprocess.run([str(SANDBOX_SCRIPT), "stop", self.dir, "--keep"], check=True, timeout=120)
        self._reap()

    def start_again(self, timeout: float = 60.0) -> None:
        """Starts the server shut_down() stopped, with its command line, and waits until it is
        ready. Its counters start from zero again: take a new mark() after it."""
        assert self._argv is not None, "shut_down() first"
        offset = self.log_offset()
        with open(Path(self.dir) / "mariadbd.out", "ab") as out:
            # Own session, as tools/sandbox-mariadb starts it (setsid).
            self._proc = subprocess.Popen(self._argv, stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not any("ready for connections" in line for line in self.log_since(offset)):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mariadbd did not start again (exit {self._proc.poll()}):\n"
                                   + "\n".join(self.log_since(offset)[-25:]))
            time.sleep(0.05)
        self.env["PID"] = str(self._proc.pid)

    def _reap(self) -> None:
        if self._proc is not None:
            self._proc.wait(timeout=120)
            self._proc = None

    dir = property(lambda self: self.env["DIR"])
    host = property(lambda self: self.env["HOST"])
    port = property(lambda self: int(self.env["PORT"]))
    socket = property(lambda self: self.env["SOCKET"])
    errlog = property(lambda self: Path(self.env["ERRLOG"]))
    pid = property(lambda self: int(self.env["PID"]))
    user = property(lambda self: self.env["USER"])
    password = property(lambda self: self.env["PASSWORD"])
    database = property(lambda self: self.env["DATABASE"])

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("direct", self.host, self.port)

    # --- what the server saw -------------------------------------------------------------------

    def admin(self) -> pymysql.connections.Connection:
        """A superuser connection over the unix socket (unix_socket authentication as the OS user)."""
        return pymysql.connect(unix_socket=self.socket, user=self.env["ADMIN_USER"], autocommit=True)

    def admin_query(self, sql: str, args=None) -> tuple:
        with contextlib.closing(self.admin()) as conn, conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def counters(self) -> dict[str, int]:
        rows = self.admin_query("SHOW GLOBAL STATUS WHERE Variable_name IN %s", (ABORT_COUNTERS,))
        return {name: int(value) for name, value in rows}

    def log_offset(self) -> int:
        return self.errlog.stat().st_size

    def log_since(self, offset: int) -> list[str]:
        with self.errlog.open("rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace").splitlines()

    def mark(self) -> Mark:
        # The counters query itself is a clean unix-socket session and moves nothing.
        return Mark(self.log_offset(), self.counters())

    def changes_since(self, mark: Mark) -> tuple[list[str], dict[str, int]]:
        """Abort-related log lines and counter deltas since `mark`."""
        lines = [l for l in self.log_since(mark.log_offset) if any(m in l for m in ABORT_LOG_MARKERS)]
        now = self.counters()
        return lines, {k: now[k] - mark.counters[k] for k in ABORT_COUNTERS}

    def settled_changes_since(self, mark: Mark, within: float = 2.0) -> tuple[list[str], dict[str, int]]:
        """changes_since(), read until two reads 0.2 s apart agree (or `within` passed): the server
        logs an abort and counts it from the session's own thread a moment after the socket is gone,
        and not always in that order (seen: 20 log lines, 19 counted, on the first read)."""
        lines, deltas = self.changes_since(mark)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            time.sleep(0.2)
            again_lines, again = self.changes_since(mark)
            if again == deltas and len(again_lines) == len(lines):
                break
            lines, deltas = again_lines, again
        return lines, deltas

    def create_control_account(self, account: Credentials = CONTROL_CREDENTIALS) -> None:
        """The account gracewire's [control] table names: it may KILL QUERY any thread.

        On MariaDB 10.5 and later that is CONNECTION ADMIN (before, SUPER). Over TCP from anywhere
        ('%'); the server only listens on loopback."""
        self.admin_query("CREATE USER %s@'%%' IDENTIFIED BY %s", (account.user, account.password))
        self.admin_query("GRANT CONNECTION ADMIN ON *.* TO %s@'%%'", (account.user,))

    def sessions_of(self, user: str) -> tuple:
        return self.admin_query(
            "SELECT id, command, state, info FROM information_schema.processlist WHERE user = %s",
            (user,),
        )


class Gracewire:
    """The gracewire binary under test, listening on a free loopback port in front of `upstream`."""

    READY_TEXT = "listening on"

    def __init__(self, upstream: str, log_path: Path, extra_args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, port: int = 0):
        """env: variables set for the process on top of the test's own environment. port: listen
        there (another gracewire's port, for a restart) instead of on a free one."""
        self.upstream = upstream
        self.log_path = log_path
        self.extra_args = extra_args
        self.env = env
        self.binary = os.environ.get("GRACEWIRE_BIN", str(REPO / "build" / "gracewire"))
        self.proc: subprocess.Popen | None = None
        self.fixed_port = port
        self.port = 0
        self.admin_port = 0

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("gracewire", "127.0.0.1", self.port)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 15.0) -> None:
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError(f"gracewire binary not found: {self.binary} (set GRACEWIRE_BIN)")
        for _ in range(3):
            self.port = self.fixed_port or free_port()
            # Every gracewire serves its admin endpoint (the default is on), each on its own port.
            self.admin_port = free_port()
            admin = [] if any(a.startswith("--admin") for a in self.extra_args) else [
                "--admin", f"127.0.0.1:{self.admin_port}"]
            cmd = [self.binary, "--listen", f"127.0.0.1:{self.port}", "--upstream", self.upstream,
                   "--log-level", "info", *admin, *self.extra_args]
            with self.log_path.open("ab") as log:
                log.write(f"=== {shlex.join(cmd)}\n".encode())
                log.flush()
                self._log_start = log.tell()
                # Own session: a Ctrl-C on the test runner must not reach gracewire before we stop it.
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True,
                                             env={**os.environ, **self.env} if self.env else None)
            # Started once it listens and, with the admin endpoint this harness gave it, serves
            # that too: it opens after the listeners, and a test that asks /ready at once (a swap
            # on the same port, where the old process already listens) met a refused connection.
            ready = [self.READY_TEXT] + (["admin endpoint on"] if admin else [])
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if all(text in self.log() for text in ready):
                    return
                if self.proc.poll() is not None:
                    break
                time.sleep(0.02)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError(f"gracewire did not log {ready!r} within {timeout} s:\n"
                                   + self.log())
            if "in use" not in self.log():
                raise RuntimeError(f"gracewire exited with {self.proc.returncode} during start-up:\n"
                                   + self.log())
        raise RuntimeError("gracewire: no free port after 3 attempts")

    def log(self) -> str:
        """Everything this process has logged so far."""
        with self.log_path.open("rb") as f:
            f.seek(self._log_start)
            return f.read().decode(errors="replace")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_kib(self) -> int:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # fields[0] is field 3 (state); utime and stime are fields 14 and 15
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout: float = 40.0) -> int:
        """SIGTERM, wait, return the exit code (the caller asserts on it).

        The timeout is above gracewire's default drain deadline (30 s), so a stuck connection shows
        up as gracewire's own forced shutdown rather than as our SIGKILL."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"gracewire did not exit within {timeout} s of SIGTERM")
        return self.proc.returncode


class RssSampler:
    """Samples a process's VmRSS in the background; `peak_kib` is the largest value seen."""

    def __init__(self, gracewire: Gracewire, interval: float = 0.05):
        self.gracewire = gracewire
        self.interval = interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                self.samples.append(self.gracewire.rss_kib())
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_kib(self) -> int:
        return max(self.samples, default=0)


# --- the per-module stack --------------------------------------------------------------------------


class Stack:
    """One server, optionally one gracewire in front of it, and the artefact directory."""

    def __init__(self, name: str, server_args: tuple[str, ...] = (), with_server: bool = True,
                 upstream: str | None = None, gracewire_args: tuple[str, ...] = (),
                 control_account: Credentials | None = None, server_tls: bool = False):
        """control_account: created on the server before gracewire starts (gracewire logs in with
        it at start-up), for a config file passed in gracewire_args (--config) that names it."""
        self.name = name
        self.control_account = control_account
        artifacts = os.environ.get("GW_ARTIFACTS")
        self.artifacts = Path(artifacts) if artifacts else Path(tempfile.mkdtemp(prefix=f"gw-{name}-"))
        self.artifacts.mkdir(parents=True, exist_ok=True)
        for old in ("gracewire.log", "mariadb-err.log"):
            (self.artifacts / old).unlink(missing_ok=True)
        self.server = MariaDB(server_args, tls=server_tls) if with_server else None
        self.gracewire: Gracewire | None = None
        self._upstream = upstream
        self._gracewire_args = gracewire_args
        self.start_mark: Mark | None = None
        # Where the last per-test check left off; stop() checks what happened after it.
        self.checked_mark: Mark | None = None
        self.tmp = Path(tempfile.mkdtemp(prefix=f"gw-{name}-tmp-"))

    def start(self) -> None:
        if self.server:
            self.server.start()
            if self.control_account:
                self.server.create_control_account(self.control_account)
        upstream = self._upstream or f"{self.server.host}:{self.server.port}"
        if not direct_mode():
            self.gracewire = Gracewire(upstream, self.artifacts / "gracewire.log", self._gracewire_args)
            self.gracewire.start()
        if self.server:
            self.start_mark = self.server.mark()

    @property
    def direct(self) -> Endpoint:
        assert self.server is not None
        return self.server.endpoint

    @property
    def proxied(self) -> Endpoint:
        if self.gracewire is None:  # GW_DIRECT=1
            if self.server is None:
                host, _, port = self._upstream.rpartition(":")
                return Endpoint("gracewire(direct mode)", host, int(port))
            return Endpoint("gracewire(direct mode)", self.server.host, self.server.port)
        return self.gracewire.endpoint

    def stop(self) -> list[str]:
        """Stops gracewire, then checks what the server saw, then stops the server.

        Returns a list of problems (empty when clean). The server is checked before it stops, because
        a server shutting down logs nothing about sessions left open (research Q8)."""
        problems: list[str] = []
        try:
            if self.gracewire is not None:
                code = self.gracewire.stop()
                if code != 0:
                    problems.append(f"gracewire exited with {code} after SIGTERM")
            if self.server and self.server.env and self.start_mark:
                leftovers = ()
                deadline = time.monotonic() + 3
                while time.monotonic() < deadline:
                    leftovers = self.server.sessions_of(self.server.user)
                    if not leftovers:
                        break
                    time.sleep(0.1)
                if leftovers:
                    problems.append(f"server sessions left after gracewire stopped: {leftovers}")
                time.sleep(IntegrationTestCase.settle_seconds)
                lines, deltas = self.server.settled_changes_since(self.checked_mark or self.start_mark)
                if lines or any(deltas.values()):
                    problems.append(f"after the last test (gracewire shutting down), the server logged "
                                    f"{lines} and its abort counters moved by {deltas}")
        finally:
            self._save_artifacts()
            if self.server:
                self.server.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)
        return problems

    def _save_artifacts(self) -> None:
        if self.server and self.server.env:
            shutil.copy(self.server.errlog, self.artifacts / "mariadb-err.log")
        log = self.artifacts / "gracewire.log"
        if log.exists():
            print(f"--- gracewire log (tail), full log in {log}\n{tail(log)}", file=sys.stderr)
        print(f"--- artefacts in {self.artifacts}", file=sys.stderr)


STACK: Stack | None = None


def start_stack(name: str, **kwargs) -> Stack:
    """For setUpModule. The stack is also reachable as `harness.STACK`."""
    global STACK
    STACK = Stack(name, **kwargs)
    try:
        STACK.start()
    except BaseException:
        STACK.stop()
        raise
    return STACK


def stop_stack() -> None:
    """For tearDownModule: raises if gracewire did not exit cleanly or left server sessions behind."""
    global STACK
    if STACK is None:
        return
    problems = STACK.stop()
    STACK = None
    if problems:
        raise AssertionError("; ".join(problems))


# --- clients --------------------------------------------------------------------------------------


def connect(endpoint: Endpoint, server: MariaDB, **kwargs) -> pymysql.connections.Connection:
    """A PyMySQL connection to `endpoint` with the sandbox's test user (override with kwargs)."""
    params = dict(host=endpoint.host, port=endpoint.port, user=server.user, password=server.password,
                  database=server.database, connect_timeout=10, read_timeout=120, write_timeout=120)
    params.update(kwargs)
    return pymysql.connect(**params)


def close_quietly(conn: pymysql.connections.Connection) -> None:
    """COM_QUIT and close, unless already closed."""
    if conn.open:
        conn.close()


def mariadb_cli(endpoint: Endpoint, server: MariaDB | Credentials, *args: str, input: str | None = None,
                user: str | None = None, password: str | None = None, database: str | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs the `mariadb` command-line client over TCP; returns the completed process (text mode)."""
    cmd = ["mariadb", "--no-defaults", "--protocol=TCP", "-h", endpoint.host, "-P", str(endpoint.port),
           "-u", user or server.user, f"-p{server.password if password is None else password}",
           *args, database if database is not None else server.database]
    return subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)


def admin_http(port: int, path: str, method: str = "GET") -> tuple[int, str]:
    """A request to a gracewire's admin endpoint (Gracewire.admin_port): (status, body)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never an http_proxy
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metric_samples(page: str) -> dict[str, float]:
    """'name{labels}' -> value, for every sample line of a /metrics page."""
    out = {}
    for line in page.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def node_modules(*packages: str) -> Path:
    """Where npm's drivers are (GW_NODE_MODULES, installed by tools/test through
    tools/install-node-clients.sh), checked to hold `packages`: a missing install fails the
    module with the way to fix it, never a silent skip. Run node with NODE_PATH set to it."""
    setting = os.environ.get("GW_NODE_MODULES", "")
    modules = Path(setting)
    missing = [p for p in packages if not setting or not (modules / p).is_dir()]
    if missing:
        raise RuntimeError(f"npm's {', '.join(missing)} not found in GW_NODE_MODULES={setting!r}: "
                           "run tools/install-node-clients.sh BUILD-DIR/node-clients (tools/test "
                           "does)")
    return modules


class IntegrationTestCase(unittest.TestCase):
    """Checks after every test that the server saw only clean session ends.

    A test that provokes server-side aborts on purpose (a wrong password) declares them with
    `expect_server_aborts(...)`."""

    settle_seconds = 0.3  # a FIN or abort is logged asynchronously by the server thread

    @property
    def stack(self) -> Stack:
        assert STACK is not None, "setUpModule must call harness.start_stack()"
        return STACK

    @property
    def server(self) -> MariaDB:
        assert self.stack.server is not None
        return self.stack.server

    def setUp(self) -> None:
        self._expected_deltas = dict.fromkeys(ABORT_COUNTERS, 0)
        self._expected_lines: list[str] = []
        self._mark = self.server.mark() if self.stack.server else None
        if self._mark is not None:
            self.addCleanup(self._check_server_clean)

    def expect_server_aborts(self, line_marker: str, **deltas: int) -> None:
        """The test will cause log lines containing `line_marker` and these counter increases."""
        self._expected_lines.append(line_marker)
        self._expected_deltas.update(deltas)

    def _check_server_clean(self) -> None:
        time.sleep(self.settle_seconds)
        lines, deltas = self.server.settled_changes_since(self._mark)
        self.stack.checked_mark = self.server.mark()
        unexpected = [l for l in lines if not any(m in l for m in self._expected_lines)]
        self.assertEqual(unexpected, [], "server logged unclean session ends")
        self.assertEqual(deltas, self._expected_deltas, "server abort counters moved")

    # --- helpers for comparing the two paths -------------------------------------------------

    def connect(self, endpoint: Endpoint, **kwargs) -> pymysql.connections.Connection:
        conn = connect(endpoint, self.server, **kwargs)
        self.addCleanup(close_quietly, conn)  # runs before the clean check (cleanups are LIFO)
        return conn

    def both(self, fn, **connect_kwargs):
        """Runs fn(conn) directly and through gracewire, asserts equal results, returns the result."""
        results = []
        for endpoint in (self.stack.direct, self.stack.proxied):
            with contextlib.closing(connect(endpoint, self.server, **connect_kwargs)) as conn:
                results.append(fn(conn))
        self.assertEqual(results[1], results[0], "result through gracewire differs from direct")
        return results[1]

    def require_gracewire(self) -> Gracewire:
        if self.stack.gracewire is None:
            self.skipTest("needs the gracewire process (GW_DIRECT=1)")
        return self.stack.gracewire
