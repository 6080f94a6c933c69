"""A throwaway NATS server with JetStream, for the publisher's tests (issue 13), and a reader of
what gracewire published.

`NatsServer` starts Debian's `/usr/sbin/nats-server` (2.9, installed by tools/install-deps.sh) as
a child in its own session, on a free loopback port, with JetStream storing into a directory of
its own; its output goes to nats-server.log in the artefacts directory. It can be stopped and
started again on the same port and store (a NATS restart), or killed. Optional: a user and
password required of clients; TLS (clients then connect with tls:// and trust its CA); operator
mode, where clients log in with a credentials file (make_operator()).

What the stream holds is read by NATS's own client, npm `nats` (clients/node/nats_read.js), not by
libnats that gracewire publishes with: a reader that shares the publisher's library could share
its mistakes.

    nats = NatsServer(artifacts)
    nats.start()
    try:
        messages = nats.read_stream("GRACEWIRE", wait_for=10)
    finally:
        nats.stop(remove=True)
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import harness

BINARY = "/usr/sbin/nats-server"
READER = Path(__file__).resolve().parent / "clients" / "node" / "nats_read.js"
MAKER = Path(__file__).resolve().parent / "clients" / "node" / "nats_stream.js"
OPERATOR = Path(__file__).resolve().parent / "clients" / "node" / "nats_operator.js"


def make_operator(directory: Path) -> Path:
    """An operator, an account with JetStream and a user, bound by signed JWTs, in `directory`:
    nats.conf (for NatsServer's `config`), user.creds (the user's credentials file) and
    other.creds (a user whose JWT a stranger signed). Returns nats.conf."""
    env = dict(os.environ, NODE_PATH=str(harness.node_modules("nats")))
    done = subprocess.run(["node", str(OPERATOR), "--dir", str(directory)], env=env,
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"nats_operator failed ({done.returncode}): {done.stderr.strip()}")
    conf = directory / "nats.conf"
    conf.write_text("include server.conf\n")
    return conf


class NatsServer:
    def __init__(self, artifacts: Path, user: str = "", password: str = "",
                 tls: tuple[Path, Path, Path] | None = None, config: Path | None = None,
                 creds: Path | None = None):
        """tls: (ca, cert, key), as harness.make_ca_and_certificate() makes them; config: a
        configuration file to add (make_operator()), with `creds` the reader's credentials."""
        self.log_path = artifacts / "nats-server.log"
        self.user = user
        self.password = password
        self.tls = tls
        self.config = config
        self.creds = creds
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.store = Path(tempfile.mkdtemp(prefix="gw-nats-"))

    @property
    def url(self) -> str:
        return f"{'tls' if self.tls else 'nats'}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        """Returns once the port accepts connections. A second start reuses port and store."""
        if not Path(BINARY).exists():
            raise RuntimeError(f"{BINARY} not found: run tools/install-deps.sh")
        for _ in range(3):
            self.port = self.port or harness.free_port()
            cmd = [BINARY, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)]
            if self.user:
                cmd += ["--user", self.user, "--pass", self.password]
            if self.config:
                cmd += ["-c", str(self.config)]
            if self.tls:
                cmd += ["--tls", "--tlscert", str(self.tls[1]), "--tlskey", str(self.tls[2])]
            with self.log_path.open("ab") as log:
                shown = [("***" if self.password and a == self.password else a) for a in cmd]
                log.write(f"=== {shlex.join(shown)}\n".encode())
                log.flush()
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self._accepting():
                    return
                time.sleep(0.05)
            if self.proc.poll() is None:
                raise RuntimeError(f"nats-server not ready within {timeout} s:\n"
                                   + harness.tail(self.log_path))
            if "address already in use" not in harness.tail(self.log_path).lower():
                raise RuntimeError(f"nats-server exited with {self.proc.returncode}:\n"
                                   + harness.tail(self.log_path))
            self.port = 0
        raise RuntimeError("nats-server: no free port after 3 attempts")

    def _accepting(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                return s.recv(4).startswith(b"INFO")
        except OSError:
            return False

    def stop(self, remove: bool = False, timeout: float = 10.0) -> None:
        """SIGTERM (then SIGKILL after `timeout`); `remove` also deletes the store. Idempotent."""
        if self.proc is not None and self.proc.poll() is None:
            self.resume()  # a paused server would not see the SIGTERM
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if remove:
            shutil.rmtree(self.store, ignore_errors=True)

    def pause(self) -> None:
        """SIGSTOP: connections stay open and nothing is answered (a hung server)."""
        assert self.proc is not None and self.proc.poll() is None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT; harmless when it runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)

    def add_stream(self, stream: str, subjects: str, max_bytes: int = -1,
                   max_msgs: int = -1) -> None:
        """Creates `stream` for `subjects` (comma-separated), discarding new messages past
        `max_bytes` or `max_msgs`."""
        env = dict(os.environ, NODE_PATH=str(harness.node_modules("nats")))
        done = subprocess.run(["node", str(MAKER), "--server", self.url, "--stream", stream,
                               "--subjects", subjects, "--max-bytes", str(max_bytes),
                               "--max-msgs", str(max_msgs),
                               *(["--ca", str(self.tls[0])] if self.tls else [])],
                              env=env, capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"nats_stream failed ({done.returncode}): {done.stderr.strip()}")

    def read_stream(self, stream: str = "GRACEWIRE", wait_for: int = 0,
                    timeout: float = 20.0) -> list[dict]:
        """Every message of `stream`, oldest first: {seq, subject, id, type, instance, data}.
        Waits (up to `timeout`) until it holds at least `wait_for`."""
        env = dict(os.environ, NODE_PATH=str(harness.node_modules("nats")))
        args = ["node", str(READER), "--server", self.url, "--stream", stream,
                "--wait-for", str(wait_for), "--timeout-ms", str(int(timeout * 1000))]
        if self.user:
            args += ["--user", self.user, "--pass", self.password]
        if self.creds:
            args += ["--creds", str(self.creds)]
        if self.tls:
            args += ["--ca", str(self.tls[0])]
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout + 30)
        if done.returncode != 0:
            raise RuntimeError(f"nats_read failed ({done.returncode}): {done.stderr.strip()}")
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
