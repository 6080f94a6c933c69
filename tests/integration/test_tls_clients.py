"""Real drivers of other languages through gracewire, in all four TLS leg combinations (issue 11):
npm's mysql2 and mariadb, MariaDB Connector/J and the Go driver, each verifying gracewire's
certificate against its CA and the address's name, or asking for no TLS at all.

Each driver runs a small probe (tests/integration/clients/{node,java,go}) that opens two sessions
in a row (the second may offer the first one's TLS session for resumption), reads its server
session's id and `Ssl_version`, reads a 100 kB value, and ends with the driver's own close. What
each leg really was is read from its two ends: the server's session status for the server leg,
gracewire's auth record (and, where the driver shows it, the driver's socket) for the client leg.
The harness then checks that the server counted no abort and logged nothing.

Two gracewire processes make the four combinations: one with `upstream.tls_mode = "required"`,
one with "disabled"; each client asks for TLS or not."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import harness

CLIENTS = Path(__file__).resolve().parent / "clients"
CONNECTOR_J = Path("/usr/share/java/mariadb-java-client.jar")
GO_DRIVER_GOPATH = Path("/usr/share/gocode")
TLS_VERSIONS = ("TLSv1.2", "TLSv1.3")


def setUpModule():
    global DIR, GW_CA, GW_CERT, GW_KEY, GO_PROBE, NODE_MODULES, SERVER_LEG_PLAIN
    DIR = Path(tempfile.mkdtemp(prefix="gw-tls-clients-"))
    NODE_MODULES = harness.node_modules("mysql2", "mariadb")
    GO_PROBE = build_go_probe(DIR)
    GW_CA, GW_CERT, GW_KEY = harness.make_ca_and_certificate(DIR)
    config = DIR / "server-leg-tls.toml"
    config.write_text(gracewire_config("required", DIR / "events-server-leg-tls.jsonl"))
    stack = harness.start_stack("tls_clients", server_tls=True,
                                gracewire_args=("--config", str(config)),
                                control_account=harness.CONTROL_CREDENTIALS)
    plain_config = DIR / "server-leg-plain.toml"
    plain_config.write_text(gracewire_config("disabled", DIR / "events-server-leg-plain.jsonl"))
    SERVER_LEG_PLAIN = harness.Gracewire(f"{stack.server.host}:{stack.server.port}",
                                         stack.artifacts / "gracewire-server-leg-plain.log",
                                         ("--config", str(plain_config)))
    SERVER_LEG_PLAIN.start()


def tearDownModule():
    if "SERVER_LEG_PLAIN" in globals() and SERVER_LEG_PLAIN.proc is not None:
        SERVER_LEG_PLAIN.stop()
    harness.stop_stack()
    shutil.rmtree(DIR, ignore_errors=True)


def gracewire_config(upstream_tls_mode: str, events: Path) -> str:
    """The control account ends the upstream session of a client that refused gracewire's
    certificate (greeted, never logged in) without an abort on the server."""
    account = harness.CONTROL_CREDENTIALS
    return (f'[listener]\ntls_cert = "{GW_CERT}"\ntls_key = "{GW_KEY}"\n'
            f'[upstream]\ntls_mode = "{upstream_tls_mode}"\n'
            f'[control]\nuser = "{account.user}"\npassword = "{account.password}"\n'
            f'[event_log]\npath = "{events}"\nflush_interval = 0\n')



def build_go_probe(directory: Path) -> Path:
    """Debian ships the Go driver as source for GOPATH builds; its own build cache keeps the
    module independent of $HOME."""
    binary = directory / "go_tls_probe"
    env = dict(os.environ, GO111MODULE="off", GOPATH=str(GO_DRIVER_GOPATH),
               GOCACHE=str(directory / "go-cache"), GOFLAGS="")
    subprocess.run(["go", "build", "-o", str(binary), "tls_probe.go"], cwd=CLIENTS / "go",
                   env=env, check=True, capture_output=True, timeout=300)
    return binary


class TlsClientsTest(harness.IntegrationTestCase):
    def probe(self, client: str, endpoint: harness.Endpoint, ca: Path | None) -> list[dict]:
        """Runs `client`'s probe; returns its JSON lines (one per session, or one error)."""
        server = self.server
        if client in ("mysql2", "mariadb"):
            target = dict(host=endpoint.host, port=endpoint.port, user=server.user,
                          password=server.password, ca=str(ca) if ca else None)
            command = ["node", str(CLIENTS / "node" / "tls_probe.js"), client, json.dumps(target)]
        else:
            args = [endpoint.host, str(endpoint.port), server.user, server.password,
                    str(ca) if ca else "-"]
            command = ([str(GO_PROBE), *args] if client == "go" else
                       ["java", "-cp", str(CONNECTOR_J),
                        str(CLIENTS / "java" / "TlsProbe.java"), *args])
        done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              env=dict(os.environ, NODE_PATH=str(NODE_MODULES)))
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        self.assertTrue(lines, f"{client} printed nothing: {done.stderr[-2000:]}")
        return lines

    def assert_all_four_leg_combinations(self, client: str) -> None:
        legs = ((self.require_gracewire(), DIR / "events-server-leg-tls.jsonl", True),
                (SERVER_LEG_PLAIN, DIR / "events-server-leg-plain.jsonl", False))
        for gw, events, server_leg_tls in legs:
            for client_leg_tls in (True, False):
                with self.subTest(client=client, client_leg_tls=client_leg_tls,
                                  server_leg_tls=server_leg_tls):
                    sessions = self.probe(client, gw.endpoint, GW_CA if client_leg_tls else None)
                    self.assertNotIn("error", sessions[0], sessions[0])
                    self.assertEqual(len(sessions), 2)
                    for session in sessions:
                        self.assert_session(session, events, client_leg_tls, server_leg_tls)

    def assert_session(self, session: dict, events: Path, client_leg_tls: bool,
                       server_leg_tls: bool) -> None:
        self.assertEqual((session["long_value_length"], session["answer"]), (100000, 42))
        if server_leg_tls:
            self.assertIn(session["server_ssl_version"], TLS_VERSIONS)
        else:
            self.assertEqual(session["server_ssl_version"], "")
        if session["client_tls"] is not None:  # the drivers that show their socket
            self.assertEqual(session["client_tls"] in TLS_VERSIONS, client_leg_tls)
        auth, close = records_of(events, session["connection_id"])
        self.assertTrue(auth["ok"])
        if client_leg_tls:
            self.assertIn(auth["client_tls_version"], TLS_VERSIONS)
        else:
            self.assertEqual(auth["client_tls_version"], "")
        self.assertEqual(auth["server_tls_version"] in TLS_VERSIONS, server_leg_tls)
        self.assertEqual(close["close_kind"], "com_quit", close)
        self.assertEqual(close["upstream_close"], "com_quit_eof", close)

    def assert_refuses_a_certificate_from_another_ca(self, client: str) -> None:
        """The server's CA did not sign gracewire's certificate: a driver that verifies refuses
        it (one that trusted anything, or fell back to plaintext, would pass this run)."""
        sessions = self.probe(client, self.require_gracewire().endpoint,
                              Path(self.server.env["SSL_CA"]))
        self.assertEqual(len(sessions), 1)
        self.assertIn("error", sessions[0], f"{client} accepted a certificate it cannot verify")
        # Measured: "unable to verify the first certificate" (mysql2), "self-signed certificate"
        # (mariadb, after the login: it checks MariaDB's certificate digest in the final OK),
        # "PKIX path building failed" (Connector/J), "certificate signed by unknown authority"
        # (Go).
        self.assertRegex(sessions[0]["error"]["message"], r"(?i)certificate|PKIX")

    def test_npm_mysql2(self):
        self.assert_all_four_leg_combinations("mysql2")
        self.assert_refuses_a_certificate_from_another_ca("mysql2")

    def test_npm_mariadb(self):
        self.assert_all_four_leg_combinations("mariadb")
        self.assert_refuses_a_certificate_from_another_ca("mariadb")

    def test_connector_j(self):
        self.assert_all_four_leg_combinations("connector-j")
        self.assert_refuses_a_certificate_from_another_ca("connector-j")

    def test_go_driver(self):
        self.assert_all_four_leg_combinations("go")
        self.assert_refuses_a_certificate_from_another_ca("go")


def records_of(events: Path, server_conn_id: int) -> tuple[dict, dict]:
    """The auth and close records of one session; waits for the close (written after the
    driver's COM_QUIT reached the server)."""
    deadline = time.monotonic() + 10 * harness.TIME_FACTOR
    while True:
        records = [json.loads(line) for line in events.read_text().splitlines() if line]
        mine = {r["type"]: r for r in records if r.get("server_conn_id") == server_conn_id
                and r["type"] in ("auth", "close")}
        if len(mine) == 2 or time.monotonic() > deadline:
            assert len(mine) == 2, f"records of server session {server_conn_id}: {mine}"
            return mine["auth"], mine["close"]
        time.sleep(0.05)


if __name__ == "__main__":
    unittest.main()
