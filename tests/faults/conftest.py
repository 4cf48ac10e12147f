"""Services of our own for fault tests: a Redis and a PostgreSQL this suite starts, stops and
restarts on ports of its own. The machine's services are never touched."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def _missing(what: str) -> None:
    """Skipped on a laptop without the binaries; with CI=true every service is required."""
    from tests import services

    if services.CI:
        pytest.fail(f"CI=true and {what}", pytrace=False)
    pytest.skip(what)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, up: bool, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} did not go {'up' if up else 'down'}")


class PrivateRedis:
    def __init__(self, workdir: Path):
        self.port = _free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.port, up=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        _wait_for_port(self.port, up=False)


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        _missing("redis-server is not installed (apt-get install redis-server)")
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def _pg_bin(name: str) -> str | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else shutil.which(name)


class PrivatePostgres:
    """initdb into a temporary directory, run as an unprivileged user when we are root."""

    def __init__(self, workdir: Path):
        self.port = _free_port()
        self.datadir = workdir / "pgdata"
        self.socketdir = workdir / "pgsock"
        self.logfile = workdir / "pg.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "nobody", "--"]
            workdir.chmod(0o777)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.socketdir.mkdir()
        self.socketdir.chmod(0o777)
        self._run(_pg_bin("initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.datadir), "-l", str(self.logfile), "-w", "-o",
            f"-p {self.port} -k {self.socketdir} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def private_postgres():
    import tempfile

    if _pg_bin("initdb") is None or _pg_bin("pg_ctl") is None:
        _missing("PostgreSQL server binaries are not installed (apt-get install postgresql)")
    # Not under pytest's tmp directory: that one is private to root, and the server runs as nobody.
    workdir = Path(tempfile.mkdtemp(prefix="retorno-private-pg-"))
    server = PrivatePostgres(workdir)
    try:
        server.init()
        server.start()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
