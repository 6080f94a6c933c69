"""A scripted MariaDB 11.4 for the zero-configuration TLS check (test_tls_zero_config.py).

MariaDB 11.4 ends a TLS login that used a password with a check a client can make without any CA
(MDEV-31855): the OK packet's info string is 0x01 followed by the hex of
SHA256(password hash || the 20-byte scramble || SHA256 of the server certificate's DER bytes),
the password hash being SHA1(SHA1(password)) for mysql_native_password. A client that knows the
password recomputes it over the certificate it saw; the server hashed its own. Our test server
(MariaDB 10.11) sends no such string, so this server speaks just enough of the protocol, as 11.4
does: a HandshakeV10 greeting with mysql_native_password, an SSLRequest and TLS with its own
certificate, the password checked against the scramble (ERR 1045 when wrong), that OK (with no
session-state changes, as with session_track_system_variables empty), then COM_QUERY (`SELECT 1`
gets a one-row result, any other statement an OK), COM_PING and COM_QUIT (close_notify, then
close, without waiting for the peer's close_notify, as mariadbd does). Payloads up to
16 MiB - 1; one thread per connection."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import secrets
import socket
import socketserver
import ssl
import struct
import threading
from pathlib import Path

import harness
import rawclient

VERSION = "11.4.4-MariaDB-log"
# What the captured MariaDB 10.11 greeting with TLS offers (tests/unit/protocol/handshake_test.cpp):
# the 4.1 protocol, TLS, plugin auth, session tracking, CLIENT_DEPRECATE_EOF; no CLIENT_MYSQL bit,
# so the high 32 bits are MariaDB's (progress, bulk operations, extended and cached metadata).
kCapabilities = 0x0000001D_81FFFFFE
kCharsetUtf8mb4 = 45  # utf8mb4_general_ci
kStatusAutocommit = 0x0002
kPluginAuthLenencData = 1 << 21
kDeprecateEof = 1 << 24
kExtendedMetadata = 1 << 35
kComQuit, kComQuery, kComPing = 0x01, 0x03, 0x0E
kNativePassword = b"mysql_native_password"


def certificate_check(password: str, scramble: bytes, certificate_sha256: bytes) -> bytes:
    """The OK packet's info string after a TLS login with mysql_native_password. MariaDB writes
    the hex in upper case (an 11.4 server's, quoted in php/php-src#13628: "\\001515D962E3...");
    the clients compare it case-insensitively."""
    password_hash = hashlib.sha1(hashlib.sha1(password.encode()).digest()).digest()
    digest = hashlib.sha256(password_hash + scramble + certificate_sha256).hexdigest()
    return b"\x01" + digest.upper().encode()


def certificate_sha256(cert_pem: Path) -> bytes:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(cert_pem.read_text())).digest()


def lenenc(data: bytes) -> bytes:
    assert len(data) < 0xFB
    return bytes([len(data)]) + data


@dataclasses.dataclass
class Session:
    """What one connection did, for the tests to assert on."""

    connection_id: int
    scramble: bytes
    tls_version: str | None = None
    user: str = ""
    login: str = ""  # "ok" or "denied"
    queries: list[str] = dataclasses.field(default_factory=list)
    end: str = ""  # "com_quit", "eof" (closed without COM_QUIT) or "error: ..."
    # After COM_QUIT over TLS, what the peer sent next: "close_notify", "none" (its socket
    # closed without one) or "open" (nothing within 2 s).
    peer_tls_end: str = ""
    ended: threading.Event = dataclasses.field(default_factory=threading.Event)


class FakeMariaDB(socketserver.ThreadingTCPServer):
    """Listens on a free loopback port (`port`) once started; every session is in `sessions`."""

    daemon_threads = True

    def __init__(self, directory: Path, credentials: harness.Credentials):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self.credentials = credentials
        self.ca, self.cert, key = harness.make_ca_and_certificate(directory)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(self.cert, key)
        # The certificate whose fingerprint goes into the check: its own, unless a test says
        # otherwise (as a server behind another TLS terminator would be, in effect).
        self.hashed_certificate = certificate_sha256(self.cert)
        self.sessions: list[Session] = []
        self._ids = itertools.count(100)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def new_session(self) -> Session:
        # Printable, never NUL, like mariadbd's scramble (thd_create_random_password).
        scramble = bytes(33 + secrets.randbelow(94) for _ in range(20))
        session = Session(next(self._ids), scramble)
        self.sessions.append(session)
        return session


class _Handler(socketserver.BaseRequestHandler):
    server: FakeMariaDB

    def handle(self) -> None:
        self.sock: socket.socket = self.request
        self.sock.settimeout(30)
        self.session = self.server.new_session()
        try:
            self.serve()
        except (OSError, ValueError, struct.error) as e:
            self.session.end = self.session.end or f"error: {e!r}"
        finally:
            self.session.end = self.session.end or "eof"
            self.session.ended.set()
            self.sock.close()

    # --- framing --------------------------------------------------------------------------------

    def read(self) -> tuple[int, bytes]:
        header = self.read_exactly(4)
        return header[3], self.read_exactly(int.from_bytes(header[:3], "little"))

    def read_exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def write(self, seq: int, *payloads: bytes) -> None:
        frames = b"".join(len(p).to_bytes(3, "little") + bytes([(seq + i) & 0xFF]) + p
                          for i, p in enumerate(payloads))
        self.sock.sendall(frames)

    # --- the session ----------------------------------------------------------------------------

    def serve(self) -> None:
        try:
            caps = self.log_in()
            if caps is not None:
                self.commands(caps)
        except EOFError:
            pass

    def log_in(self) -> int | None:
        """Greeting, SSLRequest and TLS (if asked), HandshakeResponse41: OK or ERR 1045. Returns
        the capabilities both sides agreed on, or None after a refusal."""
        s = self.session
        caps = kCapabilities
        self.write(0, b"\x0a" + VERSION.encode() + b"\0" + struct.pack("<I", s.connection_id)
                   + s.scramble[:8] + b"\0"
                   + struct.pack("<HBHH", caps & 0xFFFF, kCharsetUtf8mb4, kStatusAutocommit,
                                 caps >> 16 & 0xFFFF)
                   + bytes([len(s.scramble) + 1]) + bytes(6) + struct.pack("<I", caps >> 32)
                   + s.scramble[8:] + b"\0" + kNativePassword + b"\0")
        seq, payload = self.read()
        if len(payload) == 32:  # an SSLRequest: the response's first 32 bytes, nothing more
            # A ragged EOF raises instead of reading as b"": close_notify stays visible.
            self.sock = self.server.tls.wrap_socket(self.sock, server_side=True,
                                                    suppress_ragged_eofs=False)
            s.tls_version = self.sock.version()
            seq, payload = self.read()
        low, = struct.unpack_from("<I", payload)
        high, = struct.unpack_from("<I", payload, 28)
        caps &= low | high << 32
        end = payload.index(b"\0", 32)
        s.user = payload[32:end].decode()
        if caps & kPluginAuthLenencData:
            length, start = rawclient.lenenc_int(payload, end + 1)
        else:  # CLIENT_SECURE_CONNECTION: one length byte
            length, start = payload[end + 1], end + 2
        auth = payload[start:start + length]
        account = self.server.credentials
        expected = rawclient.native_password(account.password, s.scramble)
        if s.user != account.user or not hmac.compare_digest(auth, expected):
            s.login = "denied"
            host = self.client_address[0]
            message = (f"Access denied for user '{s.user}'@'{host}' (using password: "
                       f"{'YES' if auth else 'NO'})")
            self.write(seq + 1, b"\xff" + struct.pack("<H", 1045) + b"#28000" + message.encode())
            return None
        s.login = "ok"
        info = b""
        if s.tls_version is not None and account.password:
            info = lenenc(certificate_check(account.password, s.scramble,
                                            self.server.hashed_certificate))
        self.write(seq + 1, self.ok() + info)
        return caps

    def commands(self, caps: int) -> None:
        while True:
            _, payload = self.read()
            command = payload[0]
            if command == kComQuit:
                self.session.end = "com_quit"
                self.read_peer_tls_end()
                self.close_tls()
                return
            if command == kComQuery:
                sql = payload[1:].decode()
                self.session.queries.append(sql)
                if sql.strip().upper() == "SELECT 1":
                    self.write(1, *self.select_one(caps))
                else:
                    self.write(1, self.ok())
            elif command == kComPing:
                self.write(1, self.ok())
            else:
                self.write(1, b"\xff" + struct.pack("<H", 1047) + b"#08S01Unknown command")

    def ok(self, header: bytes = b"\x00") -> bytes:
        return header + b"\x00\x00" + struct.pack("<HH", kStatusAutocommit, 0)

    def select_one(self, caps: int) -> list[bytes]:
        """`SELECT 1`'s result as mariadbd sends it: one INT column named "1" (binary, not null,
        numeric), one row."""
        column = b"".join(lenenc(s) for s in (b"def", b"", b"", b"", b"1", b""))
        if caps & kExtendedMetadata:
            column += b"\x00"  # no extended type information
        column += b"\x0c" + struct.pack("<HIBHBH", 63, 1, 3, 0x8081, 0, 0)
        eof = b"\xfe" + struct.pack("<HH", 0, kStatusAutocommit)
        if caps & kDeprecateEof:
            return [b"\x01", column, lenenc(b"1"), self.ok(b"\xfe")]
        return [b"\x01", column, eof, lenenc(b"1"), eof]

    def read_peer_tls_end(self) -> None:
        """Read through TLS, the COM_QUIT was inside an application-data record; what comes
        next shows whether the peer also ended TLS (the close that issue 11 asks of gracewire)."""
        if not isinstance(self.sock, ssl.SSLSocket):
            return
        self.sock.settimeout(2)
        try:
            rest = self.sock.recv(1)
            self.session.peer_tls_end = "close_notify" if rest == b"" else "data after COM_QUIT"
        except ssl.SSLEOFError:
            self.session.peer_tls_end = "none"
        except socket.timeout:
            self.session.peer_tls_end = "open"

    def close_tls(self) -> None:
        """close_notify, not waiting for the peer's: one SSL_shutdown, as mariadbd's vio does."""
        if isinstance(self.sock, ssl.SSLSocket):
            self.sock.setblocking(False)
            try:
                self.sock.unwrap()
            except OSError:  # ssl.SSLWantReadError: the peer's close_notify is not awaited
                pass


def wait_for_end(session: Session, timeout: float = 10.0) -> str:
    """How `session` ended, once it has."""
    if not session.ended.wait(timeout * harness.TIME_FACTOR):
        raise AssertionError(f"session {session.connection_id} still open after {timeout} s")
    return session.end
