"""MariaDB 11.4's zero-configuration TLS check, through gracewire: it cannot pass, by design, and
a client must be given gracewire's CA instead.

Since 11.4 a client that asks for TLS without naming any CA accepts an unknown certificate from a
server that says it is MariaDB, provisionally, and decides after the login: the server's OK packet
carries SHA256(password hash || scramble || SHA256 of the server's certificate) (fake_mariadb.py
has the layout) and the client recomputes it over the certificate it saw. Through gracewire the
client sees gracewire's certificate while the server hashed its own, so the client refuses the
session: that is the check doing its job, a TLS-terminating proxy is what it exists to catch.

The client is npm's `mariadb` 3.4.7 (validateFingerPrint in lib/cmd/handshake/authentication.js)
run by clients/node/zero_config_probe.js. Our test server, MariaDB 10.11, sends no such check, so
the server here is a scripted 11.4 (fake_mariadb.py) with a certificate from its own CA; gracewire
has a certificate from another and encrypts the server leg (upstream tls_mode = "required")."""

import hashlib
import json
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import fake_mariadb
import harness
import rawclient

PROBE = Path(__file__).resolve().parent / "clients" / "node" / "zero_config_probe.js"
ACCOUNT = harness.Credentials("app", "app-password", "")
LOGGED_IN = {"ok": True, "rows": [{"1": 1}]}
kErSelfSigned = 45056  # the connector's: the check did not match
kErSelfSignedNoPwd = 45057  # the connector's: an ERR (or no password) over an unchecked certificate
kErAccessDenied = 1045


def setUpModule():
    global DIR, FAKE, GW_CA, GW_CERT, NODE_MODULES
    NODE_MODULES = harness.node_modules("mariadb")
    DIR = Path(tempfile.mkdtemp(prefix="gw-tls-zero-config-"))
    unittest.addModuleCleanup(shutil.rmtree, DIR, ignore_errors=True)
    (DIR / "server").mkdir()
    (DIR / "gracewire").mkdir()
    FAKE = fake_mariadb.FakeMariaDB(DIR / "server", ACCOUNT)
    FAKE.start()
    unittest.addModuleCleanup(FAKE.stop)
    GW_CA, GW_CERT, gw_key = harness.make_ca_and_certificate(DIR / "gracewire")
    config = DIR / "gracewire.toml"
    config.write_text(f'[listener]\ntls_cert = "{GW_CERT}"\ntls_key = "{gw_key}"\n'
                      '[upstream]\ntls_mode = "required"\n')
    harness.start_stack("tls_zero_config", with_server=False, upstream=f"127.0.0.1:{FAKE.port}",
                        gracewire_args=("--config", str(config)))


def tearDownModule():
    harness.stop_stack()



def ok_info(payload: bytes) -> bytes:
    """An OK packet's info string (MariaDB always sends it length-encoded)."""
    _, pos = rawclient.lenenc_int(payload, 1)  # affected rows
    _, pos = rawclient.lenenc_int(payload, pos)  # last insert id
    length, pos = rawclient.lenenc_int(payload, pos + 4)  # after the status and warning count
    return payload[pos:pos + length]


class ZeroConfigTlsTest(harness.IntegrationTestCase):
    @property
    def scripted_server(self) -> harness.Endpoint:
        return harness.Endpoint("scripted MariaDB 11.4", "127.0.0.1", FAKE.port)

    def probe(self, endpoint: harness.Endpoint, tls: bool | dict,
              password: str = ACCOUNT.password) -> dict:
        """One login with npm's mariadb (`ssl` = `tls`), then SELECT 1 and COM_QUIT: its result."""
        options = dict(host=endpoint.host, port=endpoint.port, user=ACCOUNT.user,
                       password=password, ssl=tls)
        done = subprocess.run(["node", str(PROBE), json.dumps(options)], capture_output=True,
                              text=True, timeout=60 * harness.TIME_FACTOR,
                              env=dict(os.environ, NODE_PATH=str(NODE_MODULES)))
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        self.assertEqual(len(lines), 1,
                         f"probe stdout {done.stdout!r}, stderr {done.stderr[-2000:]}")
        self.assertEqual(done.returncode, 0 if lines[0]["ok"] else 1, done.stderr[-2000:])
        return lines[0]

    def only_session_since(self, count: int) -> fake_mariadb.Session:
        """The one session the scripted server had after its first `count`."""
        sessions = FAKE.sessions[count:]
        self.assertEqual(len(sessions), 1, sessions)
        return sessions[0]

    def assert_refused(self, result: dict, code: str, errno: int, message: str) -> None:
        self.assertEqual((result["ok"], result.get("code"), result.get("errno")),
                         (False, code, errno), result)
        self.assertIn(message, result["message"])

    def wait_for_line(self, gw: harness.Gracewire, pattern: str) -> str:
        deadline = time.monotonic() + 10 * harness.TIME_FACTOR
        while not (match := re.search(pattern, gw.log())):
            self.assertLess(time.monotonic(), deadline,
                            f"no line matching {pattern!r}:\n{gw.log()[-2000:]}")
            time.sleep(0.05)
        return match.group(0)

    # --- directly: the scripted server is what the connector expects -----------------------------

    def test_directly_the_connector_accepts_the_scripted_servers_check(self):
        """`ssl: true` and no CA: the certificate is unknown, and the check in the OK packet is
        what makes the login succeed."""
        before = len(FAKE.sessions)
        self.assertEqual(self.probe(self.scripted_server, True), LOGGED_IN)
        session = self.only_session_since(before)
        self.assertIn(session.tls_version, ("TLSv1.2", "TLSv1.3"))
        self.assertEqual((session.login, session.queries), ("ok", ["SELECT 1"]))
        self.assertEqual(fake_mariadb.wait_for_end(session), "com_quit")

    def test_directly_a_check_over_another_certificate_is_refused(self):
        """The control for the test above: the same server hashing another certificate (here
        gracewire's, as a server behind a TLS terminator does in effect) fails the login, so the
        connector really compares the check with the certificate it saw."""
        FAKE.hashed_certificate = fake_mariadb.certificate_sha256(GW_CERT)
        self.addCleanup(setattr, FAKE, "hashed_certificate",
                        fake_mariadb.certificate_sha256(FAKE.cert))
        before = len(FAKE.sessions)
        self.assert_refused(self.probe(self.scripted_server, True), "ER_SELF_SIGNED",
                            kErSelfSigned, "self-signed certificate")
        self.assertEqual(self.only_session_since(before).login, "ok")

    def test_directly_a_wrong_password_is_refused(self):
        """The scripted server checks the password: ERR 1045, which the connector reports as it
        is over a certificate it verified (its CA given); over an unchecked certificate it
        reports its own error instead, since that ERR could come from anyone."""
        before = len(FAKE.sessions)
        self.assert_refused(self.probe(self.scripted_server, {"ca": FAKE.ca.read_text()},
                                       password="not-the-password"),
                            "ER_ACCESS_DENIED_ERROR", kErAccessDenied,
                            f"Access denied for user '{ACCOUNT.user}'@'127.0.0.1'")
        self.assert_refused(self.probe(self.scripted_server, True, password="not-the-password"),
                            "ER_SELF_SIGNED_NO_PWD", kErSelfSignedNoPwd, "Self signed certificates")
        self.assertEqual([s.login for s in FAKE.sessions[before:]], ["denied", "denied"])

    # --- through gracewire -----------------------------------------------------------------------

    def test_through_gracewire_the_check_cannot_pass(self):
        """`ssl: true` and no CA through gracewire: the server accepts the password and sends its
        check, the connector refuses the session as a self-signed certificate it cannot vouch
        for and closes its socket (no COM_QUIT). gracewire ends the server leg with COM_QUIT and
        serves the next client."""
        gw = self.require_gracewire()
        before = len(FAKE.sessions)
        self.assert_refused(self.probe(gw.endpoint, True), "ER_SELF_SIGNED", kErSelfSigned,
                            "self-signed certificate")
        session = self.only_session_since(before)
        self.assertEqual(session.login, "ok", "the server accepted the password")
        self.assertIn(session.tls_version, ("TLSv1.2", "TLSv1.3"))
        self.assertEqual(fake_mariadb.wait_for_end(session), "com_quit")
        self.wait_for_line(gw, rf"\[s\d+\] closed: fin_without_quit upstream=com_quit_eof in "
                               rf"\d+ ms user='{ACCOUNT.user}' "
                               rf"server_conn_id={session.connection_id} ")
        self.assertTrue(gw.alive())
        self.assertEqual(self.probe(gw.endpoint, {"ca": GW_CA.read_text()}), LOGGED_IN)

    def test_gracewire_passes_the_servers_check_on_unchanged(self):
        """Why the check fails through gracewire: a client that reads the OK packet itself gets
        the server's scramble and check byte for byte, and the check names the server's
        certificate, not gracewire's, which is the one the client's TLS saw."""
        gw = self.require_gracewire()
        anything = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        anything.check_hostname = False
        anything.verify_mode = ssl.CERT_NONE
        before = len(FAKE.sessions)
        client = rawclient.RawClient(gw.endpoint.host, gw.endpoint.port, tls=anything)
        self.addCleanup(client.close)
        scramble = client.read_greeting().scramble
        client.send(client.handshake_response(ACCOUNT.user, ACCOUNT.password, None))
        ok = client.read_packet()
        self.assertEqual(ok[:1], b"\x00", ok)
        session = self.only_session_since(before)
        self.assertEqual(scramble, session.scramble)
        seen = hashlib.sha256(client.sock.getpeercert(binary_form=True)).digest()
        self.assertEqual(seen, fake_mariadb.certificate_sha256(GW_CERT))
        check = ok_info(ok)
        server_cert = fake_mariadb.certificate_sha256(FAKE.cert)
        self.assertEqual(check, fake_mariadb.certificate_check(ACCOUNT.password, scramble,
                                                               server_cert))
        self.assertNotEqual(check, fake_mariadb.certificate_check(ACCOUNT.password, scramble, seen))
        client.send_quit()
        self.assertEqual(fake_mariadb.wait_for_end(session), "com_quit")

    def test_through_gracewire_the_servers_own_ca_does_not_help(self):
        """The server's CA does not vouch for gracewire's certificate, and the check still names
        the server's: refused the same way."""
        gw = self.require_gracewire()
        self.assert_refused(self.probe(gw.endpoint, {"ca": FAKE.ca.read_text()}), "ER_SELF_SIGNED",
                            kErSelfSigned, "self-signed certificate")

    def test_with_gracewires_ca_the_login_is_verified(self):
        """What a client must do through gracewire: trust gracewire's CA. The certificate is then
        verified by its chain and its name (127.0.0.1), and the check is not needed."""
        gw = self.require_gracewire()
        before = len(FAKE.sessions)
        self.assertEqual(self.probe(gw.endpoint, {"ca": GW_CA.read_text()}), LOGGED_IN)
        session = self.only_session_since(before)
        self.assertIn(session.tls_version, ("TLSv1.2", "TLSv1.3"))
        self.assertEqual((session.login, session.queries), ("ok", ["SELECT 1"]))
        self.assertEqual(fake_mariadb.wait_for_end(session), "com_quit")
        # The server leg's close as issue 11 asks: the COM_QUIT came through the server's TLS
        # layer (inside an application-data record), then gracewire's close_notify.
        self.assertEqual(session.peer_tls_end, "close_notify")

    def test_trust_mode_logs_in_without_any_check(self):
        """`ssl: {rejectUnauthorized: false}` turns the check off: encrypted, but the client
        would log in through anyone's certificate. Documented, not recommended."""
        gw = self.require_gracewire()
        self.assertEqual(self.probe(gw.endpoint, {"rejectUnauthorized": False}), LOGGED_IN)


if __name__ == "__main__":
    unittest.main(verbosity=2)
