"""The close matrix (issue 4): however a client leaves, the server sees a clean session end.

Every cell puts GW_MATRIX_REPEAT (default 20) concurrent sessions through gracewire into one client
state and ends them one way (closecells.py documents the states and endings). Then, against the
real MariaDB (log_warnings=2), with the delay a late close needs (a query left running is logged
only when it ends), it asserts: Aborted_clients, Aborted_connects and Aborted_connects_preauth did
not move, no "Aborted connection" or "Access denied" line was logged, no session of the test user
(or unauthenticated one) is left in the processlist, and at most gracewire's one control
connection is. Cells where the client leaves mid-command also need gracewire to cancel (KILL QUERY
over its control connection): the sessions must be gone within closecells.kCleanWithin, long before
their statement (a wait for a lock the test holds) would end by itself.

Also here: the mirror policy (the server sees the client's abort, exactly), a wrong password (must
stay visible), the server ending a session first (KILL, wait_timeout), the finish policy, no control
account, and the self-audit line. gracewire's SIGTERM as an ending, and 200 sessions at shutdown,
are in test_shutdown.py.
"""

import concurrent.futures
import shutil
import time
import unittest
from pathlib import Path

import pymysql

import closecells as cc
import harness
import rawclient

CONFIG_DIR: Path | None = None


def setUpModule():
    global CONFIG_DIR
    CONFIG_DIR = cc.start_close_stack("close_matrix")


def tearDownModule():
    problems = []
    stack = harness.STACK
    try:
        gw = stack.gracewire if stack else None
        if gw is not None and stack.server and stack.server.env:
            code = gw.stop()
            audit = cc.self_audit(gw)
            time.sleep(harness.IntegrationTestCase.settle_seconds)  # the server counts a close late
            _, truth = stack.server.settled_changes_since(stack.start_mark)
            expected = (truth["Aborted_clients"], truth["Aborted_connects"])
            if code != 0:
                problems.append(f"the module's gracewire exited with {code}")
            if audit != expected:
                problems.append(f"the module's gracewire self-audit says {audit}, but over its lifetime "
                                f"the server's counters moved by {truth} (the tests here provoke some "
                                f"aborts on purpose; the audit must report them as they are)")
            control = cc.control_rows_settled(stack.server, 0)
            if control:
                problems.append(f"control-account sessions left after gracewire stopped: {control}")
    finally:
        shutil.rmtree(CONFIG_DIR, ignore_errors=True)
        try:
            harness.stop_stack()
        except AssertionError as e:
            problems.append(str(e))
    if problems:
        raise AssertionError("; ".join(problems))


class CloseMatrixTest(cc.CloseCase):
    """test_cell_<state>_<ending>, generated below for every state x client ending."""


def _make_cell(state: str, ending: str):
    def test(self):
        self.run_cell(state, ending)

    test.__doc__ = f"{state} x {ending}: clean at the server, {cc.kRepeat} times"
    return test


for _state in cc.STATES:
    for _ending in cc.CLIENT_ENDINGS:
        setattr(CloseMatrixTest, f"test_cell_{_state}_{_ending}", _make_cell(_state, _ending))


class ClosePolicyTest(cc.CloseCase):
    def test_quit_then_wait_for_eof(self):
        """A well-behaved client: COM_QUIT, then wait. gracewire closes it once the server closed,
        well within close_timeout, without sending anything."""
        gw = self.require_gracewire()
        sessions = self.enter(gw.endpoint, "idle", gw=gw)

        def quit_and_wait(session):
            session.client.send_quit()
            result = session.client.read_until_eof(cc.kCloseTimeout + 1)
            session.client.close()
            return result

        results, errors = cc.parallel(quit_and_wait, sessions)
        ended_at = time.monotonic()
        self.assertEqual(errors, [])
        self.assertEqual(sorted(set(results)), [(True, 0, "EOF")],
                         "after COM_QUIT the client must see a plain EOF (nothing sent, no RST)")
        self.assert_server_saw("idle x COM_QUIT, wait for EOF", sessions, ended_at)

    def test_quit_pipelined_after_handshake_response(self):
        """HandshakeResponse and COM_QUIT in one write, then wait: the server answers OK, then
        closes (research Q5). Through gracewire the client must see the same, not an error."""
        gw = self.require_gracewire()

        def pipelined(endpoint):
            client = rawclient.RawClient(endpoint.host, endpoint.port)
            try:
                client.read_greeting()
                client.send(client.handshake_response(self.server.user, self.server.password,
                                                      self.server.database) + rawclient.kQuitPacket)
                return " ".join(client.read_outcome(cc.kCloseTimeout + 1))
            finally:
                client.close()

        direct = pipelined(self.stack.direct)
        self.assertEqual(direct, "ok closed:EOF", "the server's own answer (research Q5)")
        outcomes, errors = cc.parallel(lambda _: pipelined(gw.endpoint), list(range(cc.kRepeat)))
        ended_at = time.monotonic()
        self.assertEqual(errors, [])
        self.assertEqual(sorted(set(outcomes)), [direct],
                         "what the clients got through gracewire (err:1156: gracewire took the "
                         "COM_QUIT for an authentication packet out of sequence)")
        self.assert_server_saw("auth: HandshakeResponse + COM_QUIT, wait", [], ended_at)

    def test_mirror_policy_reproduces_client_abort(self):
        """client_abort = "mirror": an idle client's FIN or RST without COM_QUIT reaches the server
        as what it is, exactly one Aborted_clients and one "Aborted connection" line per session,
        while a COM_QUIT stays clean; through absorb the same FIN and RST move nothing."""
        self.require_gracewire()
        mirror = cc.start_gracewire(self.stack, "mirror", client_abort="mirror")
        mirrored = 0
        try:
            for ending in ("fin", "rst"):
                sessions = self.enter(mirror.endpoint, "idle", gw=mirror)
                ended_at = self.end(sessions, ending)
                self.assert_server_saw(f"mirror: idle x {ending}", sessions, ended_at, gw=mirror,
                                       allowed_control=2, deltas={"Aborted_clients": len(sessions)},
                                       line_marker="Got an error reading communication packets",
                                       line_count=len(sessions))
                mirrored += len(sessions)
            sessions = self.enter(mirror.endpoint, "idle", gw=mirror)
            ended_at = self.end(sessions, "quit")
            self.assert_server_saw("mirror: idle x quit", sessions, ended_at, gw=mirror,
                                   allowed_control=2)
        finally:
            code = mirror.stop()
        self.assertEqual(code, 0, "the mirror gracewire's exit code")
        self.assertEqual(cc.self_audit(mirror), (mirrored, 0),
                         "the mirror gracewire's self-audit must count the aborts it mirrored")
        for ending in ("fin", "rst"):  # the same clients through the absorbing gracewire: nothing
            sessions = self.enter(self.stack.proxied, "idle", gw=self.stack.gracewire)
            ended_at = self.end(sessions, ending)
            self.assert_server_saw(f"absorb: idle x {ending}", sessions, ended_at)

    def test_wrong_password_stays_visible(self):
        """The server's 1045 reaches the client; the server logs it and counts it, exactly once
        per attempt (gracewire must not hide it behind its control account)."""
        gw = self.require_gracewire()

        def attempt(_):
            try:
                harness.connect(gw.endpoint, self.server, password="not-the-password").close()
            except pymysql.err.OperationalError as e:
                return e.args[0]
            return "connected"

        codes, errors = cc.parallel(attempt, list(range(cc.kRepeat)))
        ended_at = time.monotonic()
        self.assertEqual(errors, [])
        self.assertEqual(codes, [1045] * cc.kRepeat, "what the clients got")
        self.assert_server_saw("wrong password", [], ended_at,
                               deltas={"Aborted_connects": cc.kRepeat},
                               line_marker=f"Access denied for user '{self.server.user}'",
                               line_count=cc.kRepeat)
        self.assertTrue(gw.alive())

    def test_server_kills_sessions(self):
        """KILL <id> from an admin connection, of an idle session and of one running a statement:
        each client gets an error, nothing else is disturbed. Each KILL costs Aborted_clients +1 at
        the server (research Q1, Q3) and logs nothing at log_warnings=2; gracewire adds nothing."""
        gw = self.require_gracewire()
        idle = self.connect(gw.endpoint)
        busy = self.connect(gw.endpoint)
        bystander = self.connect(gw.endpoint)
        ids = []
        for conn in (idle, busy):
            with conn.cursor() as cur:
                cur.execute("SELECT CONNECTION_ID()")
                ids.append(cur.fetchone()[0])

        def sleep_on_busy():
            with busy.cursor() as cur:
                cur.execute("SELECT SLEEP(5)")
                return cur.fetchall()

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            running = pool.submit(sleep_on_busy)
            deadline = time.monotonic() + 3
            while not [r for r in cc.processlist(self.server) if r[0] == ids[1] and r[2] == "Query"]:
                self.assertLess(time.monotonic(), deadline, "the SLEEP never showed up")
                time.sleep(0.02)
            for server_id in ids:
                self.server.admin_query(f"KILL {int(server_id)}")
            with self.assertRaises(pymysql.err.OperationalError) as busy_error:
                running.result(timeout=10)
        with self.assertRaises(pymysql.err.OperationalError) as idle_error, idle.cursor() as cur:
            cur.execute("SELECT 1")
        self.assertIn(idle_error.exception.args[0], (2013, 2006, 1927),
                      f"the killed idle session's client got {idle_error.exception.args}")
        self.assertIn(busy_error.exception.args[0], (2013, 1927),
                      f"the client whose statement's session was killed got {busy_error.exception.args}")
        with bystander.cursor() as cur:
            cur.execute("SELECT 42")
            self.assertEqual(cur.fetchone(), (42,), "another session was disturbed")
        bystander.close()
        ended_at = time.monotonic()
        self.assertTrue(gw.alive())
        self.assert_server_saw("server KILLs an idle and a busy session", [], ended_at,
                               deltas={"Aborted_clients": 2})

    def test_server_wait_timeout(self):
        """The server's wait_timeout ends an idle session: the client's next query fails, nothing
        else is disturbed. The server itself logs and counts it (measured: "Got timeout reading
        communication packets", Aborted_clients +1, and it resets the connection)."""
        gw = self.require_gracewire()
        sleeper = self.connect(gw.endpoint)
        bystander = self.connect(gw.endpoint)
        with sleeper.cursor() as cur:
            cur.execute("SET SESSION wait_timeout = 1")
        time.sleep(2.5)
        with self.assertRaises(pymysql.err.OperationalError) as caught, sleeper.cursor() as cur:
            cur.execute("SELECT 1")
        self.assertIn(caught.exception.args[0], (2013, 2006, 4031),
                      f"the timed-out session's client got {caught.exception.args}")
        with bystander.cursor() as cur:
            cur.execute("SELECT 42")
            self.assertEqual(cur.fetchone(), (42,), "another session was disturbed")
        bystander.close()
        ended_at = time.monotonic()
        self.assertTrue(gw.alive())
        self.assert_server_saw("server wait_timeout", [], ended_at, deltas={"Aborted_clients": 1},
                               line_marker="Got timeout reading communication packets", line_count=1)

    def test_finish_policy_lets_the_statement_complete(self):
        """in_flight = "finish": a client that leaves mid-statement does not cancel it; gracewire
        waits for the end, discards the result and quits. Clean, and the statement ran to its end."""
        self.require_gracewire()
        finisher = cc.start_gracewire(self.stack, "finish", in_flight="finish")
        try:
            sql = "SELECT SLEEP(2)"
            sessions = self.enter(finisher.endpoint, "query", sql=sql, gw=finisher)
            ended_at = self.end(sessions, "fin")
            time.sleep(1.0)
            running = [r for r in cc.processlist(self.server) if r[5] == sql]
            self.assertEqual(len(running), len(sessions),
                             f"1 s after the clients left, {len(running)} of {len(sessions)} statements "
                             f"were still running; with finish they all must be: {running[:5]}")
            self.assert_server_saw("finish: query x FIN", sessions, ended_at, gw=finisher,
                                   allowed_control=2, clean_within=2 + cc.kCleanWithin)
        finally:
            code = finisher.stop()
        self.assertEqual(code, 0)

    def test_without_control_account(self):
        """No [control]: an idle client's FIN is still absorbed (COM_QUIT needs no account), but a
        handshake abandoned before authentication cannot be completed, so the server logs "closed
        normally without authentication" and counts Aborted_connects and _preauth, once each."""
        self.require_gracewire()
        plain = cc.start_gracewire(self.stack, "no-control", control=None)
        try:
            sessions = self.enter(plain.endpoint, "idle", gw=plain)
            ended_at = self.end(sessions, "fin")
            self.assert_server_saw("no control account: idle x FIN", sessions, ended_at, gw=plain)
            sessions = self.enter(plain.endpoint, "auth_greeting", gw=plain)
            ended_at = self.end(sessions, "fin")
            n = len(sessions)
            self.assert_server_saw("no control account: auth_greeting x FIN", sessions, ended_at,
                                   gw=plain, deltas={"Aborted_connects": n,
                                                     "Aborted_connects_preauth": n},
                                   line_marker="closed normally without authentication", line_count=n)
        finally:
            code = plain.stop()
        self.assertEqual(code, 0)

    def test_self_audit_after_clean_run(self):
        """After a clean run gracewire's last word is "self-audit: Aborted_clients +0,
        Aborted_connects +0", which matches the server, and its control connection is gone."""
        self.require_gracewire()
        mark = self.server.mark()
        audited = cc.start_gracewire(self.stack, "self-audit")
        try:
            for state, ending in (("idle", "quit"), ("idle", "fin"), ("query", "rst"),
                                  ("auth_greeting", "fin")):
                sessions = self.enter(audited.endpoint, state, gw=audited)
                ended_at = self.end(sessions, ending)
                self.assert_server_saw(f"self-audit run: {state} x {ending}", sessions, ended_at,
                                       gw=audited, allowed_control=2)
        finally:
            code = audited.stop()
        self.assertEqual(code, 0)
        _, truth = self.server.settled_changes_since(mark)
        self.assertEqual(truth, dict.fromkeys(harness.ABORT_COUNTERS, 0))
        self.assertEqual(cc.self_audit(audited), (0, 0),
                         f"self-audit line(s): {[l for l in audited.log().splitlines() if 'self-audit' in l]}")
        control = cc.control_rows_settled(self.server, 1)
        self.assertLessEqual(len(control), 1, f"the stopped gracewire's control session is left: {control}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
