"""Upstream unreachable: the client gets a "Can't connect" error (2003) from gracewire, not a silent close."""

import time
import unittest

import pymysql

import harness

kClosedPort = harness.free_port()  # bound and released: nothing listens there


def setUpModule():
    harness.start_stack("unreachable", with_server=False, upstream=f"127.0.0.1:{kClosedPort}")


def tearDownModule():
    harness.stop_stack()


class UnreachableUpstreamTest(harness.IntegrationTestCase):
    def connect_error(self, endpoint, **kwargs):
        started = time.monotonic()
        with self.assertRaises(pymysql.err.OperationalError) as caught:
            pymysql.connect(host=endpoint.host, port=endpoint.port, user="gracewire", password="x",
                            database="test", connect_timeout=10, read_timeout=10, **kwargs)
        self.assertLess(time.monotonic() - started, 5, "the error took too long to arrive")
        return caught.exception.args

    def test_pymysql_sees_cant_connect(self):
        code, message = self.connect_error(self.stack.proxied)
        self.assertEqual(code, 2003, message)
        self.assertTrue(message.startswith("Can't connect to MySQL server on"), message)
        # the same error class as a client connecting straight to the closed port
        direct_code, _ = self.connect_error(harness.Endpoint("closed", "127.0.0.1", kClosedPort))
        self.assertEqual(direct_code, code)

    def test_cli_sees_cant_connect(self):
        p = harness.mariadb_cli(self.stack.proxied, harness.SANDBOX_CREDENTIALS, "-e", "SELECT 1")
        self.assertEqual(p.returncode, 1)
        # Connector/C itself says 2002 "Can't connect to server" for a refused TCP connect; a proxy
        # relaying the failure as an ERR packet says 2003 "Can't connect to MySQL server". A silent
        # close would read "ERROR 2013 (HY000): Lost connection to server at 'handshake: ...".
        self.assertRegex(p.stderr, r"^ERROR 200[23] \(HY000\): Can't connect to (MySQL )?server on")

    def test_gracewire_survives_repeated_failures(self):
        gw = self.require_gracewire()
        for _ in range(20):
            code, _ = self.connect_error(self.stack.proxied)
            self.assertEqual(code, 2003)
        self.assertTrue(gw.alive(), gw.log())
        self.assertIn(str(kClosedPort), gw.log(), "gracewire did not log the failed upstream")


if __name__ == "__main__":
    unittest.main(verbosity=2)
