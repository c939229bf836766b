"""What the benchmarks share: a server of their own, a load driver, percentiles."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
import httpx
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quanzi.settings import Settings, load_settings  # noqa: E402
from tests.contract import operation  # noqa: E402  (the client's own operations)


class Load(NamedTuple):
    """One kind of request a load tool sends: the same method, path and body each time, the
    header `header` taking `values` in turn (a member's token, or session, each)."""

    method: str
    path: str
    body: bytes
    header: str
    values: list[str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def _admin(url: str, statement: str) -> None:
    conn = await asyncpg.connect("postgresql" + url[url.index(":") :])
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextmanager
def bench_database(var_dir: str, name: str) -> Iterator[dict[str, str]]:
    """Environment for a `quanzi` process on a database of the benchmark's own: on the
    server DATABASE_URL names (created and dropped), or on embedded servers in var_dir."""
    env = {**os.environ, "QUANZI_VAR_DIR": var_dir, "QUANZI_DEV_LOGIN": "1"}
    env.setdefault("QUANZI_LOG_LEVEL", "WARNING")
    # Thousands of requests a second from one address and a few members: what the rate
    # limits exist to stop. Benchmarks measure the service, so they switch them off.
    env.setdefault("QUANZI_RATE_LIMITS_ENABLED", "0")
    admin_url = env.get("DATABASE_URL")
    from quanzi.embedded import start_embedded

    # The missing servers run embedded in this process, so the loader can reach them too.
    embedded = start_embedded(Path(var_dir), admin_url, env.get("REDIS_URL"))
    env["REDIS_URL"] = embedded.redis_url or ""
    env["QUANZI_REDIS_PREFIX"] = f"{name}:"
    admin_url = admin_url or embedded.database_url or ""
    # A database of the benchmark's own, on the configured or the embedded server.
    env["DATABASE_URL"] = _with_database(admin_url, name)
    asyncio.run(_admin(admin_url, f"CREATE DATABASE {name}"))
    try:
        subprocess.run(
            [sys.executable, "-m", "quanzi", "migrate"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        yield env
    finally:
        asyncio.run(_admin(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        _forget_prefix(env["REDIS_URL"], env["QUANZI_REDIS_PREFIX"])
        embedded.stop()


def _forget_prefix(url: str, prefix: str) -> None:
    """Every Redis key under the benchmark's own prefix, deleted (the prefix is the
    benchmark's name: letters, digits and underscores, nothing a pattern reads)."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.unlink(*keys[start : start + 500])
    finally:
        client.close()


async def count_posts(conn: asyncpg.Connection) -> None:
    """Topics' and authors' post counters set to match posts loaded straight into the
    tables (COPY skips the publishing pipeline that keeps them)."""
    await conn.execute(
        "UPDATE topics SET post_count = c.n FROM (SELECT topic_id, count(*) n FROM post_topics "
        "GROUP BY topic_id) c WHERE topics.id = c.topic_id"
    )
    await conn.execute(
        "UPDATE users SET post_count = c.n FROM (SELECT author_id, count(*) n FROM posts "
        "GROUP BY author_id) c WHERE users.id = c.author_id"
    )


def bench_settings(env: dict[str, str]) -> Settings:
    """What a `quanzi` process on env would load, for jobs the benchmark runs itself."""
    return load_settings(
        database_url=env["DATABASE_URL"],
        redis_url=env["REDIS_URL"],
        redis_prefix=env["QUANZI_REDIS_PREFIX"],
        var_dir=Path(env["QUANZI_VAR_DIR"]),
    )


def checkout(commit: str, tree: Path, stack: ExitStack) -> Path | None:
    """A worktree of `commit` from this repository's history at `tree` (removed when `stack`
    closes), or None where there is no such history here."""
    if not commit:
        return None
    made = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        print(f"{commit} left out: {made.stderr.strip()}", flush=True)
        return None
    stack.callback(
        subprocess.run,
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
        capture_output=True,
    )
    return tree


@contextmanager
def running_service(
    env: dict[str, str],
    workers: int = 1,
    command: list[str] | None = None,
    cwd: Path = ROOT,
) -> Iterator[tuple[str, int]]:
    """(base URL, process id) of `quanzi serve` (or `command`, given --port) running on env,
    from the checkout at `cwd` (this one, or an earlier commit's: feed_page_bench.py)."""
    port = free_port()
    command = command or [sys.executable, "-m", "quanzi", "serve", "--workers", str(workers)]
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=env, cwd=cwd, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise SystemExit("server did not come up")
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)


@contextmanager
def running_server(
    env: dict[str, str], workers: int = 1, command: list[str] | None = None, cwd: Path = ROOT
) -> Iterator[str]:
    with running_service(env, workers, command, cwd) as (base, _):
        yield base


async def gql(
    client: aiohttp.ClientSession, name: str, variables: dict, token: str | None = None
) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with client.post(
        "/graphql", json={"query": operation(name), "variables": variables}, headers=headers
    ) as response:
        body = await response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


def session(base: str, concurrency: int) -> aiohttp.ClientSession:
    # aiohttp, not httpx, drives the load: httpx's pool slows down past ~8 connections and
    # would measure itself instead of the server.
    return aiohttp.ClientSession(base, connector=aiohttp.TCPConnector(limit=concurrency))


async def drive(
    label: str, seconds: float, concurrency: int, call: Callable[[int, int], Awaitable[object]]
) -> dict[str, float]:
    """Run call(worker, n) from `concurrency` workers for `seconds`; print and return figures."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker(i: int) -> None:
        nonlocal errors
        n = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                await call(i, n)
            except Exception:
                errors += 1
            latencies.append(time.perf_counter() - started)
            n += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    figures = {
        "rps": len(latencies) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "errors": errors,
    }
    print(
        f"{label:<34} {figures['rps']:8.0f} req/s   p50 {figures['p50_ms']:6.1f} ms"
        f"   p99 {figures['p99_ms']:6.1f} ms   errors {errors}",
        flush=True,
    )
    return figures
