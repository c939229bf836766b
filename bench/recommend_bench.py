"""Recommender benchmark: offline quality on the Cardano Stack Exchange dump (this recipe
beside the one before early stopping and the identity's own weight), then training time,
candidate precompute per 1,000 members, and the RECOMMENDED feed's latency beside LATEST, on a
synthetic community (the feed benchmark's: posts with 10 likes each from 10,000 members).

    .venv/bin/python bench/recommend_bench.py [--posts 100000] [--seconds 10] [--dump DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from common import bench_database, bench_settings, drive, gql, running_server, session
from feed_bench import load

from quanzi.bootstrap import start_runtime, stop_runtime
from recommend import registry, serving
from recommend.model import Params
from recommend.stackexchange import evaluate_dump

DUMP = Path(__file__).resolve().parents[2] / "shared" / "data" / "stackexchange-cardano"


def quality(dump: Path) -> None:
    """Warm precision@10 against popularity and cold-start AUC, three splits, one thread."""
    now = Params(threads=1)
    before = replace(now, user_feature_weight=None)  # LightFM's row normalisation
    runs = [
        ("before: no member features, 50 epochs", before, False, 50),
        ("before: member features, row-normalised, 50 epochs", before, True, 50),
        ("now: member features, identity kept, early stopping", now, True, None),
    ]
    for label, params, members, epochs in runs:
        started = time.perf_counter()
        r = evaluate_dump(dump, params, with_member_features=members, epochs=epochs)
        lift = r.warm.precision_at_10 / max(r.baseline.precision_at_10, 1e-9)
        print(
            f"  {label}: precision@10 {r.warm.precision_at_10:.4f} against popularity "
            f"{r.baseline.precision_at_10:.4f} (×{lift:.2f}), AUC {r.warm.auc:.4f}, cold-start "
            f"AUC {r.cold_auc:.4f}, epochs {r.epochs} ({time.perf_counter() - started:.1f} s)"
        )


async def train_and_precompute(env: dict[str, str]) -> None:
    settings = bench_settings(env)
    runtime = await start_runtime(settings)
    try:
        started = time.perf_counter()
        row = await registry.train_and_register(runtime.recommender, publish=True)
        print(
            f"  train + evaluate: {time.perf_counter() - started:.1f} s — {row.interactions} "
            f"interactions, {row.users} members, {row.items} posts; metrics {row.metrics}; "
            f"baseline {row.baseline}"
        )
        loaded = await registry.current()
        assert loaded is not None
        members = list(range(1, 1001))
        started = time.perf_counter()
        written = await serving.precompute(
            runtime.store, loaded[0].version, loaded[1], settings.recommender_candidates, members
        )
        print(f"  precompute: {time.perf_counter() - started:.2f} s for {written} members")
    finally:
        await stop_runtime(runtime)


async def measure(base: str, seconds: float, concurrency: int) -> None:
    async with session(base, concurrency) as client:
        tokens = [
            (await gql(client, "DevLogin", {"openid": f"bench-{i + 1}"}))["devLogin"]["token"]
            for i in range(concurrency)
        ]

        async def latest(i: int, n: int) -> None:
            await gql(client, "Feed", {"kind": "LATEST", "first": 20}, tokens[i])

        async def recommended(i: int, n: int) -> None:
            await gql(client, "Feed", {"kind": "RECOMMENDED", "first": 20}, tokens[i])

        await drive("Feed(LATEST), 20", seconds, concurrency, latest)
        await drive("Feed(RECOMMENDED), 20", seconds, concurrency, recommended)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--dump", type=Path, default=DUMP, help="a Stack Exchange dump")
    args = parser.parse_args()
    if args.dump.is_dir():
        print(f"quality on {args.dump.name}:")
        quality(args.dump)
    with tempfile.TemporaryDirectory(prefix="quanzi-bench-") as var_dir:
        with bench_database(var_dir, f"quanzi_recbench_{os.getpid()}") as env:
            env["QUANZI_VAR_DIR"] = var_dir
            asyncio.run(load(env["DATABASE_URL"], 1, args.posts + 1, members=True))
            asyncio.run(train_and_precompute(env))
            with running_server(env) as base:
                asyncio.run(measure(base, args.seconds, args.concurrency))


if __name__ == "__main__":
    main()
