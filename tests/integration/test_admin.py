"""The admin endpoint (issue 12): /metrics in Prometheus's text format, read by a real Prometheus
(Debian's, prometheus_server.py) as well as here, /health, /ready and POST /drain, each checked
against what the sessions through gracewire really did.

The counters are compared before and after a known workload, never as absolute values: every
module's gracewire serves the endpoint (harness gives each its own port), and this one's control
connection and earlier tests move some of them too."""

import shutil
import signal
import socket
import tempfile
import time
import unittest
from pathlib import Path

import pymysql

import harness
from prometheus_server import PrometheusServer

def setUpModule():
    global DIR
    DIR = Path(tempfile.mkdtemp(prefix="gw-admin-"))
    unittest.addModuleCleanup(shutil.rmtree, DIR, ignore_errors=True)
    account = harness.CONTROL_CREDENTIALS
    config = DIR / "gracewire.toml"
    config.write_text(f'[control]\nuser = "{account.user}"\npassword = "{account.password}"\n')
    harness.start_stack("admin", control_account=account, gracewire_args=("--config", str(config)))


def tearDownModule():
    harness.stop_stack()


http = harness.admin_http
samples = harness.metric_samples


class AdminTest(harness.IntegrationTestCase):
    def scrape(self, gw: harness.Gracewire | None = None) -> dict[str, float]:
        status, page = http((gw or self.require_gracewire()).admin_port, "/metrics")
        self.assertEqual(status, 200, page)
        return samples(page)

    def wait_ready(self, gw: harness.Gracewire) -> None:
        deadline = time.monotonic() + 10 * harness.TIME_FACTOR
        while (answer := http(gw.admin_port, "/ready"))[0] != 200:
            self.assertLess(time.monotonic(), deadline, f"never ready: {answer}")
            time.sleep(0.05)

    def test_health_and_readiness(self):
        gw = self.require_gracewire()
        self.assertEqual(http(gw.admin_port, "/health"), (200, "alive\n"))
        self.wait_ready(gw)
        self.assertEqual(http(gw.admin_port, "/ready"), (200, "ready\n"))
        self.assertEqual(http(gw.admin_port, "/nothing-here")[0], 404)

    def test_counters_follow_what_sessions_did(self):
        """Three sessions with COM_QUIT, each running two statements, and one left with a FIN:
        the deltas of the page are exactly those."""
        gw = self.require_gracewire()
        self.wait_ready(gw)  # the control connection logged in: its own statements are done
        before = self.scrape()
        for _ in range(3):
            conn = self.connect(self.stack.proxied)
            with conn.cursor() as cursor:
                cursor.execute("SELECT REPEAT('x', 10000)")
                cursor.fetchall()
                cursor.execute("SELECT 1")
            conn.close()
        rude = self.connect(self.stack.proxied)
        rude._sock.shutdown(socket.SHUT_RDWR)
        rude._sock.close()
        rude._sock = None
        deadline = time.monotonic() + 10 * harness.TIME_FACTOR
        key_ended = 'gracewire_sessions_ended_total{close_kind="%s"}'
        while True:
            after = self.scrape()
            delta = {k: after[k] - before.get(k, 0) for k in after}
            if delta[key_ended % "fin_without_quit"] >= 1 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(delta["gracewire_client_connections_accepted_total"], 4)
        self.assertEqual(delta[key_ended % "com_quit"], 3)
        self.assertEqual(delta[key_ended % "fin_without_quit"], 1)
        self.assertEqual(
            delta['gracewire_sessions_upstream_closed_total{upstream_close="com_quit_eof"}'], 4)
        # PyMySQL's own statements at login (SET autocommit) count as queries too: at least ours.
        self.assertGreaterEqual(delta['gracewire_commands_total{class="query"}'], 6)
        self.assertEqual(delta["gracewire_command_duration_seconds_count"],
                         sum(delta[k] for k in delta if k.startswith("gracewire_commands_total")))
        self.assertGreater(delta["gracewire_client_sent_bytes_total"], 3 * 10000)
        self.assertGreater(delta["gracewire_server_received_bytes_total"], 3 * 10000)
        self.assertEqual(delta["gracewire_session_duration_seconds_count"], 4)
        self.assertEqual(delta["gracewire_upstream_connect_seconds_count"], 4)
        self.assertEqual(after["gracewire_client_connections_active"], 0)
        self.assertEqual(after["gracewire_control_connection_ready"], 1)
        self.assertEqual(after["gracewire_accepting_clients"], 1)

    def test_prometheus_scrapes_the_endpoint(self):
        """Debian's Prometheus scrapes gracewire every second; a counter this test moves shows
        in its query API with the value the page has."""
        gw = self.require_gracewire()
        prometheus = PrometheusServer(f"127.0.0.1:{gw.admin_port}", self.stack.artifacts)
        prometheus.start()
        self.addCleanup(prometheus.stop)
        expr = "gracewire_client_connections_accepted_total"
        first = prometheus.wait_for(expr, lambda r: r, timeout=20 * harness.TIME_FACTOR)
        seen = float(first[0]["value"][1])
        for _ in range(5):
            self.connect(self.stack.proxied).close()
        moved = prometheus.wait_for(expr, lambda r: r and float(r[0]["value"][1]) >= seen + 5,
                                    timeout=15 * harness.TIME_FACTOR)
        self.assertEqual(float(moved[0]["value"][1]),
                         self.scrape()["gracewire_client_connections_accepted_total"])
        self.assertEqual(prometheus.target_health(), "up")
        buckets = prometheus.query('gracewire_command_duration_seconds_bucket{le="+Inf"}')
        self.assertTrue(buckets, "the histogram is read as one")

    def test_drain_ends_sessions_refuses_new_clients_and_keeps_the_process(self):
        """POST /drain: /ready answers 503 at once, the listener closes, an idle session gets the
        shutdown ERR and its server session a clean end; the process stays until SIGTERM, which
        then stops it at once. (serve_recent 0: the session, used, counts as an old idle one, not
        as one that connected just before the drain; test_loops.py has that case.)"""
        config = self.stack.tmp / "drain.toml"
        config.write_text('[close]\nserve_recent = "0s"\n')
        gw = harness.Gracewire(f"{self.server.host}:{self.server.port}",
                               self.stack.artifacts / "gracewire-drain.log",
                               ("--config", str(config)))
        gw.start()
        self.addCleanup(gw.stop)
        self.wait_ready(gw)
        idle = self.connect(gw.endpoint)
        status, body = http(gw.admin_port, "/drain", method="POST")
        self.assertEqual(status, 202, body)
        self.assertIn("draining", body)
        status, body = http(gw.admin_port, "/ready")
        self.assertEqual(status, 503)
        self.assertIn("draining", body)
        with self.assertRaises(pymysql.err.OperationalError):
            idle.ping(reconnect=False)  # ended by the drain (ERR 1053, then gracewire's close)
        with self.assertRaises(OSError):
            socket.create_connection((gw.endpoint.host, gw.endpoint.port), timeout=2).close()
        deadline = time.monotonic() + 10 * harness.TIME_FACTOR
        while "drained: every client connection closed" not in gw.log():
            self.assertLess(time.monotonic(), deadline, gw.log())
            time.sleep(0.05)
        time.sleep(0.5)
        self.assertTrue(gw.alive(), "a drain does not stop the process")
        self.assertEqual(self.scrape(gw)["gracewire_accepting_clients"], 0)
        self.assertEqual(http(gw.admin_port, "/drain", method="POST")[0], 202, "twice is harmless")
        gw.proc.send_signal(signal.SIGTERM)
        self.assertEqual(gw.proc.wait(10 * harness.TIME_FACTOR), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
