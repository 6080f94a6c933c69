"""Restarting gracewire without refusing a client (issue 12), the sequence README "Restarting
without refusing a client" gives: start the new gracewire on the same address (every listening
socket has SO_REUSEPORT), wait for its /ready, SIGTERM the old one, which drains.

A client connects in a tight loop through the whole swap: connect, log in, SELECT, COM_QUIT. None
of its attempts may fail, both gracewire processes must audit +0, and the server must log no
aborted session (IntegrationTestCase checks it after the test).

Linux resets the connections still waiting in a listening socket's accept queue when that socket
closes, unless net.ipv4.tcp_migrate_req is 1 (Linux 5.14+): then they move to another socket of
the same port, here the new gracewire's. The test sets it for its own duration (it runs as root
in CI) and puts the old value back; gracewire itself says at start when it is 0."""

import shutil
import signal
import tempfile
import threading
import time
import unittest
from pathlib import Path

import pymysql

import harness

MIGRATE = Path("/proc/sys/net/ipv4/tcp_migrate_req")


def setUpModule():
    global DIR
    DIR = Path(tempfile.mkdtemp(prefix="gw-restart-"))
    unittest.addModuleCleanup(shutil.rmtree, DIR, ignore_errors=True)
    harness.start_stack("restart", control_account=harness.CONTROL_CREDENTIALS)


def tearDownModule():
    harness.stop_stack()


class TightLoopClient(threading.Thread):
    """Connect, log in, SELECT 1, COM_QUIT, again, until stopped; every failure is kept."""

    def __init__(self, endpoint: harness.Endpoint, server: harness.MariaDB):
        super().__init__(daemon=True)
        self.endpoint, self.server = endpoint, server
        self.stopping = threading.Event()
        self.done = 0
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                conn = pymysql.connect(host=self.endpoint.host, port=self.endpoint.port,
                                       user=self.server.user, password=self.server.password,
                                       database=self.server.database, connect_timeout=5,
                                       read_timeout=10)
                with conn.cursor() as cursor:
                    cursor.execute("SELECT 1")
                    assert cursor.fetchall() == ((1,),)
                conn.close()
                self.done += 1
            except Exception as e:  # every kind of failure is what the test counts
                self.failures.append(f"{time.monotonic():.3f}: {type(e).__name__}: {e}")


class RestartTest(harness.IntegrationTestCase):
    def setUp(self) -> None:
        super().setUp()
        if not MIGRATE.exists():
            self.fail(f"{MIGRATE} missing: Linux 5.14 or later is needed to restart without "
                      "resetting queued connections")
        old = MIGRATE.read_text().strip()
        try:
            MIGRATE.write_text("1\n")
        except OSError as e:
            self.fail(f"cannot set {MIGRATE} (the test needs root in its network namespace): {e}")
        self.addCleanup(MIGRATE.write_text, old + "\n")

    def start_gw(self, name: str, port: int = 0) -> harness.Gracewire:
        account = harness.CONTROL_CREDENTIALS
        config = DIR / f"{name}.toml"
        config.write_text("\n".join([
            "[close]", 'drain_timeout = "5s"', 'close_timeout = "1s"', "",
            "[control]", f'user = "{account.user}"', f'password = "{account.password}"', ""]))
        log = self.stack.artifacts / f"gracewire-{name}.log"
        log.unlink(missing_ok=True)
        gw = harness.Gracewire(f"{self.server.host}:{self.server.port}", log,
                               ("--config", str(config), "--loops", "2"), port=port)
        gw.start()
        self.addCleanup(lambda: gw.alive() and gw.stop())
        deadline = time.monotonic() + 10 * harness.TIME_FACTOR
        while harness.admin_http(gw.admin_port, "/ready")[0] != 200:
            self.assertLess(time.monotonic(), deadline, f"{name} never ready\n" + gw.log())
            time.sleep(0.02)
        return gw

    @staticmethod
    def accepted(gw: harness.Gracewire) -> float:
        status, page = harness.admin_http(gw.admin_port, "/metrics")
        return harness.metric_samples(page)["gracewire_client_connections_accepted_total"]

    def test_a_client_in_a_tight_loop_is_never_refused_through_three_swaps(self):
        current = self.start_gw("first")
        client = TightLoopClient(current.endpoint, self.server)
        client.start()
        self.addCleanup(client.stopping.set)
        retired = []
        for swap in range(3):
            time.sleep(0.5)
            new = self.start_gw(f"swap-{swap}", port=current.port)
            # Both listen on the port now: the kernel gives the new one clients too.
            deadline = time.monotonic() + 10 * harness.TIME_FACTOR
            while self.accepted(new) == 0:
                self.assertLess(time.monotonic(), deadline, "the new gracewire got no client")
                time.sleep(0.02)
            current.proc.send_signal(signal.SIGTERM)
            code = current.proc.wait(20 * harness.TIME_FACTOR)
            self.assertEqual(code, 0, current.log())
            retired.append(current)
            current = new
        time.sleep(0.5)
        client.stopping.set()
        client.join(20)
        self.assertFalse(client.is_alive())
        self.assertEqual(client.failures, [], f"{len(client.failures)} of "
                         f"{client.done + len(client.failures)} attempts failed")
        self.assertGreater(client.done, 100, "the client hardly ran")
        self.assertEqual(current.stop(), 0, current.log())
        for gw in [*retired, current]:
            self.assertIn("self-audit: Aborted_clients +0, Aborted_connects +0", gw.log(),
                          gw.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
