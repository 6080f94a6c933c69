"""The close matrix's building blocks: client states, client endings, gracewire configurations, and
the check of what the server saw (issue 4; facts from closing-mysql-sessions.md).

A cell is one client state x one ending, run `kRepeat` times. The repetitions of a cell run
concurrently (one thread per session): they enter the state, the test checks the server really
shows them in that state, then all of them end the same way at about the same moment, and the
server is checked once for the batch. The assertion is "nothing moved", so a batch sum of zero
proves every repetition was clean; a non-zero sum is reported with the lines and rows that explain
it.

Client states (raw protocol, rawclient.py, so every byte and every close is the test's choice):
  idle           authenticated, a query answered, nothing in flight
  query          SELECT GET_LOCK() of a lock the test holds sent, no answer yet (the server
                 shows it running, in 'User lock', until the lock's timeout, kBusySeconds)
  result         a ~330 MB result (SELECT seq, REPEAT('x',100) FROM seq_1_to_3000000); 1000 rows
                 read, then the client stops reading, so the server ends up blocked writing
  transaction    START TRANSACTION; INSERT of one row, not committed (InnoDB shows the trx)
  prepared       COM_STMT_PREPARE answered (the server counts the statement in Prepared_stmt_count)
  auth_greeting  connected, greeting read, nothing sent (the server shows 'unauthenticated user')
  auth_partial   greeting read, half of the HandshakeResponse41 sent

Client endings:
  quit  COM_QUIT, then close() at once without waiting for the server, as client libraries do
        (PyMySQL's close(); research: "a well-known binlog client's Close()"). Per state:
          query          the COM_QUIT is pipelined behind the running statement;
          result         COM_QUIT in the middle of a result the client stopped reading; close()
                         then sends RST because unread bytes wait (PyMySQL closing a half-read
                         SSCursor does exactly this; directly, the server logs it: research Q4);
          auth_greeting  COM_QUIT in place of the HandshakeResponse (a server answers 1043);
          auth_partial   the rest of the HandshakeResponse and COM_QUIT in one write (the client
                         quits without waiting for the authentication's OK; research Q5).
  fin   no COM_QUIT: shutdown(SHUT_WR), then close(). For every state but `result` the socket's
        receive queue is empty, so this is a plain FIN, like close(); with a half-read result
        Linux follows the FIN with an RST (unread bytes), the way a killed client ends.
  rst   no COM_QUIT: SO_LINGER {1, 0}, close(): an RST and nothing else.
  (gracewire's SIGTERM is the fourth ending: test_shutdown.py.)

Cells that do not exist as such: "COM_QUIT after a partial HandshakeResponse" would only be more
bytes of that response, so auth_partial x quit completes the response and pipelines COM_QUIT
instead (described above). Every other combination is meaningful.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import itertools
import os
import ssl
import re
import tempfile
import threading
import time
from pathlib import Path

import harness
import rawclient

kRepeat = int(os.environ.get("GW_MATRIX_REPEAT", "20"))
# GW_TLS=1: the same cells with TLS on both legs (the server with its own CA, gracewire with a
# certificate of the test's; gracewire follows each client upstream, as_client). GW_TLS=client:
# TLS toward gracewire only, a plaintext server leg, so every ending also meets the login's
# sequence ids numbered apart; GW_TLS=server: a plaintext client, TLS toward the server.
kTls = os.environ.get("GW_TLS") in ("1", "client")
kTlsUpstream = os.environ.get("GW_TLS") in ("1", "server")


def client_tls() -> ssl.SSLContext | None:
    """What RawClient uses toward gracewire under GW_TLS: TLS, not verified (test_tls.py
    verifies; here the endings are under test). It keeps OpenSSL's strict EOF, so that a
    missing close_notify is an error rather than silently ignored."""
    if not kTls:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
# The `query` state's statement waits on a lock that the module's admin connection holds. Not
# SELECT SLEEP(): MariaDB 10.11's KILL QUERY of a sleeping session can stall for its full 2 s
# (THD::awake's retries of the mutex all SLEEP()s share, measured under CPU load: 20 sessions,
# KILL QUERY one after another from one connection, 0 to 3 of them took 2.01 s each in every other
# round; a GET_LOCK() wait, 6 rounds, never). Cancels run one at a time on gracewire's control
# connection, so such stalls add up, and a cell would measure the server's sleep mutex instead of
# gracewire. test_shutdown.py still cancels SELECT SLEEP()s, with bounds that allow the stalls.
# The lock's timeout lies between kCleanWithin and kAttributeWithin: a statement that gracewire
# did not cancel is still running when the check looks, and ends before the test must kill it.
kBusyLock = "gw_close_matrix_busy"
kBusySeconds = round(10 * harness.TIME_FACTOR)
kBusySql = f"SELECT GET_LOCK('{kBusyLock}', {kBusySeconds})"
kBigSql = "SELECT seq, REPEAT('x',100) FROM seq_1_to_3000000"
kRowsBeforeStop = 1000
kTxTable = "cm_tx"  # in the sandbox's `test` database, InnoDB
kPrepareSql = "SELECT ?, CONNECTION_ID()"

STATES = ("idle", "query", "result", "transaction", "prepared", "auth_greeting", "auth_partial")
CLIENT_ENDINGS = ("quit", "fin", "rst")
AUTH_STATES = ("auth_greeting", "auth_partial")

# Timeouts of the gracewire instances the close tests start (written into their config file).
kCloseTimeout = 2.0 * harness.TIME_FACTOR
kDrainTimeout = 2.0 * harness.TIME_FACTOR
# After the clients end, the server's sessions must be gone within this (a cancel is a KILL QUERY,
# a drain of a few MB and a COM_QUIT; an idle quit takes well under a millisecond), with room for
# MariaDB's own KILL QUERY latency: one stall of a SELECT SLEEP() (about 2 s, see kBusySql), which
# test_shutdown.py meets, or a loaded machine's scheduling for the GET_LOCK() waits here...
kServerKillLatency = 2.5
kCleanWithin = kCloseTimeout + (0.5 + kServerKillLatency) * harness.TIME_FACTOR
# ...and the check keeps polling up to this long, so that what a late close logs (a mid-query FIN
# is logged only when the query ends, kBusySeconds in) is reported by the cell that caused it.
kAttributeWithin = 12.0 * harness.TIME_FACTOR

kSelfAudit = re.compile(r"self-audit: Aborted_clients \+(\d+), Aborted_connects \+(\d+)")
_tx_ids = itertools.count(1)
_tx_ids_lock = threading.Lock()


def next_tx_id() -> int:
    with _tx_ids_lock:
        return next(_tx_ids)


# --- gracewire instances -------------------------------------------------------------------------


def write_config(path: Path, *, control: harness.Credentials | None = harness.CONTROL_CREDENTIALS,
                 close_timeout: float = kCloseTimeout, drain_timeout: float = kDrainTimeout,
                 client_abort: str = "absorb", in_flight: str = "cancel") -> Path:
    lines = ["[close]",
             f'close_timeout = "{int(close_timeout * 1000)}ms"',
             f'drain_timeout = "{int(drain_timeout * 1000)}ms"',
             f'client_abort = "{client_abort}"',
             f'in_flight = "{in_flight}"']
    if control is not None:
        lines += ["", "[control]", f'user = "{control.user}"', f'password = "{control.password}"']
    if kTls:
        assert TLS_FILES is not None, "start_close_stack() first"
        cert, key = TLS_FILES
        lines += ["", "[listener]", f'tls_cert = "{cert}"', f'tls_key = "{key}"']
    if kTls != kTlsUpstream:
        lines += ["", "[upstream]", f'tls_mode = "{"required" if kTlsUpstream else "disabled"}"']
    path.write_text("\n".join(lines) + "\n")
    return path


TLS_FILES: tuple[Path, Path] | None = None  # gracewire's certificate and key, under GW_TLS


def start_close_stack(name: str) -> Path:
    """setUpModule of the close tests: a server with the control account and the transaction
    table, a gracewire with the default close config. Returns the config directory to remove."""
    global TLS_FILES
    config_dir = Path(tempfile.mkdtemp(prefix=f"gw-{name}-conf-"))
    if kTls:
        _, cert, key = harness.make_ca_and_certificate(config_dir)
        TLS_FILES = (cert, key)
    config = write_config(config_dir / "gracewire.toml")
    stack = harness.start_stack(name, gracewire_args=("--config", str(config)),
                                control_account=harness.CONTROL_CREDENTIALS,
                                server_tls=kTls or kTlsUpstream)
    stack.server.admin_query(f"CREATE TABLE test.{kTxTable} (id BIGINT PRIMARY KEY) ENGINE=InnoDB")
    hold_busy_lock(stack.server)
    return config_dir


BUSY_LOCK_HOLDER = None  # the admin connection holding kBusyLock for the module


def hold_busy_lock(server: harness.MariaDB) -> None:
    """Takes kBusyLock for the module's lifetime (the admin's connection is not one the checks
    count), so that every `query` state's GET_LOCK() waits on it."""
    global BUSY_LOCK_HOLDER
    BUSY_LOCK_HOLDER = server.admin()
    with BUSY_LOCK_HOLDER.cursor() as cur:
        cur.execute("SELECT GET_LOCK(%s, 0)", (kBusyLock,))
        if cur.fetchone()[0] != 1:
            raise RuntimeError(f"could not take the lock {kBusyLock!r}")


def start_gracewire(stack: harness.Stack, name: str, **config) -> harness.Gracewire:
    """Another gracewire in front of the stack's server, with its own config file and log."""
    config_path = write_config(stack.tmp / f"{name}.toml", **config)
    log = stack.artifacts / f"gracewire-{name}.log"
    log.unlink(missing_ok=True)
    gw = harness.Gracewire(f"{stack.server.host}:{stack.server.port}", log,
                           ("--config", str(config_path)))
    gw.start()
    return gw


def self_audit(gw: harness.Gracewire) -> tuple[int, int] | None:
    found = kSelfAudit.findall(gw.log())
    return (int(found[-1][0]), int(found[-1][1])) if found else None


# --- sessions ------------------------------------------------------------------------------------


def text_row(payload: bytes) -> list[bytes | None]:
    values, pos = [], 0
    while pos < len(payload):
        if payload[pos] == 0xFB:
            values.append(None)
            pos += 1
            continue
        length, pos = rawclient.lenenc_int(payload, pos)
        values.append(payload[pos:pos + length])
        pos += length
    return values


@dataclasses.dataclass
class Session:
    """One client connection through gracewire, put into one of STATES."""

    state: str
    client: rawclient.RawClient
    server_id: int | None = None  # CONNECTION_ID() as the server knows it
    greeting_id: int | None = None  # the connection id in the greeting gracewire passed on
    tx_id: int | None = None  # the uncommitted row's id (transaction)
    rest_of_response: bytes = b""  # auth_partial: the HandshakeResponse bytes not sent yet
    outcome: list[str] = dataclasses.field(default_factory=list)


def enter_state(endpoint: harness.Endpoint, creds: harness.Credentials, state: str,
                sql: str | None = None) -> Session:
    """Connects and brings the session into `state`. `sql` overrides the in-flight statement."""
    client = rawclient.RawClient(endpoint.host, endpoint.port,
                                 rcvbuf=64 * 1024 if state == "result" else None,
                                 tls=client_tls())
    session = Session(state, client)
    try:
        if state in AUTH_STATES:
            session.greeting_id = client.read_greeting().connection_id
            if state == "auth_partial":
                response = client.handshake_response(creds.user, creds.password, creds.database)
                half = len(response) // 2
                client.send(response[:half])
                session.rest_of_response = response[half:]
            return session
        client.login(creds.user, creds.password, creds.database)
        session.server_id = int(text_row(client.query("SELECT CONNECTION_ID()")[0])[0])
        if kTls or kTlsUpstream:  # the server's own word on its leg
            version = text_row(client.query("SHOW SESSION STATUS LIKE 'Ssl_version'")[0])[1]
            if bool(version) != kTlsUpstream:
                raise AssertionError(f"GW_TLS: the server leg's TLS is {version!r}")
        if state == "idle":
            pass
        elif state == "query":
            client.send_query(sql or kBusySql)
        elif state == "result":
            client.send_query(sql or kBigSql)
            client.read_result_head()
            for _ in range(kRowsBeforeStop):
                if client.read_row() is None:
                    raise AssertionError("the large result ended after fewer than 1000 rows")
        elif state == "transaction":
            session.tx_id = next_tx_id()
            client.query("START TRANSACTION")
            client.query(f"INSERT INTO {kTxTable} VALUES ({session.tx_id})")
        elif state == "prepared":
            client.prepare(kPrepareSql)
        else:
            raise ValueError(f"unknown state {state}")
        return session
    except BaseException:
        client.close()
        raise


def end_session(session: Session, ending: str) -> None:
    client = session.client
    try:
        if ending == "quit":
            if session.state == "auth_partial":
                client.send(session.rest_of_response + rawclient.kQuitPacket)
            else:
                client.send_quit()
            client.close()
        elif ending == "fin":
            client.close_fin()
        elif ending == "rst":
            client.close_rst()
        else:
            raise ValueError(f"unknown ending {ending}")
    except OSError as e:  # gracewire closed first: the ending is what it is, note it
        session.outcome.append(f"{ending}: {e!r}")
        client.close()


def parallel(fn, items) -> tuple[list, list[BaseException]]:
    """fn(item) for every item at once, one thread each: (results in order, exceptions)."""
    results, errors = [], []
    if not items:
        return results, errors
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(items)) as pool:
        for future in [pool.submit(fn, item) for item in items]:
            try:
                results.append(future.result())
            except BaseException as e:  # noqa: BLE001 - reported by the caller
                results.append(None)
                errors.append(e)
    return results, errors


# --- what the server shows -----------------------------------------------------------------------


def processlist(server: harness.MariaDB) -> tuple:
    """Client threads other than the admin's own: (id, user, command, time, state, info)."""
    return server.admin_query(
        "SELECT id, user, command, time, state, LEFT(info, 40) FROM information_schema.processlist"
        " WHERE id <> CONNECTION_ID() AND command NOT IN ('Daemon', 'Binlog Dump')"
        " AND user NOT IN ('system user', 'event_scheduler', %s) ORDER BY id",
        (server.env["ADMIN_USER"],))


def split_rows(server: harness.MariaDB, rows: tuple,
               control_user: str = harness.CONTROL_CREDENTIALS.user) -> tuple[list, list]:
    """(rows of test or unauthenticated sessions, rows of the control account)."""
    ours = [r for r in rows if r[1] in (server.user, "unauthenticated user")]
    control = [r for r in rows if r[1] == control_user]
    return ours, control


def control_rows_settled(server: harness.MariaDB, allowed: int, timeout: float = 2.0) -> list:
    """The control account's sessions, once at most `allowed` are left (or after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        _, control = split_rows(server, processlist(server))
        if len(control) <= allowed or time.monotonic() > deadline:
            return control
        time.sleep(0.05)


def prepared_statement_count(server: harness.MariaDB) -> int:
    return int(server.admin_query("SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'")[0][1])


def state_problem(server: harness.MariaDB, sessions: list[Session], prepared_before: int,
                  timeout: float = 5.0) -> str | None:
    """Waits until the server shows every session in its state; None, or what it shows instead."""
    state = sessions[0].state
    ids = {s.server_id for s in sessions}
    deadline = time.monotonic() + timeout
    while True:
        rows = processlist(server)
        by_id = {r[0]: r for r in rows}
        if state in AUTH_STATES:
            n = sum(1 for r in rows if r[1] == "unauthenticated user")
            ok, shown = n >= len(sessions), f"{n} unauthenticated sessions"
        elif state in ("idle", "transaction", "prepared"):
            ok = all(i in by_id and by_id[i][2] == "Sleep" for i in ids)
            shown = [by_id.get(i) for i in ids]
            if ok and state == "transaction":
                trx = server.admin_query(
                    "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_mysql_thread_id IN %s",
                    (tuple(ids),))[0][0]
                ok, shown = trx == len(ids), f"{trx} open InnoDB transactions"
            if ok and state == "prepared":
                count = prepared_statement_count(server)
                ok, shown = count >= prepared_before + len(ids), f"Prepared_stmt_count={count}"
        else:  # query, result: the statement is still running
            ok = all(i in by_id and by_id[i][2] == "Query" for i in ids)
            shown = [by_id.get(i) for i in ids]
        if ok:
            return None
        if time.monotonic() > deadline:
            return f"the server does not show {len(sessions)} sessions in state {state!r}: {shown}"
        time.sleep(0.05)


@dataclasses.dataclass
class ServerView:
    """What the server saw after a batch ended: the basis of every cell's assertion."""

    deltas: dict[str, int]
    lines: list[str]
    rows_at_deadline: list  # our sessions still there kCleanWithin after the end
    gone_after: float | None  # seconds until none were left (None: still there at kAttributeWithin)
    rows_left: list  # still there at kAttributeWithin (killed afterwards, to isolate the next cell)
    control_rows: list
    extra: list[str]

    def describe(self) -> str:
        parts = [f"abort counters moved by {self.deltas}"]
        if self.lines:
            shown = self.lines[:6] + ([f"... {len(self.lines) - 6} more"] if len(self.lines) > 6 else [])
            parts.append(f"{len(self.lines)} new abort log lines: " + " | ".join(shown))
        else:
            parts.append("no abort log lines")
        if self.rows_at_deadline:
            parts.append(f"{len(self.rows_at_deadline)} sessions still in processlist {kCleanWithin:g} s "
                         f"after the clients ended: {self.rows_at_deadline[:6]}")
        if self.gone_after is not None and self.rows_at_deadline:
            parts.append(f"all gone after {self.gone_after:.1f} s")
        if self.rows_left:
            parts.append(f"{len(self.rows_left)} sessions still there after {kAttributeWithin:g} s "
                         f"(killed by the test): {self.rows_left[:6]}")
        parts += self.extra
        return "; ".join(parts)


def observe_server(case: harness.IntegrationTestCase, ended_at: float, *, allowed_control: int,
                   clean_within: float = kCleanWithin) -> ServerView:
    """Polls the processlist until our sessions are gone (or kAttributeWithin passed), then reads
    the counters and new log lines since the test's mark, and moves the mark past them."""
    server = case.server
    rows_at_deadline: list = []
    deadline_checked = False
    gone_after = None
    while True:
        ours, control = split_rows(server, processlist(server))
        elapsed = time.monotonic() - ended_at
        if not deadline_checked and (elapsed >= clean_within or not ours):
            rows_at_deadline, deadline_checked = ours, True
        if not ours:
            gone_after = elapsed
            break
        if elapsed >= kAttributeWithin:
            break
        time.sleep(0.05)
    time.sleep(case.settle_seconds)
    lines, deltas = server.settled_changes_since(case._mark)
    _, control = split_rows(server, processlist(server))
    view = ServerView(deltas, lines, rows_at_deadline, gone_after, ours if gone_after is None else [],
                      control if len(control) > allowed_control else [], [])
    if len(control) > allowed_control:
        view.extra.append(f"{len(control)} control-account sessions where at most {allowed_control} "
                          f"may be open: {control}")
    if view.rows_left:  # isolate the next cell: end them here, and let the server count that
        for row in view.rows_left:
            server.admin_query(f"KILL {int(row[0])}")
        left = {r[0] for r in view.rows_left}
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and left & {r[0] for r in processlist(server)}:
            time.sleep(0.05)
        time.sleep(case.settle_seconds)
    case._mark = server.mark()  # the harness's after-test check continues from here
    return view


def rolled_back_problem(server: harness.MariaDB, sessions: list[Session]) -> str | None:
    ids = tuple(s.tx_id for s in sessions if s.tx_id is not None)
    if not ids:
        return None
    rows = server.admin_query(f"SELECT id FROM test.{kTxTable} WHERE id IN %s", (ids,))
    if rows:
        return (f"{len(rows)} of {len(ids)} uncommitted rows are in the table afterwards "
                f"(the server did not roll back): {[r[0] for r in rows][:10]}")
    return None


# --- the test case base ---------------------------------------------------------------------------


class CloseCase(harness.IntegrationTestCase):
    """Runs batches of sessions through a state and an ending and asserts what the server saw."""

    def setUp(self) -> None:
        super().setUp()
        self.prepared_before = 0
        self._gw_log_starts: dict[int, int] = {}  # id(gracewire) -> length of its log at the start
        # Control sessions beyond the module gracewire's one, already open when this test began:
        # an earlier test's failure, reported there; this test judges only what it adds.
        _, control = split_rows(self.server, processlist(self.server))
        self.control_surplus = max(0, len(control) - 1)

    @property
    def creds(self) -> harness.Credentials:
        return harness.Credentials(self.server.user, self.server.password, self.server.database)

    def require_gracewire(self) -> harness.Gracewire:
        gw = super().require_gracewire()
        self.note_log_start(gw)
        return gw

    def note_log_start(self, gw: harness.Gracewire) -> None:
        self._gw_log_starts.setdefault(id(gw), len(gw.log()))

    def gw_excerpt(self, gw: harness.Gracewire, limit: int = 10) -> list[str]:
        """gracewire's close lines, warnings and errors since this test started using it."""
        text = gw.log()[self._gw_log_starts.get(id(gw), 0):]
        wanted = re.compile(r"closed:|\b(warning|warn|error|critical)\b|self-audit|drain|signal")
        lines = [l for l in text.splitlines() if wanted.search(l)]
        return lines[-limit:]

    def enter(self, endpoint: harness.Endpoint, state: str, n: int = kRepeat,
              sql: str | None = None, gw: harness.Gracewire | None = None) -> list[Session]:
        """n sessions in `state` at once; fails (closing them) unless the server shows them so."""
        if gw is not None:
            self.note_log_start(gw)
        self.prepared_before = prepared_statement_count(self.server)
        sessions, errors = parallel(lambda _: enter_state(endpoint, self.creds, state, sql),
                                    list(range(n)))
        live = [s for s in sessions if s is not None]
        if errors:
            problem = (f"{len(errors)} of {n} sessions could not enter state {state!r} through "
                       f"{endpoint.name}: {sorted({repr(e) for e in errors})[:3]}")
        else:
            problem = state_problem(self.server, live, self.prepared_before)
        if problem:
            parallel(lambda s: end_session(s, "quit"), live)
            self.fail(problem + (f". gracewire log: {self.gw_excerpt(gw)}" if gw else ""))
        return live

    def end(self, sessions: list[Session], ending: str) -> float:
        """Ends every session at once; returns when the last ending was sent."""
        parallel(lambda s: end_session(s, ending), sessions)
        return time.monotonic()

    def assert_server_saw(self, cell: str, sessions: list[Session], ended_at: float, *,
                          gw: harness.Gracewire | None = None, allowed_control: int = 1,
                          deltas: dict[str, int] | None = None, line_marker: str | None = None,
                          line_count: int = 0, clean_within: float = kCleanWithin,
                          client_problems: list[str] | None = None) -> ServerView:
        """Clean (the default), or exactly the given counter deltas and `line_count` abort lines
        containing `line_marker`. Always: no session left after `clean_within` seconds, at most
        `allowed_control` control-account sessions, rolled-back transactions, freed statements."""
        view = observe_server(self, ended_at, allowed_control=allowed_control + self.control_surplus,
                              clean_within=clean_within)
        expected = dict.fromkeys(harness.ABORT_COUNTERS, 0) | (deltas or {})
        problems = list(client_problems or [])
        if view.deltas != expected:
            problems.append(f"abort counters moved by {view.deltas}, expected {expected}")
        matching = [l for l in view.lines if line_marker and line_marker in l]
        others = [l for l in view.lines if l not in matching]
        if others or len(matching) != line_count:
            problems.append(f"expected {line_count} abort log lines"
                            + (f" with {line_marker!r}" if line_marker else "")
                            + f", got {len(matching) + len(others)}")
        if view.rows_at_deadline:
            statements = [r for r in view.rows_at_deadline if r[2] == "Query"]
            problems.append(
                f"{len(view.rows_at_deadline)} server sessions outlived their clients by more than "
                f"{clean_within:g} s" + (
                    f" ({len(statements)} of them still running their statement: under "
                    f'in_flight = "cancel" gracewire must KILL QUERY it, drain, then COM_QUIT)'
                    if statements else ""))
        elif view.rows_left:
            problems.append(f"{len(view.rows_left)} server sessions left behind")
        problems += [f"{e} (gracewire keeps one control connection; the spec allows no more"
                     + (f"; {self.control_surplus} extra were open before this test)"
                        if self.control_surplus else ")") for e in view.extra]
        if sessions and sessions[0].state == "transaction":
            if (p := rolled_back_problem(self.server, sessions)) is not None:
                problems.append(p)
        if sessions and sessions[0].state == "prepared":
            after = prepared_statement_count(self.server)
            if after != self.prepared_before:
                problems.append(f"Prepared_stmt_count is {after}, was {self.prepared_before} before "
                                f"the cell: the server still holds statements of closed sessions")
        notes = sorted({n for s in sessions for n in s.outcome})
        if problems:
            message = f"{cell} x{len(sessions)}: {'; '.join(problems)}.\nThe server saw: {view.describe()}"
            if notes:
                message += f"\nClients noted: {notes[:5]}"
            gw = gw or self.stack.gracewire
            if gw is not None:
                message += "\ngracewire log:\n  " + ("\n  ".join(self.gw_excerpt(gw))
                                                       or "(no close, warning or error lines)")
            self.fail(message)
        return view

    def run_cell(self, state: str, ending: str) -> None:
        gw = self.require_gracewire()
        sessions = self.enter(gw.endpoint, state, gw=gw)
        ended_at = self.end(sessions, ending)
        self.assert_server_saw(f"cell {state} x {ending}", sessions, ended_at)
        self.assertTrue(gw.alive(), f"gracewire exited during cell {state} x {ending}")
