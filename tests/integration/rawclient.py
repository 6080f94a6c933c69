"""A MySQL client that writes every byte itself, for the close matrix.

Client libraries decide for you how a session ends (PyMySQL's close() always sends COM_QUIT and then
closes at once) and never send half a packet. The close matrix needs exactly those moves: stop after
the greeting, send part of a HandshakeResponse41, pipeline COM_QUIT behind a query, stop reading a
result after N rows, leave with FIN or with RST. This client does only what it is told.

Protocol subset: HandshakeV10, HandshakeResponse41 with mysql_native_password (and an auth switch to
it), COM_QUERY with text results (classic EOF packets: CLIENT_DEPRECATE_EOF is not requested),
COM_STMT_PREPARE, COM_QUIT. Payloads up to 16 MiB - 1 (no multi-packet messages).
"""

from __future__ import annotations

import dataclasses
import hashlib
import socket
import ssl
import struct
import time

# Capability flags (include/mysql_com.h)
kLongPassword = 1 << 0
kLongFlag = 1 << 2
kConnectWithDb = 1 << 3
kProtocol41 = 1 << 9
kTransactions = 1 << 13
kSsl = 1 << 11
kSecureConnection = 1 << 15
kMultiResults = 1 << 17
kPluginAuth = 1 << 19
kWanted = (kLongPassword | kLongFlag | kConnectWithDb | kProtocol41 | kTransactions
           | kSecureConnection | kMultiResults | kPluginAuth)

kComQuit = 0x01
kComQuery = 0x03
kComStmtPrepare = 0x16
kQuitPacket = bytes([1, 0, 0, 0, kComQuit])  # length 1, sequence 0, COM_QUIT
kCharsetUtf8mb4 = 45  # utf8mb4_general_ci
kNativePassword = "mysql_native_password"


class ServerError(Exception):
    """An ERR packet: code, SQLSTATE, message."""

    def __init__(self, code: int, sql_state: str, message: str):
        super().__init__(code, sql_state, message)
        self.code, self.sql_state, self.message = code, sql_state, message

    def __str__(self) -> str:
        return f"ERR {self.code} ({self.sql_state}): {self.message}"


class Closed(Exception):
    """The peer closed the connection (EOF) or reset it, in the middle of what we were reading."""


def native_password(password: str, scramble: bytes) -> bytes:
    """mysql_native_password: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw)))."""
    if not password:
        return b""
    stage1 = hashlib.sha1(password.encode()).digest()
    stage2 = hashlib.sha1(stage1).digest()
    mask = hashlib.sha1(scramble + stage2).digest()
    return bytes(a ^ b for a, b in zip(stage1, mask))


def parse_err(payload: bytes) -> ServerError:
    code = struct.unpack_from("<H", payload, 1)[0]
    if payload[3:4] == b"#":
        return ServerError(code, payload[4:9].decode(), payload[9:].decode(errors="replace"))
    return ServerError(code, "", payload[3:].decode(errors="replace"))


def lenenc_int(payload: bytes, pos: int) -> tuple[int, int]:
    first = payload[pos]
    if first < 0xFB:
        return first, pos + 1
    if first == 0xFC:
        return struct.unpack_from("<H", payload, pos + 1)[0], pos + 3
    if first == 0xFD:
        return int.from_bytes(payload[pos + 1:pos + 4], "little"), pos + 4
    if first == 0xFE:
        return struct.unpack_from("<Q", payload, pos + 1)[0], pos + 9
    raise ValueError(f"not a length-encoded integer: 0x{first:02x}")


def is_eof(payload: bytes) -> bool:
    return payload[:1] == b"\xfe" and len(payload) < 9


@dataclasses.dataclass
class Greeting:
    connection_id: int
    server_version: str
    capabilities: int
    scramble: bytes
    plugin: str


class RawClient:
    """One TCP connection. Methods raise ServerError for an ERR packet and Closed for EOF/RST."""

    def __init__(self, host: str, port: int, *, timeout: float = 20.0, rcvbuf: int | None = None,
                 tls: ssl.SSLContext | None = None):
        """tls: send an SSLRequest after the greeting and go on inside TLS (sequence ids shift by
        one: the response is packet 2)."""
        self.tls = tls
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            # Before connect(), so the window is small from the start: the server blocks sooner.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.buf = bytearray()
        self.seq = 0
        self.greeting: Greeting | None = None
        self.closed = False

    # --- framing ---------------------------------------------------------------------------------

    def _fill(self, need: int) -> None:
        while len(self.buf) < need:
            try:
                chunk = self.sock.recv(1 << 16)
            except ConnectionResetError as e:
                raise Closed(f"connection reset ({e})") from e
            if not chunk:
                raise Closed("EOF")
            self.buf += chunk

    def read_packet(self) -> bytes:
        self._fill(4)
        length = int.from_bytes(self.buf[:3], "little")
        self.seq = (self.buf[3] + 1) & 0xFF
        self._fill(4 + length)
        payload = bytes(self.buf[4:4 + length])
        del self.buf[:4 + length]
        return payload

    def packet_bytes(self, payload: bytes, seq: int | None = None) -> bytes:
        seq = self.seq if seq is None else seq
        self.seq = (seq + 1) & 0xFF
        return len(payload).to_bytes(3, "little") + bytes([seq]) + payload

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    # --- connection phase ------------------------------------------------------------------------

    def read_greeting(self) -> Greeting:
        payload = self.read_packet()
        if payload[:1] == b"\xff":
            raise parse_err(payload)
        if payload[0] != 10:
            raise ValueError(f"not a HandshakeV10: {payload[:16].hex()}")
        end = payload.index(b"\0", 1)
        version = payload[1:end].decode(errors="replace")
        pos = end + 1
        connection_id = struct.unpack_from("<I", payload, pos)[0]
        part1 = payload[pos + 4:pos + 12]
        pos += 13  # 8 bytes of scramble, 1 filler
        caps = struct.unpack_from("<H", payload, pos)[0]
        pos += 3  # capabilities (low), character set
        pos += 2  # status
        caps |= struct.unpack_from("<H", payload, pos)[0] << 16
        pos += 2
        scramble_len = payload[pos]
        pos += 1 + 10  # reserved (MariaDB keeps its extended capabilities in the last 4)
        part2 = b""
        if caps & kSecureConnection:
            n = max(13, scramble_len - 8)
            part2 = payload[pos:pos + n].rstrip(b"\0")
            pos += n
        plugin = ""
        if caps & kPluginAuth:
            plugin = payload[pos:].split(b"\0", 1)[0].decode()
        self.greeting = Greeting(connection_id, version, caps, part1 + part2, plugin or kNativePassword)
        return self.greeting

    def handshake_response(self, user: str, password: str, database: str | None) -> bytes:
        """The whole HandshakeResponse41 packet (header included), sequence 1; with TLS, the
        SSLRequest is sent and TLS started first, and the response is sequence 2."""
        assert self.greeting is not None
        caps = kWanted & self.greeting.capabilities
        if not database:
            caps &= ~kConnectWithDb
        seq = 1
        if self.tls is not None:
            if not self.greeting.capabilities & kSsl:
                raise ValueError("TLS asked for, and not offered in the greeting")
            caps |= kSsl
            self.send(self.packet_bytes(struct.pack("<IIB", caps, 1 << 24, kCharsetUtf8mb4)
                                        + bytes(23), seq=1))
            self.sock = self.tls.wrap_socket(self.sock)
            seq = 2
        auth = native_password(password, self.greeting.scramble)
        payload = struct.pack("<IIB", caps, 1 << 24, kCharsetUtf8mb4) + bytes(23)
        payload += user.encode() + b"\0" + bytes([len(auth)]) + auth
        if caps & kConnectWithDb:
            payload += database.encode() + b"\0"
        if caps & kPluginAuth:
            payload += kNativePassword.encode() + b"\0"
        return self.packet_bytes(payload, seq=seq)

    def read_auth_result(self, password: str) -> None:
        """OK, or ERR (raised); follows one auth switch to mysql_native_password."""
        while True:
            payload = self.read_packet()
            if payload[:1] == b"\x00":
                return
            if payload[:1] == b"\xff":
                raise parse_err(payload)
            if payload[:1] == b"\xfe":  # AuthSwitchRequest: plugin name, then its scramble
                name, _, data = payload[1:].partition(b"\0")
                if name.decode() != kNativePassword:
                    raise ValueError(f"auth switch to {name!r} is not supported by this client")
                self.send(self.packet_bytes(native_password(password, data.rstrip(b"\0"))))
                continue
            raise ValueError(f"unexpected packet during authentication: {payload[:16].hex()}")

    def login(self, user: str, password: str, database: str | None = None) -> None:
        self.read_greeting()
        self.send(self.handshake_response(user, password, database))
        self.read_auth_result(password)

    # --- commands --------------------------------------------------------------------------------

    def send_command(self, command: int, body: bytes = b"") -> None:
        self.send(self.packet_bytes(bytes([command]) + body, seq=0))

    def send_query(self, sql: str) -> None:
        self.send_command(kComQuery, sql.encode())

    def read_result_head(self) -> int:
        """Reads up to the end of the column definitions; returns the column count (0 for an OK)."""
        payload = self.read_packet()
        if payload[:1] == b"\xff":
            raise parse_err(payload)
        if payload[:1] == b"\x00":
            return 0
        columns, _ = lenenc_int(payload, 0)
        for _ in range(columns):
            self.read_packet()
        if not is_eof(self.read_packet()):
            raise ValueError("expected EOF after the column definitions")
        return columns

    def read_row(self) -> bytes | None:
        """One text row's payload, or None at the EOF that ends the rows; ERR is raised."""
        payload = self.read_packet()
        if payload[:1] == b"\xff":
            raise parse_err(payload)
        if is_eof(payload):
            return None
        return payload

    def query(self, sql: str) -> list[bytes]:
        """Runs a statement and reads its whole (single) result: the row payloads."""
        self.send_query(sql)
        if self.read_result_head() == 0:
            return []
        rows = []
        while (row := self.read_row()) is not None:
            rows.append(row)
        return rows

    def prepare(self, sql: str) -> int:
        """COM_STMT_PREPARE; reads the whole response; returns the statement id."""
        self.send_command(kComStmtPrepare, sql.encode())
        payload = self.read_packet()
        if payload[:1] == b"\xff":
            raise parse_err(payload)
        statement_id, columns, params = struct.unpack_from("<IHH", payload, 1)
        for count in (params, columns):
            if count:
                for _ in range(count):
                    self.read_packet()
                if not is_eof(self.read_packet()):
                    raise ValueError("expected EOF after the prepared statement's definitions")
        return statement_id

    # --- endings ---------------------------------------------------------------------------------

    def send_quit(self) -> None:
        self.send(kQuitPacket)

    def close_fin(self) -> None:
        """Leave without COM_QUIT: FIN first. (close() alone would send RST if unread bytes wait.)"""
        self._shutdown_write()
        self.close()

    def close_rst(self) -> None:
        """Leave without COM_QUIT with an RST: SO_LINGER {on, 0 s}, then close."""
        if not self.closed:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close()

    def _shutdown_write(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.sock.close()

    def read_until_eof(self, timeout: float) -> tuple[bool, int, str]:
        """Reads and discards until the peer closes: (closed in time, bytes read, how it ended)."""
        read = len(self.buf)
        self.buf.clear()
        deadline = time.monotonic() + timeout
        try:
            while (left := deadline - time.monotonic()) > 0:
                self.sock.settimeout(left)
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    return True, read, "EOF"
                read += len(chunk)
        except socket.timeout:
            pass
        except ConnectionResetError:
            return True, read, "RST"
        return False, read, f"still open after {timeout:g} s"

    def read_outcome(self, timeout: float) -> list[str]:
        """Everything the peer still sends, summarised packet by packet, until it closes.

        For the shutdown tests: what did the client get? Returns one token per packet: "err:<code>",
        "eof", "ok", "data" (column counts, column definitions, rows), and last "closed:EOF",
        "closed:RST" or "open" (the deadline passed first)."""
        tokens: list[str] = []
        deadline = time.monotonic() + timeout
        try:
            while (left := deadline - time.monotonic()) > 0:
                self.sock.settimeout(left)
                payload = self.read_packet()
                if payload[:1] == b"\xff":
                    tokens.append(f"err:{parse_err(payload).code}")
                elif is_eof(payload):
                    tokens.append("eof")
                elif payload[:1] == b"\x00" and len(payload) < 64:
                    tokens.append("ok")
                else:
                    tokens.append("data")
        except Closed as e:
            tokens.append("closed:RST" if "reset" in str(e) else "closed:EOF")
            return tokens
        except socket.timeout:
            pass
        tokens.append("open")
        return tokens
