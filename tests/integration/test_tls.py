"""TLS on both legs (issue 11): real clients asking for TLS get it from gracewire, which still
decodes every packet; the server leg follows the configured mode; sessions still end cleanly.

The server runs with its own throwaway CA (tools/sandbox-mariadb --tls). gracewire's listener
gets a certificate from a second CA made here, for 127.0.0.1 and localhost, so that each side's
verification is checked against the right authority. What each leg really negotiated is read
from both ends: the client's socket (PyMySQL's SSL socket) and the server's own session status
(Ssl_version), so a leg that silently stayed in plaintext cannot pass."""

import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import pymysql

import harness
import rawclient

kSecureTransportRequired = 3159
kSslConnectionError = 2026


def make_certificate(directory: Path, common_name: str) -> tuple[Path, Path]:
    """A client certificate signed by the test CA (GW_CA)."""
    key, request, cert = (directory / n for n in ("key.pem", "req.pem", "cert.pem"))
    subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-subj", f"/CN={common_name}", "-keyout", str(key), "-out",
                    str(request)], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", str(request), "-CA", str(GW_CA), "-CAkey",
                    str(GW_CA.parent / "ca-key.pem"), "-CAcreateserial", "-days", "1", "-out",
                    str(cert)], check=True, capture_output=True)
    return cert, key


def issue_certificate(directory: Path, issuer: tuple[Path, Path], *, rsa: bool = False,
                      days: int = 1, intermediate: bool = False) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost (or, `intermediate`, a CA) signed by `issuer`
    (cert, key), with an ECDSA P-256 or RSA 2048 key; `days` = -1 makes one that has expired."""
    directory.mkdir(exist_ok=True)
    key, request, cert = (directory / n for n in ("key.pem", "req.pem", "cert.pem"))
    algorithm = ["rsa:2048"] if rsa else ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    subprocess.run(["openssl", "req", "-newkey", *algorithm, "-nodes", "-subj",
                    f"/CN={'gracewire-test-intermediate' if intermediate else 'localhost'}",
                    "-keyout", str(key), "-out", str(request)], check=True, capture_output=True)
    extensions = directory / "ext.cnf"
    extensions.write_text("basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n"
                          if intermediate else "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    subprocess.run(["openssl", "x509", "-req", "-in", str(request), "-CA", str(issuer[0]),
                    "-CAkey", str(issuer[1]), "-CAcreateserial", "-days", str(days),
                    "-extfile", str(extensions), "-out", str(cert)], check=True,
                   capture_output=True)
    return cert, key


def setUpModule():
    global DIR, GW_CA, GW_CERT, GW_KEY
    DIR = Path(tempfile.mkdtemp(prefix="gw-tls-"))
    GW_CA, GW_CERT, GW_KEY = harness.make_ca_and_certificate(DIR)
    config = DIR / "gracewire.toml"
    config.write_text(tls_config())
    harness.start_stack("tls", server_tls=True, gracewire_args=("--config", str(config)),
                        control_account=harness.CONTROL_CREDENTIALS)


def tearDownModule():
    harness.stop_stack()


def tls_config(listener: str = "", upstream: str = "", control: bool = True) -> str:
    account = harness.CONTROL_CREDENTIALS
    return (f'[listener]\ntls_cert = "{GW_CERT}"\ntls_key = "{GW_KEY}"\n{listener}\n'
            f'[upstream]\n{upstream}\n'
            + (f'[control]\nuser = "{account.user}"\npassword = "{account.password}"\n'
               if control else ""))


def server_ssl_version(conn: pymysql.connections.Connection) -> str:
    """The TLS version of this session's server leg, as the server itself reports it."""
    with conn.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
        return cursor.fetchone()[1]


def client_tls_version(conn: pymysql.connections.Connection) -> str | None:
    """The TLS version of the client's own socket; None when it is plaintext."""
    sock = conn._sock  # PyMySQL keeps the (wrapped) socket here
    return sock.version() if isinstance(sock, ssl.SSLSocket) else None


class TlsByHand:
    """A client that does its TLS over memory buffers, so a test can send what no TLS library
    would: plaintext after an SSLRequest, a record with a flipped byte."""

    def __init__(self, endpoint: harness.Endpoint, context: ssl.SSLContext | None = None):
        self.sock = socket.create_connection((endpoint.host, endpoint.port), timeout=10)
        self.greeting = self.sock.recv(1 << 16)
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        if context is None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        self.tls = context.wrap_bio(self.incoming, self.outgoing)

    def ssl_request(self, then: bytes = b"") -> None:
        """The SSLRequest, and `then` in the same write (gracewire must hand those bytes, read
        with the request, to TLS)."""
        caps = (1 << 9) | (1 << 11) | (1 << 15)  # PROTOCOL_41, SSL, SECURE_CONNECTION
        request = struct.pack("<IIB", caps, 1 << 24, 45) + bytes(23)
        self.sock.sendall(len(request).to_bytes(3, "little") + b"\x01" + request + then)

    def client_hello(self) -> bytes:
        """The ClientHello, made but not sent."""
        with contextlib.suppress(ssl.SSLWantReadError):
            self.tls.do_handshake()
        return self.outgoing.read()

    def handshake(self) -> None:
        while True:
            try:
                self.tls.do_handshake()
                self.flush()
                return
            except ssl.SSLWantReadError:
                self.flush()
                data = self.sock.recv(1 << 16)
                if not data:
                    raise ConnectionError("closed during the handshake")
                self.incoming.write(data)

    def flush(self, corrupt: bool = False) -> None:
        data = bytearray(self.outgoing.read())
        if corrupt and len(data) > 10:
            data[-3] ^= 0x40  # inside the record's authentication tag
        if data:
            self.sock.sendall(bytes(data))

    def closed_within(self, seconds: float) -> bool:
        self.sock.settimeout(seconds)
        try:
            while self.sock.recv(1 << 16):
                pass
            return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False


class TlsTest(harness.IntegrationTestCase):
    def start_gracewire(self, name: str, listener: str = "", upstream: str = "",
                        control: bool = True) -> harness.Gracewire:
        """A second gracewire in front of the same server, with its own TLS settings."""
        config = DIR / f"{name}.toml"
        config.write_text(tls_config(listener, upstream, control))
        gw = harness.Gracewire(f"{self.server.host}:{self.server.port}",
                               self.stack.artifacts / f"gracewire-{name}.log",
                               ("--config", str(config)))
        gw.start()
        self.addCleanup(gw.stop)
        return gw

    def test_a_tls_client_is_served_tls_and_the_server_leg_follows_it(self):
        """as_client (the default): TLS toward gracewire, verified against gracewire's CA and
        its name; the server leg is TLS too; statements work; COM_QUIT ends it cleanly."""
        self.require_gracewire()
        conn = self.connect(self.stack.proxied, ssl={"ca": str(GW_CA)})
        self.assertIn(client_tls_version(conn), ("TLSv1.2", "TLSv1.3"))
        self.assertIn(server_ssl_version(conn), ("TLSv1.2", "TLSv1.3"))
        with conn.cursor() as cursor:
            cursor.execute("SELECT REPEAT('x', 100000), 42")
            text, answer = cursor.fetchone()
        self.assertEqual((len(text), answer), (100000, 42))
        conn.close()

    def test_a_plaintext_client_stays_plaintext_upstream_under_as_client(self):
        self.require_gracewire()
        conn = self.connect(self.stack.proxied)
        self.assertIsNone(client_tls_version(conn))
        self.assertEqual(server_ssl_version(conn), "")

    def test_the_mariadb_client_verifies_gracewire_and_runs_statements(self):
        """The mariadb CLI with --ssl-verify-server-cert: the measured failure of issue 11 was
        this client silently falling back to plaintext."""
        self.require_gracewire()
        out = harness.mariadb_cli(self.stack.proxied, self.server, "--ssl", f"--ssl-ca={GW_CA}",
                                  "--ssl-verify-server-cert", "-N", "-e",
                                  "SHOW SESSION STATUS LIKE 'Ssl_version'; \\s")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"Ssl_version\s+TLSv1\.[23]")
        self.assertRegex(out.stdout, r"SSL:\s+Cipher in use is \S+")

    def test_a_client_trusting_another_ca_refuses_gracewire(self):
        self.require_gracewire()
        with self.assertRaises(pymysql.err.OperationalError):
            self.connect(self.stack.proxied, ssl={"ca": self.server.env["SSL_CA"]})

    def test_sessions_over_tls_end_cleanly_whatever_the_client_does(self):
        """The close matrix's core over TLS on both legs: COM_QUIT, a bare close while idle,
        a close in the middle of a statement and of a result. The harness then checks that the
        server logged nothing and counted no abort."""
        self.require_gracewire()
        quit_conn = self.connect(self.stack.proxied, ssl={"ca": str(GW_CA)})
        quit_conn.close()
        idle = self.connect(self.stack.proxied, ssl={"ca": str(GW_CA)})
        idle._sock.close()
        busy = self.connect(self.stack.proxied, ssl={"ca": str(GW_CA)})
        busy._sock.settimeout(0.5)
        with contextlib.suppress(Exception):
            busy.query("SELECT SLEEP(3)")
        busy._sock.close()
        busy._result = None  # nothing left to read: PyMySQL must not try when it is collected
        streaming = self.connect(self.stack.proxied, ssl={"ca": str(GW_CA)})
        streaming._sock.settimeout(0.5)
        with contextlib.suppress(Exception):
            streaming.query("SELECT seq, REPEAT('x', 100) FROM seq_1_to_3000000", unbuffered=True)
        streaming._sock.close()
        streaming._result = None

    def test_a_client_that_stalls_inside_the_tls_handshake_is_bounded(self):
        """SSLRequest, then silence: listener.handshake_timeout ends it, and the upstream session
        (greeted, never sent a login) is ended as an abandoned handshake: the server is clean."""
        self.require_gracewire()
        gw = self.start_gracewire("stalled", listener='handshake_timeout = "1s"')
        with socket.create_connection((gw.endpoint.host, gw.endpoint.port), timeout=10) as sock:
            greeting = sock.recv(1 << 16)
            self.assertGreater(len(greeting), 4)
            caps = (1 << 9) | (1 << 11) | (1 << 15)  # PROTOCOL_41, SSL, SECURE_CONNECTION
            request = struct.pack("<IIB", caps, 1 << 24, 45) + bytes(23)
            sock.sendall(len(request).to_bytes(3, "little") + b"\x01" + request)
            started = time.monotonic()
            while sock.recv(1 << 16):
                pass
            waited = time.monotonic() - started
        self.assertLess(waited, 1 + 5 * harness.TIME_FACTOR, "closed at the handshake timeout")
        self.assertGreater(waited, 0.9)

    def test_bad_tls_input_ends_that_session_only_and_the_server_stays_clean(self):
        """Plaintext after an SSLRequest, a TLS 1.0-only client, a record with a flipped byte
        after login, a client certificate from nowhere: each is one clear line in gracewire's log
        and the end of that session only; a busy session beside them never notices."""
        self.require_gracewire()
        gw = self.start_gracewire("bad-input", listener=f'tls_ca = "{GW_CA}"')
        client = DIR / "bad-input-client"
        client.mkdir(exist_ok=True)
        good_cert, good_key = make_certificate(client, "busy-client")
        busy = self.connect(gw.endpoint, ssl={"ca": str(GW_CA), "cert": str(good_cert),
                                              "key": str(good_key)})

        def busy_query(n: int) -> None:
            with busy.cursor() as cursor:
                cursor.execute("SELECT %s", (n,))
                self.assertEqual(cursor.fetchone(), (n,))

        # 1. Plaintext where the ClientHello belongs.
        raw = TlsByHand(gw.endpoint)
        raw.ssl_request(then=b"this is not a TLS record at all\r\n")
        self.assertTrue(raw.closed_within(5 * harness.TIME_FACTOR))
        busy_query(1)
        # 2. A client that offers only TLS 1.0 (below listener.tls_min_version).
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname = False
        old.verify_mode = ssl.CERT_NONE
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
        old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1
        raw = TlsByHand(gw.endpoint, old)
        raw.ssl_request(then=raw.client_hello())  # one write: the failure is in the early bytes
        self.assertTrue(raw.closed_within(5 * harness.TIME_FACTOR))
        raw.sock.close()
        busy_query(2)
        # 3. A self-signed client certificate: not from listener.tls_ca.
        stranger = DIR / "stranger"
        stranger.mkdir(exist_ok=True)
        _, stranger_cert, stranger_key = harness.make_ca_and_certificate(stranger)
        with self.assertRaises(pymysql.err.OperationalError):
            self.connect(gw.endpoint, ssl={"ca": str(GW_CA), "cert": str(stranger_cert),
                                           "key": str(stranger_key)})
        busy_query(3)
        # 4. After the handshake, a record whose authentication tag was tampered with.
        trusted = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        trusted.load_verify_locations(str(GW_CA))
        trusted.load_cert_chain(str(good_cert), str(good_key))
        raw = TlsByHand(gw.endpoint, trusted)
        raw.ssl_request()
        raw.handshake()
        raw.tls.write(b"\x20\x00\x00\x02" + bytes(32))  # the start of a HandshakeResponse
        raw.flush(corrupt=True)
        self.assertTrue(raw.closed_within(5 * harness.TIME_FACTOR))
        busy_query(4)
        busy.close()
        log = gw.log()
        self.assertRegex(log, r"TLS with the client failed: .*(wrong version number|packet length "
                              r"too long|record layer failure|http request)")
        self.assertRegex(log, r"TLS with the client failed: .*(unsupported protocol|protocol "
                              r"version|no protocols available)")
        self.assertRegex(log, r"TLS with the client failed: .*(certificate verify failed|unknown "
                              r"ca|certificate)")
        self.assertRegex(log, r"TLS with the client failed: .*(bad record mac|decryption failed)")

    def test_required_refuses_a_plaintext_client_before_its_credentials_go_upstream(self):
        self.require_gracewire()
        gw = self.start_gracewire("required", listener='tls_mode = "required"')
        with self.assertRaises(pymysql.err.OperationalError) as refused:
            self.connect(gw.endpoint)
        self.assertEqual(refused.exception.args[0], kSecureTransportRequired)
        self.assertIn("insecure transport", refused.exception.args[1])
        conn = self.connect(gw.endpoint, ssl={"ca": str(GW_CA)})
        self.assertIn(client_tls_version(conn), ("TLSv1.2", "TLSv1.3"))

    def test_upstream_required_encrypts_the_server_leg_of_a_plaintext_client(self):
        """One leg plain, the other TLS: the sequence ids of the login differ by one between the
        legs, both ways (mysql_native_password's switch-free path and the OK)."""
        self.require_gracewire()
        gw = self.start_gracewire("upstream-required", upstream='tls_mode = "required"')
        conn = self.connect(gw.endpoint)
        self.assertIsNone(client_tls_version(conn))
        self.assertIn(server_ssl_version(conn), ("TLSv1.2", "TLSv1.3"))
        conn.close()

    def test_upstream_disabled_leaves_a_tls_client_plaintext_upstream(self):
        """The other asymmetric case: TLS toward gracewire, plaintext toward the server."""
        self.require_gracewire()
        gw = self.start_gracewire("upstream-disabled", upstream='tls_mode = "disabled"')
        conn = self.connect(gw.endpoint, ssl={"ca": str(GW_CA)})
        self.assertIn(client_tls_version(conn), ("TLSv1.2", "TLSv1.3"))
        self.assertEqual(server_ssl_version(conn), "")
        conn.close()

    def test_verify_identity_accepts_the_servers_certificate_for_its_address(self):
        self.require_gracewire()
        gw = self.start_gracewire(
            "verify-identity",
            upstream=f'tls_mode = "verify_identity"\ntls_ca = "{self.server.env["SSL_CA"]}"')
        conn = self.connect(gw.endpoint)
        self.assertIn(server_ssl_version(conn), ("TLSv1.2", "TLSv1.3"))
        conn.close()
        self.assertIn("toward the server: required, verifying the certificate's CA and the name "
                      f"{self.server.host}", gw.log())

    def test_verify_identity_refuses_a_certificate_for_another_name(self):
        """The server's certificate chains to the configured CA but does not carry the name
        gracewire was told to expect (tls_server_name): the login is refused with a clear error
        before any credentials reach the server."""
        self.require_gracewire()
        gw = self.start_gracewire(
            "verify-wrong-name",
            upstream=f'tls_mode = "verify_identity"\ntls_ca = "{self.server.env["SSL_CA"]}"\n'
                     'tls_server_name = "db.elsewhere.example"', control=False)
        self.assert_server_certificate_refused(gw)
        self.assertIn("toward the server: required, verifying the certificate's CA and the name "
                      "db.elsewhere.example", gw.log())

    def assert_server_certificate_refused(self, gw: harness.Gracewire) -> None:
        """A client's login through `gw` fails with ERR 2026 naming the failed verification; the
        server sees one TLS handshake end half way (all a failed verification can be)."""
        self.expect_server_aborts("Aborted connection", Aborted_connects=1,
                                  Aborted_connects_preauth=1)
        with self.assertRaises(pymysql.err.OperationalError) as refused:
            self.connect(gw.endpoint)
        self.assertEqual(refused.exception.args[0], kSslConnectionError)
        self.assertIn("certificate verify failed", refused.exception.args[1])

    def test_sighup_serves_a_renewed_certificate_to_new_sessions_only(self):
        """A certificate renewed in place (same paths, a new CA even) is served to connections
        made after SIGHUP; a session opened before keeps working; a broken file at the next
        SIGHUP keeps the running certificate and says why."""
        self.require_gracewire()
        files = DIR / "renewed"
        files.mkdir(exist_ok=True)
        cert, key = files / "cert.pem", files / "key.pem"
        shutil.copy(GW_CERT, cert)
        shutil.copy(GW_KEY, key)
        config = DIR / "reload.toml"
        config.write_text(tls_config().replace(str(GW_CERT), str(cert)).replace(str(GW_KEY), str(key)))
        gw = harness.Gracewire(f"{self.server.host}:{self.server.port}",
                               self.stack.artifacts / "gracewire-reload.log", ("--config", str(config)))
        gw.start()
        self.addCleanup(gw.stop)
        before = self.connect(gw.endpoint, ssl={"ca": str(GW_CA)})

        second = DIR / "second-ca"
        second.mkdir(exist_ok=True)
        ca2, cert2, key2 = harness.make_ca_and_certificate(second)
        shutil.copy(cert2, cert)
        shutil.copy(key2, key)
        self.sighup_and_wait(gw, "reload: TLS toward clients")
        after = self.connect(gw.endpoint, ssl={"ca": str(ca2)})
        self.assertIn(client_tls_version(after), ("TLSv1.2", "TLSv1.3"))
        with self.assertRaises(pymysql.err.OperationalError):
            self.connect(gw.endpoint, ssl={"ca": str(GW_CA)})
        with before.cursor() as cursor:
            cursor.execute("SELECT 7")
            self.assertEqual(cursor.fetchone(), (7,), "the session opened before goes on")

        cert.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n")
        self.sighup_and_wait(gw, "not applied, nothing changed")
        self.assertIn(f"cannot use certificate chain {cert}",
                      gw.log().split("not applied, nothing changed")[-1])
        kept = self.connect(gw.endpoint, ssl={"ca": str(ca2)})
        self.assertIn(client_tls_version(kept), ("TLSv1.2", "TLSv1.3"))

    def start_gracewire_serving(self, name: str, cert: Path, key: Path) -> harness.Gracewire:
        config = DIR / f"{name}.toml"
        config.write_text(tls_config().replace(str(GW_CERT), str(cert)).replace(str(GW_KEY), str(key)))
        gw = harness.Gracewire(f"{self.server.host}:{self.server.port}",
                               self.stack.artifacts / f"gracewire-{name}.log", ("--config", str(config)))
        gw.start()
        self.addCleanup(gw.stop)
        return gw

    def test_a_chain_with_an_rsa_leaf_verifies_against_the_root_alone(self):
        """tls_cert holds the full chain (an RSA leaf, then an ECDSA intermediate CA); a client
        that trusts only the root verifies it: gracewire sends the intermediate."""
        self.require_gracewire()
        intermediate = issue_certificate(DIR / "intermediate", (GW_CA, GW_CA.parent / "ca-key.pem"),
                                         intermediate=True)
        leaf, key = issue_certificate(DIR / "rsa-leaf", intermediate, rsa=True)
        chain = DIR / "rsa-leaf" / "chain.pem"
        chain.write_text(leaf.read_text() + intermediate[0].read_text())
        gw = self.start_gracewire_serving("chain", chain, key)
        conn = self.connect(gw.endpoint, ssl={"ca": str(GW_CA)})
        self.assertIn(client_tls_version(conn), ("TLSv1.2", "TLSv1.3"))
        self.assertEqual(conn._sock.getpeercert()["issuer"],
                         ((("commonName", "gracewire-test-intermediate"),),))
        with self.assertRaises(pymysql.err.OperationalError):  # the leaf alone does not verify
            self.connect(self.start_gracewire_serving("leaf-only", leaf, key).endpoint,
                         ssl={"ca": str(GW_CA)})

    def test_an_expired_certificate_is_a_warning_at_start_and_never_replaces_a_valid_one(self):
        """Started with an expired certificate, gracewire says so (clients that verify refuse
        it; plaintext clients still work). A reload that would put an expired certificate in
        place of a valid one keeps the valid one and says why."""
        self.require_gracewire()
        expired, expired_key = issue_certificate(DIR / "expired",
                                                 (GW_CA, GW_CA.parent / "ca-key.pem"), days=-1)
        gw = self.start_gracewire_serving("expired", expired, expired_key)
        self.assertRegex(gw.log(), r"warning .*listener certificate \(tls_cert\) expired on "
                                   r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: TLS peers that verify it "
                                   r"will refuse it; renew it and send SIGHUP")
        with self.assertRaisesRegex(pymysql.err.OperationalError, "certificate has expired"):
            self.connect(gw.endpoint, ssl={"ca": str(GW_CA)})
        self.assertIsNone(client_tls_version(self.connect(gw.endpoint)))

        files = DIR / "renewal-expired"
        files.mkdir(exist_ok=True)
        cert, key = files / "cert.pem", files / "key.pem"
        shutil.copy(GW_CERT, cert)
        shutil.copy(GW_KEY, key)
        gw = self.start_gracewire_serving("reload-expired", cert, key)
        self.assertNotIn("expired on", gw.log())
        shutil.copy(expired, cert)
        shutil.copy(expired_key, key)
        self.sighup_and_wait(gw, "reload: TLS not reloaded")
        self.assertRegex(gw.log(), r"reload: TLS not reloaded, new connections keep the running "
                                   r"certificates: listener certificate \(tls_cert\) expired on ")
        conn = self.connect(gw.endpoint, ssl={"ca": str(GW_CA)})
        self.assertIn(client_tls_version(conn), ("TLSv1.2", "TLSv1.3"))

    def sighup_and_wait(self, gw: harness.Gracewire, line: str) -> None:
        seen = gw.log().count(line)
        os.kill(gw.pid, signal.SIGHUP)
        deadline = time.monotonic() + 10 * harness.TIME_FACTOR
        while gw.log().count(line) == seen:
            self.assertLess(time.monotonic(), deadline, f"no '{line}' after SIGHUP")
            time.sleep(0.05)

    def test_auth_records_name_each_legs_tls_and_a_verified_client_certificate(self):
        """With listener.tls_ca, clients must present a certificate: its subject, and each leg's
        version and cipher, are in the auth record; a client without one is refused."""
        self.require_gracewire()
        client = DIR / "client"
        client.mkdir(exist_ok=True)
        client_cert, client_key = make_certificate(client, "app-client-7")
        events = DIR / "events.jsonl"
        gw = self.start_gracewire(
            "client-certs",
            listener=f'tls_ca = "{GW_CA}"\n[event_log]\npath = "{events}"\nflush_interval = 0')
        conn = self.connect(gw.endpoint, ssl={"ca": str(GW_CA), "cert": str(client_cert),
                                              "key": str(client_key)})
        server_id = conn.thread_id()
        # The socket closed without close_notify (and without COM_QUIT: after a COM_QUIT the
        # server's EOF may end the session before the client's own close is read, and the
        # record then says "open", as it was when gracewire closed).
        conn._sock.shutdown(socket.SHUT_RDWR)  # the FIN (PyMySQL's reader keeps the fd open)
        conn._sock.close()
        conn._sock = None
        polite = self.connect(gw.endpoint, ssl={"ca": str(GW_CA), "cert": str(client_cert),
                                                "key": str(client_key)})
        polite_id = polite.thread_id()
        # close_notify, then the socket: gracewire answers with its own (an unwrap waits for it)
        polite._sock.settimeout(5 * harness.TIME_FACTOR)
        polite._sock.unwrap()
        polite._sock.close()
        polite._sock = None
        with self.assertRaises(pymysql.err.OperationalError):
            self.connect(gw.endpoint, ssl={"ca": str(GW_CA)})  # no certificate of its own
        deadline = time.monotonic() + 10 * harness.TIME_FACTOR
        auth = []
        while not auth:
            self.assertLess(time.monotonic(), deadline, "no auth record")
            time.sleep(0.05)
            if events.exists():
                records = [json.loads(line) for line in events.read_text().splitlines() if line]
                auth = [r for r in records if r["type"] == "auth" and r["server_conn_id"] == server_id]
        record = auth[0]
        self.assertIn(record["client_tls_version"], ("TLSv1.2", "TLSv1.3"))
        self.assertTrue(record["client_tls_cipher"])
        self.assertEqual(record["client_cert_subject"], "/CN=app-client-7")
        self.assertIn(record["server_tls_version"], ("TLSv1.2", "TLSv1.3"))
        self.assertTrue(record["server_tls_cipher"])
        # How each client ended its TLS: recorded, so that a program that drops TLS shows.
        ends = {}
        while len(ends) < 2:
            self.assertLess(time.monotonic(), deadline, f"close records: {ends}")
            records = [json.loads(line) for line in events.read_text().splitlines() if line]
            ends = {r["server_conn_id"]: r["client_tls_end"] for r in records
                    if r["type"] == "close" and r["server_conn_id"] in (server_id, polite_id)}
            time.sleep(0.05)
        self.assertEqual(ends, {server_id: "none", polite_id: "close_notify"})

    def test_verify_ca_against_the_wrong_ca_refuses_the_login_with_a_clear_error(self):
        self.require_gracewire()
        # No control account: its connection would fail the same check, once per retry.
        gw = self.start_gracewire("verify-wrong-ca",
                                  upstream=f'tls_mode = "verify_ca"\ntls_ca = "{GW_CA}"',
                                  control=False)
        self.assert_server_certificate_refused(gw)
        self.assertRegex(gw.log(), r"toward the server: required, verifying the certificate's CA\n")

    def test_the_control_connection_is_tls_where_the_server_requires_it(self):
        """require_secure_transport=ON: the server logs in TLS sessions only. With upstream
        tls_mode = "required" gracewire's own control connection logs in over TLS too (its log
        line names the version), and cancels the statement of a client that vanished mid-query:
        the server session ends long before the statement would, and nothing is logged."""
        self.require_gracewire()
        self.server.admin_query("SET GLOBAL require_secure_transport = ON")
        self.addCleanup(self.server.admin_query, "SET GLOBAL require_secure_transport = OFF")
        gw = self.start_gracewire("secure-transport", upstream='tls_mode = "required"')
        deadline = time.monotonic() + 10
        while "control connection ready" not in gw.log():
            self.assertLess(time.monotonic(), deadline,
                            f"no control connection within 10 s:\n{gw.log()[-2000:]}")
            time.sleep(0.05)
        ready = [l for l in gw.log().splitlines() if "control connection ready" in l][-1]
        self.assertRegex(ready, r"TLSv1\.[23]")
        busy = rawclient.RawClient(gw.endpoint.host, gw.endpoint.port)
        busy.login(self.server.user, self.server.password, self.server.database)
        server_id = int(busy.query("SELECT CONNECTION_ID()")[0][1:])
        busy.send_query("SELECT SLEEP(30)")
        deadline = time.monotonic() + 10
        while not [r for r in self.server.sessions_of(self.server.user) if r[0] == server_id
                   and r[1] == "Query"]:
            self.assertLess(time.monotonic(), deadline, "the SLEEP(30) never showed up")
            time.sleep(0.05)
        busy.close_fin()
        deadline = time.monotonic() + 8  # a KILL QUERY of a sleeper may take the server 2 s
        while any(row[0] == server_id for row in self.server.sessions_of(self.server.user)):
            self.assertLess(time.monotonic(), deadline,
                            f"the abandoned SLEEP(30) was not cancelled:\n{gw.log()[-2000:]}")
            time.sleep(0.05)
        self.assertIn(f"KILL QUERY {server_id}", gw.log())

    def test_a_control_connection_that_fails_verification_waits_for_the_fix(self):
        """verify_ca against the wrong CA: the control connection's handshake fails with a clear
        line, and since it would fail the same way again it is retried as rarely as a refused
        login: over the next 3 s the server sees that one failed connect, not one per backoff
        step (250 ms, 500 ms, 1 s, ...). The operator fixes tls_ca and sends SIGHUP: the
        control connection logs in at once, with the new CA, instead of minutes later."""
        self.require_gracewire()
        self.expect_server_aborts("Aborted connection", Aborted_connects=1,
                                  Aborted_connects_preauth=1)
        gw = self.start_gracewire("control-wrong-ca",
                                  upstream=f'tls_mode = "verify_ca"\ntls_ca = "{GW_CA}"')
        deadline = time.monotonic() + 10
        while "TLS toward the server failed" not in gw.log():
            self.assertLess(time.monotonic(), deadline, f"no TLS failure logged:\n{gw.log()}")
            time.sleep(0.05)
        self.assertIn("certificate verify failed", gw.log())
        time.sleep(3)
        self.assertEqual(gw.log().count("TLS toward the server failed"), 1, gw.log())
        self.assertNotIn("control connection ready", gw.log())
        (DIR / "control-wrong-ca.toml").write_text(tls_config(
            upstream=f'tls_mode = "verify_ca"\ntls_ca = "{self.server.env["SSL_CA"]}"'))
        self.sighup_and_wait(gw, "control connection restored")
        self.assertRegex(gw.log(), r"control connection ready as .*TLSv1\.[23]")

    def test_a_hundred_idle_tls_sessions_cost_no_cpu(self):
        """100 sessions with TLS on both legs, logged in and then idle: over the next 3 s
        gracewire's process uses next to no CPU (no timer, retry or TLS pump runs for an idle
        session; a spinning one would burn the whole 3 s)."""
        self.require_gracewire()
        pid = self.stack.gracewire.proc.pid
        sessions = [self.connect(self.stack.proxied, ssl={"ca": str(GW_CA)}) for _ in range(100)]
        self.assertIn(server_ssl_version(sessions[-1]), ("TLSv1.2", "TLSv1.3"))
        time.sleep(0.5)  # the last handshakes' tickets and key updates
        before = cpu_seconds(pid)
        time.sleep(3)
        used = cpu_seconds(pid) - before
        self.assertLess(used, 0.05, f"gracewire used {used:.3f} s of CPU in 3 s with 100 idle "
                                    f"TLS sessions")
        for conn in sessions:  # every one still answers
            conn.ping(reconnect=False)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    unittest.main(verbosity=2)
