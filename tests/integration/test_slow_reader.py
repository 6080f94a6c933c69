"""A client that reads a ~200 MiB result slowly: gracewire must apply backpressure, not buffer it."""

import os
import subprocess
import time
import unittest

import pymysql.cursors

import harness

kRowBytes = 16 * 1024
kRows = 12800  # 12,800 x 16 KiB = 200 MiB
kRssLimitKib = 64 * 1024
kQuery = f"SELECT seq, REPEAT(CHAR(65 + seq % 26), {kRowBytes}) FROM seq_1_to_{kRows}"


def setUpModule():
    if harness.SANITIZED:
        # ASan keeps freed memory in a quarantine (256 MiB by default) that would grow with the bytes
        # passing through; with a small one RSS shows what gracewire itself holds.
        options = [o for o in os.environ.get("ASAN_OPTIONS", "").split(":") if o]
        os.environ["ASAN_OPTIONS"] = ":".join(options + ["quarantine_size_mb=8"])
    harness.start_stack("slow_reader")


def rss_limit_kib(baseline_kib: int) -> int:
    """The bound on gracewire's peak RSS; a sanitized build's shadow memory is added to its start."""
    return kRssLimitKib + (baseline_kib if harness.SANITIZED else 0)


def tearDownModule():
    harness.stop_stack()


def expected_row(seq: int) -> tuple[int, bytes]:
    return seq, bytes([65 + seq % 26]) * kRowBytes


class SlowReaderTest(harness.IntegrationTestCase):
    def test_slow_reader_of_200mib_keeps_rss_small(self):
        gw = self.require_gracewire()
        baseline = gw.rss_kib()
        conn = self.connect(self.stack.proxied, cursorclass=pymysql.cursors.SSCursor)
        started = time.monotonic()
        with harness.RssSampler(gw) as sampler, conn.cursor() as cur:
            cur.execute(kQuery)
            seen = 0
            for row in cur.fetchall_unbuffered():
                seen += 1
                self.assertEqual(row, expected_row(seen))
                if seen == 640:  # 10 MiB in: stop reading for a while, the server keeps writing
                    time.sleep(2.0)
                elif seen % 64 == 0:  # then about 1 MiB per 30 ms, far below what the server sends
                    time.sleep(0.03)
        elapsed = time.monotonic() - started
        self.assertEqual(seen, kRows)
        self.assertGreater(len(sampler.samples), 50)
        print(f"\nslow reader: {kRows * kRowBytes >> 20} MiB in {elapsed:.1f} s, gracewire RSS "
              f"{baseline} KiB at start, peak {sampler.peak_kib} KiB", flush=True)
        self.assertLess(sampler.peak_kib, rss_limit_kib(baseline),
                        "gracewire buffered the result instead of applying backpressure")

    def test_client_vanishes_mid_result(self):
        """The client is killed (no COM_QUIT) while the server is still streaming.

        The server must see a clean end and no session may be left behind: gracewire has to stop the
        query (KILL QUERY from a side connection), drain what is still in flight, then send COM_QUIT.
        Just closing the server connection logs "Aborted connection ... error writing" and bumps
        Aborted_clients (the per-test check in the harness)."""
        gw = self.require_gracewire()
        baseline = gw.rss_kib()
        endpoint = self.stack.proxied
        cmd = ["mariadb", "--no-defaults", "--protocol=TCP", "-h", endpoint.host, "-P", str(endpoint.port),
               "-u", self.server.user, f"-p{self.server.password}", "--quick", "--batch",
               "--skip-column-names", "-e", kQuery, self.server.database]
        with harness.RssSampler(gw) as sampler:
            # --quick streams rows to stdout as they arrive; once we stop reading the pipe, the
            # client stops reading its socket, and the server blocks on a full socket.
            client = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            got = 0
            while got < 5 * 1024 * 1024:
                chunk = client.stdout.read1(1 << 16)
                self.assertTrue(chunk, "the client's output ended early")
                got += len(chunk)
            time.sleep(1.0)
            client.kill()
            client.wait()
            client.stdout.close()
            deadline = time.monotonic() + 10 * harness.TIME_FACTOR
            while self.server.sessions_of(self.server.user) and time.monotonic() < deadline:
                time.sleep(0.1)
        self.assertEqual(self.server.sessions_of(self.server.user), (),
                         "the upstream session outlived its client")
        self.assertLess(sampler.peak_kib, rss_limit_kib(baseline))
        self.assertTrue(gw.alive())


if __name__ == "__main__":
    unittest.main(verbosity=2)
