"""A throwaway Prometheus server that scrapes gracewire, for the metrics endpoint's test (issue 12).

A test of `/metrics` that only parses the page with our own code would pass a page that our parser
and our writer both get wrong. So the test lets a real Prometheus (Debian's `prometheus` package,
2.42, installed by tools/install-deps.sh) scrape gracewire and asks Prometheus's HTTP API for the
counter the test moved.

`PrometheusServer` starts `/usr/bin/prometheus` as a child in its own session, listening on a free
loopback port, with a temporary directory that holds its generated prometheus.yml (one scrape job,
`gracewire`, for one target, every second) and its TSDB; its output goes to prometheus.log in the
artefacts directory. Everything else it writes stays in the temporary one (WAL, query tracker); it
reads /etc/prometheus/consoles only if someone asks for /consoles. With no alerting, rules, remote
storage or service discovery configured, it connects to nothing but the target (checked with
strace). It is ready within about 0.1 s, but the first scrape comes 5-6 s later: Prometheus 2.42
applies new targets on a fixed 5 s tick. After that a new value shows within a second or so.

    prometheus = PrometheusServer(f"127.0.0.1:{port}", artifacts)
    prometheus.start()
    try:
        result = prometheus.wait_for("gw_test_total", lambda r: r and r[0]["value"][1] == "7")
    finally:
        prometheus.stop()
"""

from __future__ import annotations

import json
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable

import harness

BINARY = "/usr/bin/prometheus"
JOB = "gracewire"
# Requests go to loopback only: never through an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class PrometheusServer:
    """Debian's Prometheus scraping `target` ("host:port") at `metrics_path` every second."""

    def __init__(self, target: str, artifacts: Path, metrics_path: str = "/metrics"):
        self.target = target
        self.metrics_path = metrics_path
        self.log_path = artifacts / "prometheus.log"
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self._log_start = 0
        self.tmp: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        """Returns when /-/ready answers 200 (the TSDB is open; the first scrape is ~5 s away)."""
        if not Path(BINARY).exists():
            raise RuntimeError(f"{BINARY} not found: run tools/install-deps.sh")
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout: float) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="gw-prometheus-"))
        config = self.tmp / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            f"scrape_configs:\n  - job_name: {JOB}\n    metrics_path: {self.metrics_path}\n"
            f"    static_configs:\n      - targets: ['{self.target}']\n")
        for _ in range(3):
            self.port = harness.free_port()
            cmd = [BINARY, f"--config.file={config}", f"--storage.tsdb.path={self.tmp / 'data'}",
                   f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=info"]
            with self.log_path.open("ab") as log:
                log.write(f"=== {shlex.join(cmd)}\n{config.read_text()}".encode())
                log.flush()
                self._log_start = log.tell()
                # Own session: a Ctrl-C on the test runner must not reach it before we stop it.
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self._ready():
                    return
                time.sleep(0.05)
            if self.proc.poll() is None:
                raise RuntimeError(f"prometheus was not ready within {timeout} s; log tail:\n"
                                   + harness.tail(self.log_path))
            if "address already in use" not in self.log():
                raise RuntimeError(f"prometheus exited with {self.proc.returncode} during start-up:"
                                   f"\n{harness.tail(self.log_path)}")
        raise RuntimeError("prometheus: no free port after 3 attempts")

    def _ready(self) -> bool:
        try:
            with _OPENER.open(f"{self.url}/-/ready", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False  # not listening yet, or 503 while the TSDB opens

    def log(self) -> str:
        """Everything this process has logged so far."""
        with self.log_path.open("rb") as f:
            f.seek(self._log_start)
            return f.read().decode(errors="replace")

    def _get(self, path: str, **params: str) -> Any:
        """The `data` of an API answer; raises with the body on an error status."""
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with _OPENER.open(url, timeout=10) as response:
                body = json.load(response)
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"GET {url}: {e.code} {e.read().decode(errors='replace')}") from None
        if body.get("status") != "success":
            raise RuntimeError(f"GET {url}: {body}")
        return body["data"]

    def query(self, expr: str) -> list[dict]:
        """An instant query now: `data.result`, e.g. [{"metric": {...}, "value": [t, "7"]}]."""
        return self._get("/api/v1/query", query=expr)["result"]

    def wait_for(self, expr: str, predicate: Callable[[list[dict]], Any],
                 timeout: float = 15.0) -> list[dict]:
        """Polls query(expr) until predicate(result) holds and returns that result."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(expr)
            if predicate(result):
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(f"prometheus: {expr!r} did not match within {timeout} s; last "
                                     f"result {result}; target {self.target_health()}")
            time.sleep(0.2)

    def target_health(self) -> str:
        """The gracewire target's health: "up", "unknown" (not scraped yet), "down: <lastError>",
        or "absent" when Prometheus has not picked the target up yet."""
        for target in self._get("/api/v1/targets", state="active")["activeTargets"]:
            if target["labels"].get("job") == JOB:
                error = target.get("lastError")
                return f"{target['health']}: {error}" if error else target["health"]
        return "absent"

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, wait, SIGKILL after `timeout`; removes the temporary directory. Idempotent."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
