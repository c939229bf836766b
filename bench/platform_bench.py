"""Platform benchmark: sign-in, the authenticated Viewer query, and refresh rotation.

Starts `quanzi serve` (on DATABASE_URL/REDIS_URL when set, embedded servers otherwise, with
its own var dir), signs in members through devLogin, then drives each operation with
concurrent clients for a fixed time and prints throughput and latency percentiles.

    .venv/bin/python bench/platform_bench.py [--seconds 10] [--concurrency 32] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.contract import operation  # noqa: E402  (the client's own operations)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    port: int, workers: int, var_dir: str
) -> tuple[subprocess.Popen[bytes], str | None]:
    env = {**os.environ, "QUANZI_DEV_LOGIN": "1", "QUANZI_VAR_DIR": var_dir}
    env.setdefault("QUANZI_LOG_LEVEL", "WARNING")
    quanzi = [sys.executable, "-m", "quanzi"]
    admin_url = None
    if "DATABASE_URL" in env:
        # Benchmark in a database of its own on the given server.
        base = env["DATABASE_URL"].rsplit("/", 1)[0]
        db = f"quanzi_bench_{os.getpid()}"
        admin_url = env["DATABASE_URL"]
        subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {db}"], check=True)
        env["DATABASE_URL"] = f"{base}/{db}"
        env["QUANZI_REDIS_PREFIX"] = f"qzbench:{os.getpid()}:"
    subprocess.run([*quanzi, "migrate"], env=env, check=True, cwd=ROOT, capture_output=True)
    server = subprocess.Popen(
        [*quanzi, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    return server, admin_url


async def wait_up(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("server did not come up")


async def gql(client: aiohttp.ClientSession, name: str, variables: dict, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with client.post(
        "/graphql", json={"query": operation(name), "variables": variables}, headers=headers
    ) as response:
        body = await response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


async def drive(
    label: str, seconds: float, concurrency: int, call: Callable[[int], Awaitable[object]]
) -> None:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker(i: int) -> None:
        nonlocal errors
        n = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                await call(i * 1_000_000 + n)
            except Exception:
                errors += 1
            latencies.append(time.perf_counter() - started)
            n += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{label:<28} {len(latencies) / elapsed:8.0f} req/s   p50 {q[49] * 1000:6.1f} ms"
        f"   p95 {q[94] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms   errors {errors}"
    )


async def main(args: argparse.Namespace) -> None:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="quanzi-bench-") as var_dir:
        server, admin_url = start_server(port, args.workers, var_dir)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
                await wait_up(probe)
            # aiohttp, not httpx, drives the load: httpx's pool slows down past ~8 connections
            # and would measure itself instead of the server.
            connector = aiohttp.TCPConnector(limit=args.concurrency)
            async with aiohttp.ClientSession(
                f"http://127.0.0.1:{port}", connector=connector
            ) as client:
                sessions = [
                    (await gql(client, "DevLogin", {"openid": f"bench-{i}"}))["devLogin"]
                    for i in range(args.concurrency)
                ]
                print(
                    f"{args.concurrency} clients, {args.seconds}s each, "
                    f"{args.workers} API worker(s), on {os.cpu_count()} cores"
                )
                tokens = [s["token"] for s in sessions]
                refresh = [s["refreshToken"] for s in sessions]

                async def viewer(n: int) -> None:
                    await gql(client, "Viewer", {}, tokens[(n // 1_000_000) % len(tokens)])

                async def rotate(n: int) -> None:
                    i = (n // 1_000_000) % len(refresh)
                    data = await gql(client, "RefreshToken", {"refreshToken": refresh[i]})
                    refresh[i] = data["refreshToken"]["refreshToken"]

                async def sign_in(n: int) -> None:
                    await gql(client, "DevLogin", {"openid": f"bench-{n % 500}"})

                await drive("Viewer (authenticated)", args.seconds, args.concurrency, viewer)
                await drive("RefreshToken (rotation)", args.seconds, args.concurrency, rotate)
                await drive("DevLogin (sign-in)", args.seconds, args.concurrency, sign_in)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)
            if admin_url:
                drop = f"DROP DATABASE IF EXISTS quanzi_bench_{os.getpid()} WITH (FORCE)"
                subprocess.run(["psql", admin_url, "-qc", drop], check=False)  # noqa: ASYNC221


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    asyncio.run(main(parser.parse_args()))
