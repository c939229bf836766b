"""A fresh machine with only Python: embedded PostgreSQL and Redis under var/, end to end."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from quanzi.embedded import start_embedded

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fresh") / "var"


def _env_without_servers(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(QUANZI_VAR_DIR=str(var_dir), QUANZI_DEV_LOGIN="1", QUANZI_LOG_JSON="1")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


QUANZI = [sys.executable, "-m", "quanzi"]


def _migrate_and_serve(env: dict[str, str], workers: int = 1) -> tuple[subprocess.Popen[str], str]:
    """Migrate, start `quanzi serve` on a free port and wait until it answers /healthz."""
    migrate = subprocess.run(
        [*QUANZI, "migrate"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert migrate.returncode == 0, migrate.stderr
    port = _free_port()
    server = subprocess.Popen(
        [*QUANZI, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            return server, base
        except httpx.TransportError:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "quanzi serve did not come up in 60 s"
            time.sleep(0.2)


async def test_embedded_servers_start_answer_and_stop(var_dir: Path) -> None:
    servers = start_embedded(var_dir, None, None)
    try:
        assert servers.database_url and servers.redis_url
        conn = await asyncpg.connect("postgresql" + servers.database_url[len("postgres") :])
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()
        redis = Redis.from_url(servers.redis_url)
        assert await redis.ping()
        await redis.aclose()
    finally:
        servers.stop()
    assert not (var_dir / "postgres" / "postmaster.pid").exists()
    assert not (var_dir / "redis" / "redis.sock").exists()


def test_quanzi_serve_runs_the_api_on_embedded_defaults(var_dir: Path) -> None:
    server, base = _migrate_and_serve(_env_without_servers(var_dir))
    try:
        health = httpx.get(f"{base}/healthz", timeout=10)
        assert health.json() == {"status": "ok", "postgres": "ok", "redis": "ok"}
        login = httpx.post(
            f"{base}/graphql",
            json={"query": 'mutation { devLogin(openid: "fresh") { token viewer { nickname } } }'},
            timeout=10,
        )
        assert login.json()["data"]["devLogin"]["token"]
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
    # One access line a request, with its request id: api.app's, not uvicorn's beside it.
    text = server.stderr.read() if server.stderr else ""
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    posted = [
        line
        for line in lines
        if line.get("path") == "/graphql" or "POST /graphql" in str(line.get("event"))
    ]
    assert [line["logger"] for line in posted] == ["quanzi.access"]
    assert posted[0]["status"] == 200
    assert posted[0]["request_id"] == login.headers["x-request-id"]
    # Both embedded servers stopped with the process.
    assert not (var_dir / "postgres" / "postmaster.pid").exists()
    assert not (var_dir / "redis" / "redis.sock").exists()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _sample(exposition: str, series: str) -> float:
    """A series' value in Prometheus's text format."""
    (line,) = [line for line in exposition.splitlines() if line.startswith(series + " ")]
    return float(line.rsplit(" ", 1)[1])


def test_serve_with_two_workers_shares_the_parents_embedded_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    var = tmp_path_factory.mktemp("workers") / "var"
    server, base = _migrate_and_serve(_env_without_servers(var), workers=2)
    try:
        workers = [
            pid
            for pid in _children(server.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 2
        for pid in workers:
            # Started once by the parent: each worker is handed its URLs, so none starts its
            # own servers (it connects with pools of its own).
            environ = dict(
                item.split(b"=", 1)
                for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                if b"=" in item
            )
            assert str(var.resolve()).encode() in environ[b"DATABASE_URL"]
            assert (
                environ[b"REDIS_URL"]
                == f"unix://{(var / 'redis' / 'redis.sock').resolve()}".encode()
            )
        for n in range(12):  # fresh connections: whichever worker takes each one answers
            with httpx.Client(base_url=base, timeout=10) as client:
                login = client.post(
                    "/graphql",
                    json={"query": f'mutation {{ devLogin(openid: "w{n}") {{ token }} }}'},
                )
                assert login.json()["data"]["devLogin"]["token"]
        # Whichever worker answers a scrape counts every worker's requests.
        for _ in range(4):
            metrics = httpx.get(f"{base}/metrics", timeout=10).text
            assert (
                _sample(
                    metrics,
                    'quanzi_http_requests_total{method="POST",path="/graphql",status="200"}',
                )
                == 12
            )
        assert httpx.get(f"{base}/healthz", timeout=10).json()["postgres"] == "ok"
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
    assert not (var / "postgres" / "postmaster.pid").exists()
    assert not (var / "redis" / "redis.sock").exists()


def test_a_postgres_restart_is_a_clean_503_and_the_api_recovers_alone(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Stops the real PostgreSQL under a running `quanzi serve`, then starts it again."""
    from pgserver._commands import pg_ctl

    var = tmp_path_factory.mktemp("outage") / "var"
    servers = start_embedded(var, None, None)
    assert servers.database_url and servers.redis_url
    env = {
        **_env_without_servers(var),
        "DATABASE_URL": servers.database_url,
        "REDIS_URL": servers.redis_url,
    }
    server, base = _migrate_and_serve(env)
    pgdata = var / "postgres"

    def viewer(token: str) -> httpx.Response:
        return httpx.post(
            f"{base}/graphql",
            json={"query": "{ viewer { nickname } }"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    try:
        login = httpx.post(
            f"{base}/graphql",
            json={"query": 'mutation { devLogin(openid: "o", nickname: "小王") { token } }'},
            timeout=10,
        )
        token = login.json()["data"]["devLogin"]["token"]
        assert viewer(token).json() == {"data": {"viewer": {"nickname": "小王"}}}

        postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGINT)  # fast shutdown: PostgreSQL goes away
        deadline = time.monotonic() + 30
        while (pgdata / "postmaster.pid").exists():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        down = viewer(token)
        assert down.status_code == 503
        assert down.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert httpx.get(f"{base}/healthz", timeout=10).json()["postgres"].startswith("down")

        socket_dir = servers.database_url.split("host=")[1]
        user = "pgserver" if os.geteuid() == 0 else None  # as pgserver itself runs it
        pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(pgdata / "log"), "start"],
            pgdata=pgdata,
            user=user,
            timeout=30,
        )
        assert viewer(token).json() == {"data": {"viewer": {"nickname": "小王"}}}
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
        servers.stop()
