"""Load benchmark of the hardening issue: the member's hot operations on a large community,
the Feed beside its in-memory ceiling, and a soak at a steady rate.

Loads the feed benchmark's community (10,000 members, `--posts` posts with 10 likes each —
1M likes at 100k — and 120k comments), builds the HOT snapshot, trains and publishes the
recommender and precomputes the clients' candidate lists (as the jobs do), then, with one API
worker and `--concurrency` signed-in clients:

1. `--rounds` rounds of: Feed(LATEST) first page on the ceiling server (`ceiling_server.py`:
   the same app, schema and query, the data layer swapped for objects in memory — it must
   serve the very page the service serves), then Feed(LATEST, HOT, RECOMMENDED) on the real
   service; both servers run throughout, the one not being measured idles;
2. PostDetail, LikePost and AddComment on the real service;
3. a soak: `--soak-rate` requests a second of a mix of all of them for `--soak-seconds`,
   sampling the API process's resident memory.

    .venv/bin/python bench/load_bench.py [--posts 100000] [--seconds 10] [--concurrency 16]
        [--rounds 3] [--soak-seconds 300] [--soak-rate 150] [--no-train]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg
from common import (
    ROOT,
    bench_database,
    bench_settings,
    drive,
    gql,
    running_server,
    running_service,
    session,
)
from feed_bench import dsn, load

from api.ids import to_global_id
from domain import hot
from quanzi.bootstrap import start_runtime, stop_runtime
from recommend import registry, serving


async def prepare(env: dict[str, str], members: int, train: bool) -> None:
    """What the scheduled jobs would have done: the HOT snapshot, a published model and the
    candidate lists of the members who will sign in."""
    settings = bench_settings(env)
    runtime = await start_runtime(settings)
    try:
        await hot.build_snapshot(runtime.store, "all")
        if not train:
            return
        started = time.perf_counter()
        row = await registry.train_and_register(runtime.recommender, publish=True)
        loaded = await registry.current()
        assert loaded is not None
        await serving.precompute(
            runtime.store,
            loaded[0].version,
            loaded[1],
            settings.recommender_candidates,
            list(range(1, members + 1)),
        )
        print(
            f"recommender: {row.interactions} interactions, trained, evaluated and published in "
            f"{time.perf_counter() - started:.0f}s",
            flush=True,
        )
    finally:
        await stop_runtime(runtime)


async def sample_ids(database_url: str) -> tuple[list[str], list[str]]:
    conn = await asyncpg.connect(dsn(database_url))
    try:
        posts = await conn.fetch("SELECT id FROM posts ORDER BY random() LIMIT 5000")
        commented = await conn.fetch(
            "SELECT id FROM posts WHERE comment_count > 0 ORDER BY random() LIMIT 2000"
        )
    finally:
        await conn.close()
    return (
        [to_global_id("Post", r["id"]) for r in posts],
        [to_global_id("Post", r["id"]) for r in commented],
    )


async def sign_in(client: aiohttp.ClientSession, n: int) -> list[str]:
    return [
        (await gql(client, "DevLogin", {"openid": f"bench-{i + 1}"}))["devLogin"]["token"]
        for i in range(n)
    ]


def operations(tokens: list[str], posts: list[str], commented: list[str], seed: int) -> dict:
    """name -> call(client, i, n) for worker i's n-th request."""
    rng = random.Random(seed)

    def feed(kind: str):
        async def call(client: aiohttp.ClientSession, i: int, n: int) -> None:
            await gql(client, "Feed", {"kind": kind, "first": 20}, tokens[i % len(tokens)])

        return call

    async def detail(client: aiohttp.ClientSession, i: int, n: int) -> None:
        variables = {"id": rng.choice(commented), "first": 20}
        await gql(client, "PostDetail", variables, tokens[i % len(tokens)])

    async def like(client: aiohttp.ClientSession, i: int, n: int) -> None:
        await gql(client, "LikePost", {"postId": rng.choice(posts)}, tokens[i % len(tokens)])

    async def comment(client: aiohttp.ClientSession, i: int, n: int) -> None:
        variables = {"postId": rng.choice(posts), "body": f"说得好，我也这么觉得（{n}）"}
        await gql(client, "AddComment", variables, tokens[i % len(tokens)])

    return {
        "Feed(LATEST)": feed("LATEST"),
        "Feed(HOT)": feed("HOT"),
        "Feed(RECOMMENDED)": feed("RECOMMENDED"),
        "PostDetail": detail,
        "LikePost": like,
        "AddComment": comment,
    }


FIRST_PAGE = {"kind": "LATEST", "first": 20}
FEEDS = ("Feed(LATEST)", "Feed(HOT)", "Feed(RECOMMENDED)")
CEILING = "ceiling: Feed(LATEST), in memory"


async def measure(
    ceiling_base: str, base: str, database_url: str, args: argparse.Namespace
) -> dict:
    """Rounds of the ceiling and the three feeds, one after the other (both servers are up;
    the one not being measured is idle), then the other operations once. Returns
    name -> list of figures, one per round."""
    posts, commented = await sample_ids(database_url)
    figures: dict[str, list[dict[str, float]]] = {}
    c = args.concurrency
    async with session(ceiling_base, c) as top_client, session(base, c) as client:
        top_tokens, tokens = await sign_in(top_client, c), await sign_in(client, c)
        # The ceiling measures the same work: it serves the very same page.
        if await gql(top_client, "Feed", FIRST_PAGE, top_tokens[0]) != await gql(
            client, "Feed", FIRST_PAGE, tokens[0]
        ):
            raise SystemExit("the ceiling's first page differs from the service's")
        print("the ceiling and the service serve the same first page (same data, field for field)")
        top = operations(top_tokens, [], [], 1)["Feed(LATEST)"]
        calls = operations(tokens, posts, commented, 2)
        runs = [(CEILING, top_client, top)]
        runs += [(n, client, calls[n]) for n in FEEDS if args.train or "RECOMMENDED" not in n]
        for _, session_, call in runs:
            await drive("  (warm-up)", 2, c, lambda i, n, s=session_, f=call: f(s, i, n))
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}")
            for name, session_, call in runs:
                result = await drive(
                    name, args.seconds, c, lambda i, n, s=session_, f=call: f(s, i, n)
                )
                figures.setdefault(name, []).append(result)
        for name in ("PostDetail", "LikePost", "AddComment"):
            call = calls[name]
            result = await drive(name, args.seconds, c, lambda i, n, f=call: f(client, i, n))
            figures[name] = [result]
    return figures


def summary(figures: dict[str, list[dict[str, float]]]) -> None:
    """A Markdown table: medians over the rounds, and each feed's share of the ceiling's
    throughput (the median of the rounds' ratios, each taken within one round)."""
    top = figures[CEILING]
    print("\n| operation | req/s | p50 | p99 | errors | of the ceiling |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, runs in figures.items():
        share = ""
        if name in FEEDS:
            ratios = [run["rps"] / t["rps"] for run, t in zip(runs, top, strict=True)]
            share = f"{statistics.median(ratios):.0%}"
        print(
            f"| {name} | {statistics.median(r['rps'] for r in runs):.0f} "
            f"| {statistics.median(r['p50_ms'] for r in runs):.1f} ms "
            f"| {statistics.median(r['p99_ms'] for r in runs):.1f} ms "
            f"| {sum(r['errors'] for r in runs):.0f} | {share} |"
        )


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def soak(base: str, pid: int, database_url: str, args: argparse.Namespace) -> dict:
    """A steady `soak_rate` requests a second (open loop: a slow answer does not slow the
    sender) of a member's mix for `soak_seconds`; the API's memory sampled every 10 s."""
    posts, commented = await sample_ids(database_url)
    mix = [
        ("Feed(LATEST)", 40),
        ("Feed(HOT)", 15),
        ("Feed(RECOMMENDED)", 10 if args.train else 0),
        ("PostDetail", 20),
        ("LikePost", 10),
        ("AddComment", 5),
    ]
    names = [name for name, weight in mix for _ in range(weight)]
    rng = random.Random(3)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    samples: list[tuple[float, float]] = []
    async with session(base, 256) as client:
        tokens = await sign_in(client, args.concurrency)
        calls = operations(tokens, posts, commented, 4)

        async def one(name: str, n: int) -> None:
            started = time.perf_counter()
            try:
                await calls[name](client, n, n)
            except Exception as exc:  # counted and reported
                key = f"{name}: {str(exc)[:120]}"
                errors[key] = errors.get(key, 0) + 1
            latencies.append(time.perf_counter() - started)

        async def sampler() -> None:
            while True:
                samples.append((time.perf_counter() - begun, rss_mib(pid)))
                await asyncio.sleep(10)

        begun = time.perf_counter()
        watcher = asyncio.create_task(sampler())
        pending: set[asyncio.Task] = set()
        n = 0
        while (now := time.perf_counter()) < begun + args.soak_seconds:
            due = begun + n / args.soak_rate
            if due > now:
                await asyncio.sleep(due - now)
            task = asyncio.create_task(one(rng.choice(names), n))
            pending.add(task)
            task.add_done_callback(pending.discard)
            n += 1
        await asyncio.gather(*pending)
        watcher.cancel()
        samples.append((time.perf_counter() - begun, rss_mib(pid)))
    q = statistics.quantiles(latencies, n=100)
    # Memory after the first minute (caches and pools warmed) against the last minute.
    settled = [m for t, m in samples if t >= 60] or [m for _, m in samples]
    early = settled[: max(1, len(settled) // 4)]
    late = settled[-max(1, len(settled) // 4) :]
    figures = {
        "requests": len(latencies),
        "rps": len(latencies) / args.soak_seconds,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "errors": sum(errors.values()),
        "rss_start": samples[0][1],
        "rss_settled": statistics.mean(early),
        "rss_end": statistics.mean(late),
        "rss_max": max(m for _, m in samples),
    }
    print(
        f"soak: {figures['requests']} requests in {args.soak_seconds:.0f}s "
        f"({figures['rps']:.0f} req/s), p50 {figures['p50_ms']:.1f} ms, "
        f"p99 {figures['p99_ms']:.1f} ms, errors {figures['errors']}; API memory "
        f"{figures['rss_start']:.0f} MiB at start, {figures['rss_settled']:.0f} MiB after the "
        f"first minute, {figures['rss_end']:.0f} MiB in the last quarter, max "
        f"{figures['rss_max']:.0f} MiB",
        flush=True,
    )
    for key, count in errors.items():
        print(f"  error x{count}: {key}")
    print("  memory (s, MiB): " + ", ".join(f"{t:.0f}:{m:.1f}" for t, m in samples))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--soak-seconds", type=float, default=300)
    parser.add_argument("--soak-rate", type=float, default=150)
    parser.add_argument("--no-train", dest="train", action="store_false")
    args = parser.parse_args()
    print(f"{args.concurrency} clients, {args.seconds}s per measurement, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="quanzi-bench-") as var_dir:
        with bench_database(var_dir, f"quanzi_loadbench_{os.getpid()}") as env:
            url = env["DATABASE_URL"]
            asyncio.run(load(url, 1, args.posts + 1, members=True))
            asyncio.run(prepare(env, args.concurrency, args.train))
            ceiling = [sys.executable, str(ROOT / "bench" / "ceiling_server.py")]
            if args.rounds > 0:  # --rounds 0: the soak alone
                with running_server(env, command=ceiling) as top, running_server(env) as base:
                    summary(asyncio.run(measure(top, base, url, args)))
            if args.soak_seconds > 0:
                with running_service(env) as (base, pid):
                    asyncio.run(soak(base, pid, url, args))


if __name__ == "__main__":
    main()
