"""gracewire's SIGTERM as the ending of every client state, 200 sessions at shutdown, a second signal.

Issue 4, behaviour 6: stop accepting; idle clients get ERR 1053 and their upstream is quit; commands
in flight and open transactions may finish until drain_timeout, then are cancelled (KILL QUERY,
drain, COM_QUIT); exit code 0; a second signal skips the drain; at the end one self-audit line.

Each SIGTERM cell starts its own gracewire (drain_timeout 2 s, close_timeout 2 s, control account),
puts GW_MATRIX_REPEAT sessions (default 20) into one client state (closecells.py), sends SIGTERM and
checks: the exit code is 0 and came within drain_timeout + close_timeout + a margin; every client
got an answer that fits its state and then a closed connection; the server saw nothing (counters,
log, processlist: neither the clients' sessions nor gracewire's control connection are left); and
gracewire's self-audit says +0, +0. Clients with a half-read result keep not reading until
gracewire has exited (a stuck client must not hold up the shutdown), then read what is left.
"""

import concurrent.futures
import re
import shutil
import signal
import time
import unittest
from pathlib import Path

import closecells as cc
import harness

kMargin = 2.0 * harness.TIME_FACTOR  # for process exit, loaded CI machines, sanitized builds
# Cancelled SELECT SLEEP()s add the server's own KILL QUERY latency (closecells.py).
kExitWithin = cc.kDrainTimeout + cc.kCloseTimeout + cc.kServerKillLatency + kMargin
kShutdownErr = "err:1053"  # ER_SERVER_SHUTDOWN, "Server shutdown in progress"
CONFIG_DIR: Path | None = None


def setUpModule():
    global CONFIG_DIR
    CONFIG_DIR = cc.start_close_stack("shutdown")


def tearDownModule():
    shutil.rmtree(CONFIG_DIR, ignore_errors=True)
    harness.stop_stack()


def complete_result(tokens: list[str]) -> bool:
    """A one-row result set, whole: column count, column definition, EOF, row, EOF."""
    return tokens[:5] == ["data", "data", "eof", "data", "eof"]


def outcome_problem(state: str, tokens: list[str], sleep_finishes: bool = False) -> str | None:
    """None if what the client got after SIGTERM fits its state; else a description."""
    if not tokens or not tokens[-1].startswith("closed:"):
        return "the connection was not closed"
    if state in ("idle", "transaction", "prepared"):
        return None if tokens[0] == kShutdownErr else f"expected {kShutdownErr} first"
    if state == "query":
        if sleep_finishes:
            return None if complete_result(tokens) else "expected its complete result"
        got_error = any(t.startswith("err:") for t in tokens)
        return None if complete_result(tokens) or got_error else "expected its result or an error"
    return None  # result (cut off: an error to its client library), auth states: closed is the answer


def aborted_by_group(groups: dict[str, list[cc.Session]], lines: list[str]) -> str:
    """Which groups the server's "Aborted connection N" lines belong to, by connection id."""
    group_of = {}
    for name, group in groups.items():
        for session in group:
            for known in (session.server_id, session.greeting_id):
                if known is not None:
                    group_of[known] = name
    counts: dict[str, int] = {}
    for line in lines:
        if (m := re.search(r"Aborted connection (\d+)", line)):
            user = re.search(r"user: '([^']*)'", line)
            name = group_of.get(int(m.group(1)),
                                f"other sessions of user {user.group(1) if user else '?'}")
            counts[name] = counts.get(name, 0) + 1
    return "abort lines by group: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none")


class ShutdownCase(cc.CloseCase):
    early_exit: str | None = None

    def sigterm_batch(self, gw: harness.Gracewire, groups: dict[str, list[cc.Session]], *,
                      second_signal_after: float | None = None,
                      exit_within: float = kExitWithin) -> tuple[int | None, float, float | None]:
        """SIGTERM (and optionally a second one) while the sessions sit in their states.

        Every client except a half-read result reads from the moment of the signal; those read only
        after gracewire exited. Fills each session's `outcome`. Returns (exit code or None if it
        did not exit in time, seconds from the first signal to exit, time of the last signal)."""
        readers = [s for group in groups.values() for s in group if s.state != "result"]
        stuck = [s for group in groups.values() for s in group if s.state == "result"]
        read_for = exit_within + 3
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(readers))) as pool:
            futures = {pool.submit(s.client.read_outcome, read_for): s for s in readers}
            signalled = time.monotonic()
            gw.proc.send_signal(signal.SIGTERM)
            last_signal = signalled
            code = None
            if second_signal_after is not None:
                time.sleep(second_signal_after)
                if gw.proc.poll() is None:
                    gw.proc.send_signal(signal.SIGTERM)
                    last_signal = time.monotonic()
                else:
                    self.early_exit = (f"gracewire exited {second_signal_after:g} s after the first "
                                       f"signal, before the second: it did not drain")
            try:
                code = gw.proc.wait(max(0.1, exit_within - (time.monotonic() - signalled)))
            except Exception:  # noqa: BLE001 - TimeoutExpired: reported by the caller
                pass
            exited = time.monotonic() - signalled
            if code is None:  # don't leave it running; its state is reported below
                gw.proc.kill()
                gw.proc.wait()
            for future, session in futures.items():
                session.outcome = future.result()
        for session in stuck:
            session.outcome = session.client.read_outcome(3)
        for group in groups.values():
            for session in group:
                session.client.close()
        return code, exited, last_signal

    def assert_shutdown(self, cell: str, gw: harness.Gracewire, groups: dict[str, list[cc.Session]],
                        code: int | None, exited: float, ended_at: float, *,
                        exit_within: float = kExitWithin,
                        sleep_finishes: frozenset[str] = frozenset()) -> None:
        problems = [self.early_exit] if self.early_exit else []
        if code is None:
            problems.append(f"gracewire had not exited {exit_within:g} s after SIGTERM (killed by the test)")
        elif code != 0:
            problems.append(f"gracewire exited with {code}")
        elif exited > exit_within:
            problems.append(f"gracewire took {exited:.1f} s to exit, more than {exit_within:g} s")
        bad: dict[str, list[str]] = {}
        for name, group in groups.items():
            for session in group:
                if (p := outcome_problem(session.state, session.outcome, name in sleep_finishes)):
                    bad.setdefault(f"{name}: {p}", []).append(" ".join(session.outcome[:8]))
        for what, seen in bad.items():
            problems.append(f"{len(seen)} clients ({what}) got: {sorted(set(seen))[:3]}")
        audit = cc.self_audit(gw)
        if code is not None and audit != (0, 0):
            problems.append("no self-audit line" if audit is None else
                            f"self-audit: expected +0, +0, gracewire logged +{audit[0]}, +{audit[1]}")
        everyone = [s for group in groups.values() for s in group]
        transactions = [s for s in everyone if s.state == "transaction"]
        view = cc.observe_server(self, ended_at, allowed_control=1, clean_within=exit_within)
        if any(view.deltas.values()) or view.lines:
            problems.append("the server saw unclean session ends"
                            + (f" ({aborted_by_group(groups, view.lines)})" if len(groups) > 1 else ""))
        if view.rows_at_deadline or view.rows_left:
            problems.append("server sessions outlived gracewire")
        problems += [f"{e}: the stopped gracewire's control connections must be gone"
                     for e in view.extra]
        if (p := cc.rolled_back_problem(self.server, transactions)) is not None:
            problems.append(p)
        _, lifetime = self.server.changes_since(self.lifetime_mark)
        truth = (lifetime["Aborted_clients"], lifetime["Aborted_connects"])
        if audit is not None and audit != truth:
            problems.append(f"the self-audit is not what happened: it says +{audit[0]}, +{audit[1]}, "
                            f"the server's counters moved +{truth[0]}, +{truth[1]} over gracewire's "
                            f"lifetime (read before the server had counted all of its closes?)")
        if problems:
            self.fail(f"{cell} ({len(everyone)} sessions): {'; '.join(problems)}.\n"
                      f"The server saw: {view.describe()}\ngracewire log:\n  "
                      + "\n  ".join(self.gw_excerpt(gw, limit=14)))

    def enter_groups(self, gw: harness.Gracewire, plan: dict[str, tuple[str, int, str | None]]
                     ) -> dict[str, list[cc.Session]]:
        """plan: group name -> (state, count, sql). All groups enter at once."""
        items = [(name, state, sql) for name, (state, n, sql) in plan.items() for _ in range(n)]
        prepared_before = cc.prepared_statement_count(self.server)
        sessions, errors = cc.parallel(
            lambda item: (item[0], cc.enter_state(gw.endpoint, self.creds, item[1], item[2])), items)
        groups: dict[str, list[cc.Session]] = {name: [] for name in plan}
        for entry in sessions:
            if entry is not None:
                groups[entry[0]].append(entry[1])
        problem = None
        if errors:
            problem = (f"{len(errors)} of {len(items)} sessions could not enter their state: "
                       f"{sorted({repr(e) for e in errors})[:3]}")
        else:
            for name, group in groups.items():
                if (problem := cc.state_problem(self.server, group, prepared_before)) is not None:
                    problem = f"{name}: {problem}"
                    break
        if problem:
            self.abandon(gw, [s for group in groups.values() for s in group])
            self.fail(problem + f". gracewire log: {self.gw_excerpt(gw)}")
        return groups

    def start_gracewire(self, name: str, **config) -> harness.Gracewire:
        """A gracewire for this test; the server's counters at its start are kept for the audit."""
        self.lifetime_mark = self.server.mark()
        gw = cc.start_gracewire(self.stack, name, **config)
        self.note_log_start(gw)
        return gw

    def stop_quietly(self, gw: harness.Gracewire) -> None:
        """After a test's own SIGTERM, or when a test failed early: make sure it is gone."""
        if gw.alive():
            try:
                gw.stop(timeout=kExitWithin + 5)
            except AssertionError:
                pass  # killed; the test already failed or reports why

    def abandon(self, gw: harness.Gracewire, sessions: list[cc.Session]) -> None:
        """A test that cannot go on: quit its sessions, stop its gracewire and wait until the
        server has no session of ours left, so that what it logs lands in this test, not the next."""
        cc.parallel(lambda s: cc.end_session(s, "quit"), sessions)
        self.stop_quietly(gw)
        deadline = time.monotonic() + cc.kAttributeWithin
        while cc.split_rows(self.server, cc.processlist(self.server))[0]:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        time.sleep(self.settle_seconds)


class SigtermCellTest(ShutdownCase):
    """test_sigterm_<state>: the fourth column of the close matrix, generated below."""

    def run_sigterm_cell(self, state: str) -> None:
        self.require_gracewire()
        gw = self.start_gracewire(f"sigterm-{state}")
        try:
            groups = self.enter_groups(gw, {state: (state, cc.kRepeat, None)})
            code, exited, last = self.sigterm_batch(gw, groups)
        finally:
            self.stop_quietly(gw)
        self.assert_shutdown(f"cell {state} x SIGTERM", gw, groups, code, exited, last)


def _make_sigterm_cell(state: str):
    def test(self):
        self.run_sigterm_cell(state)

    test.__doc__ = f"{state} x gracewire SIGTERM: exit 0 in time, clients answered, server clean"
    return test


for _state in cc.STATES:
    setattr(SigtermCellTest, f"test_sigterm_{_state}", _make_sigterm_cell(_state))


class ShutdownTest(ShutdownCase):
    def test_200_sessions_in_mixed_states(self):
        """200 sessions: idle, short and long statements, half-read results, open transactions,
        handshakes. drain_timeout 4 s: the short statements (2 s, sent last, just before the
        signal) finish and get their result, the long ones are cancelled; idle ones get 1053; exit
        0 within drain + close + margin; the server is clean."""
        self.require_gracewire()
        drain = 4.0
        gw = self.start_gracewire("sigterm-200", drain_timeout=drain)
        plan = {
            "idle": ("idle", 40, None),
            "long query": ("query", 30, "SELECT SLEEP(30)"),
            "half-read result": ("result", 30, None),
            "transaction": ("transaction", 40, None),
            "greeting only": ("auth_greeting", 15, None),
            "partial handshake": ("auth_partial", 15, None),
        }
        # Entering 170 sessions takes a while (30 read 1000 rows each); a short statement sent
        # with them could be over before the signal.
        short = {"short query": ("query", 30, "SELECT SLEEP(2)")}
        # After the drain deadline gracewire's own bound is 3 x close_timeout + 1 s (proxy.cpp):
        # thirty cancelled SELECT SLEEP()s queue their KILL QUERYs on a server that may take
        # seconds over each.
        exit_within = drain + 3 * cc.kCloseTimeout + 1 + kMargin
        try:
            groups = self.enter_groups(gw, plan)
            groups |= self.enter_groups(gw, short)
            self.assertEqual(sum(len(g) for g in groups.values()), 200)
            code, exited, last = self.sigterm_batch(gw, groups, exit_within=exit_within)
        finally:
            self.stop_quietly(gw)
        self.assert_shutdown("200 sessions x SIGTERM", gw, groups, code, exited, last,
                             exit_within=exit_within, sleep_finishes=frozenset({"short query"}))
        long_errors = [s.outcome for s in groups["long query"] if not complete_result(s.outcome)]
        self.assertEqual(len(long_errors), len(groups["long query"]),
                         "SLEEP(30) statements must have been cancelled at the drain deadline, "
                         "not waited for")

    def test_second_signal_skips_the_drain(self):
        """drain_timeout 30 s and statements of 30 s in flight: the first SIGTERM waits for them
        (idle clients get 1053 at once), the second ends the drain: the statements are cancelled
        cleanly and gracewire exits 0 within close_timeout + the server's kill latency + margin
        of the second signal (the cancel is a KILL QUERY, as in every other cell's bound)."""
        self.require_gracewire()
        gw = self.start_gracewire("second-signal", drain_timeout=30.0)
        plan = {"idle": ("idle", 5, None), "long query": ("query", 10, "SELECT SLEEP(30)")}
        try:
            groups = self.enter_groups(gw, plan)
            code, exited, last = self.sigterm_batch(gw, groups, second_signal_after=1.0,
                                                    exit_within=1.0 + cc.kCloseTimeout +
                                                    cc.kServerKillLatency + kMargin)
        finally:
            self.stop_quietly(gw)
        self.assert_shutdown("second signal", gw, groups, code, exited, last,
                             exit_within=1.0 + cc.kCloseTimeout + cc.kServerKillLatency + kMargin)


if __name__ == "__main__":
    unittest.main(verbosity=2)
