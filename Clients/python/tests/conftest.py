"""Live clusters for the Python tests: a real manager and agents from the built ``pilot`` binary.

``PILOT_BIN`` names the binary (default: ``.build/debug/pilot`` under the repository). Readiness is
polled (``GET /v1/health`` for the manager, ``/v1/summary``'s agent count for agents), never slept for.

Fixtures:
- ``cluster``: one manager + one agent over this machine's real topology, shared by the session.
- ``cluster_factory``: ``cluster_factory(agents=[["--qpu-devices", "ideal-sim"]], manager_args=[...])``
  starts another cluster with those agent and manager flags (stopped at the end of the test).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

import pytest

REPO = Path(__file__).resolve().parents[3]


def pilot_bin() -> str:
    p = Path(os.environ.get("PILOT_BIN", REPO / ".build" / "debug" / "pilot"))
    if not p.is_absolute():
        p = REPO / p
    if not os.access(p, os.X_OK):
        raise RuntimeError(f"no pilot binary at {p}: build it (swift build) or set PILOT_BIN")
    return str(p)


def poll(what: str, body: Callable[[], Any], timeout: float = 90.0, interval: float = 0.05) -> Any:
    """Calls ``body`` until it returns a truthy value; fails naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = body()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class LiveCluster:
    """A manager in a temporary server directory plus agents, each a ``pilot`` process."""

    def __init__(self, manager_args: Sequence[str] = (), tag: str = "py", env: Optional[dict[str, str]] = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"pilot-{tag}-"))
        self.env = dict(env or {})
        self.bin = pilot_bin()
        self.manager_args = list(manager_args)
        self.manager: Optional[subprocess.Popen[bytes]] = None
        self.agents: list[subprocess.Popen[bytes]] = []
        self.access: dict[str, Any] = {}

    @property
    def url(self) -> str:
        scheme = "https" if self.access.get("tls_fingerprint") else "http"
        return f"{scheme}://{self.access['host']}:{self.access['port']}"

    @property
    def cert_file(self) -> Optional[str]:
        """The manager's self-signed certificate, for tools that take a CA file (urllib, requests)."""
        return str(self.dir / "tls.crt") if self.access.get("tls_fingerprint") else None

    @property
    def ssl(self) -> Optional[ssl.SSLContext]:
        """An SSL context trusting the manager's certificate and nothing else (names checked too)."""
        return ssl.create_default_context(cafile=self.cert_file) if self.cert_file else None

    @property
    def token(self) -> str:
        return str(self.access["token"])

    def _start(self, args: Sequence[str], log: str) -> subprocess.Popen[bytes]:
        out = open(self.dir / log, "ab")
        try:
            return subprocess.Popen([self.bin, *args], stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                                    env=dict(os.environ, PILOT_SERVER_DIR=str(self.dir), **self.env))
        finally:
            out.close()

    def log(self, name: str) -> str:
        try:
            return (self.dir / f"{name}.log").read_text(errors="replace")
        except OSError:
            return ""

    def start_manager(self, timeout: float = 90.0) -> None:
        self.manager = self._start(["manager", "start", "--server-dir", str(self.dir), "--port", "0",
                                    "--agent-port", "0", *self.manager_args], "manager.log")

        def ready() -> bool:
            assert self.manager is not None
            if self.manager.poll() is not None:
                raise RuntimeError(f"manager exited with {self.manager.returncode}: {self.log('manager')[-3000:]}")
            try:
                a = json.loads((self.dir / "access.json").read_text())
            except (OSError, ValueError):
                return False
            if a.get("pid") != self.manager.pid:
                return False
            self.access = a
            try:
                with urllib.request.urlopen(self.url + "/v1/health", timeout=2, context=self.ssl) as r:
                    return r.status == 200
            except OSError:
                return False

        poll("the manager's /v1/health", ready, timeout)

    def get(self, path: str) -> Any:
        req = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(req, timeout=30, context=self.ssl) as r:
            return json.loads(r.read())

    def start_agent(self, args: Sequence[str] = (), name: Optional[str] = None, timeout: float = 90.0) -> subprocess.Popen[bytes]:
        """Starts an agent with these flags (``--qpu-devices``, ``--topology``, ``--custom``, ...) and
        waits until the manager counts it."""
        want = len(self.agents) + 1
        p = self._start(["agent", "--server-dir", str(self.dir), *args], f"{name or f'agent{want}'}.log")
        self.agents.append(p)

        def registered() -> bool:
            if p.poll() is not None:
                raise RuntimeError(f"agent exited with {p.returncode}: {self.log(name or f'agent{want}')[-3000:]}")
            return int(self.get("/v1/summary")["agents"]) >= want

        poll(f"{want} registered agents", registered, timeout)
        return p

    def client(self, **kw: Any) -> Any:
        from swiftpilot import Client
        return Client(self.dir, **kw)

    def stop(self) -> None:
        for p in self.agents:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
        if self.manager is not None and self.manager.poll() is None:
            self.manager.terminate()
            try:
                self.manager.wait(30)
            except subprocess.TimeoutExpired:
                self.manager.kill()
                self.manager.wait()
        if os.environ.get("PILOT_TEST_KEEP"):
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def start_cluster(agents: Sequence[Sequence[str]] = ((),), manager_args: Sequence[str] = (), tag: str = "py",
                  env: Optional[dict[str, str]] = None) -> LiveCluster:
    """A manager with these flags and one agent per entry of ``agents`` (its flags); ``env`` is added
    to the processes' environment."""
    c = LiveCluster(manager_args, tag, env)
    try:
        c.start_manager()
        for i, a in enumerate(agents):
            c.start_agent(a, name=f"agent{i + 1}")
    except BaseException:
        c.stop()
        raise
    return c


@pytest.fixture(scope="session")
def cluster() -> Iterator[LiveCluster]:
    """One manager and one agent over this machine's real cores, for the whole session."""
    c = start_cluster(tag="session")
    yield c
    c.stop()


@pytest.fixture
def cluster_factory() -> Iterator[Callable[..., LiveCluster]]:
    """Starts clusters with the given agent flags (one list per agent) and manager flags."""
    made: list[LiveCluster] = []

    def make(agents: Sequence[Sequence[str]] = ((),), manager_args: Sequence[str] = (), tag: str = "py",
             env: Optional[dict[str, str]] = None) -> LiveCluster:
        c = start_cluster(agents, manager_args, tag, env)
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()


@pytest.fixture(scope="session")
def client(cluster: LiveCluster) -> Iterator[Any]:
    c = cluster.client()
    yield c
    c.close()
