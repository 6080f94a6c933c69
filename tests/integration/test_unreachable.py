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
    """What gracewire must send when it cannot reach the server: an ERR packet in place of the greeting.

    Client behaviour measured with Debian 12's clients against a fake server (not gracewire):
    * PyMySQL 1.0.2 always skips 6 bytes of SQL state after the error code, so an ERR without the
      '#HY000' marker loses the first 6 characters of its message ("Can't " here).
    * libmariadb 3.3 (the `mariadb` CLI) rejects a greeting ERR whose code is a client code (>= 2000,
      e.g. 2003) as "ERROR 2027 (HY000): Received malformed packet", with or without SQL state. With a
      server-range code it reports the text, wrapped as "ERROR 2002 (HY000): Received error packet
      before completion of TLS handshake. The authenticity of the following error cannot be verified:
      <code> - <message>" unless the client runs with --skip-ssl.
    So the tests pin the message text and forbid the silent-close codes, not one error number."""

    kSilentCloseCodes = (2006, 2013)  # "server has gone away", "Lost connection"
    kMessage = "Can't connect to MySQL server on"

    def connect_error(self, endpoint, **kwargs):
        started = time.monotonic()
        with self.assertRaises(pymysql.err.OperationalError) as caught:
            pymysql.connect(host=endpoint.host, port=endpoint.port, user="gracewire", password="x",
                            database="test", connect_timeout=10, read_timeout=10, **kwargs)
        self.assertLess(time.monotonic() - started, 5, "the error took too long to arrive")
        return caught.exception.args

    def test_pymysql_sees_cant_connect(self):
        code, message = self.connect_error(self.stack.proxied)
        self.assertNotIn(code, self.kSilentCloseCodes, message)
        self.assertIn(self.kMessage, message, f"error {code}")
        if self.stack.gracewire:
            self.assertIn(str(kClosedPort), message, "the message should name the unreachable server")

    def test_cli_sees_cant_connect(self):
        p = harness.mariadb_cli(self.stack.proxied, harness.SANDBOX_CREDENTIALS, "-e", "SELECT 1")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"^ERROR 200[23] \(HY000\): ")
        self.assertIn("Can't connect to", p.stderr)
        self.assertNotIn("Lost connection", p.stderr)
        self.assertNotIn("malformed packet", p.stderr)

    def test_gracewire_survives_repeated_failures(self):
        gw = self.require_gracewire()
        for _ in range(20):
            code, message = self.connect_error(self.stack.proxied)
            self.assertIn(self.kMessage, message, f"error {code}")
        self.assertTrue(gw.alive(), gw.log())
        self.assertIn(str(kClosedPort), gw.log(), "gracewire did not log the failed upstream")


if __name__ == "__main__":
    unittest.main(verbosity=2)
