"""How long the data jobs take: on the imported Cardano dump and on a synthetic community of
100k posts and 1M+ interactions (likes, comments, activity days).

    .venv/bin/python bench/jobs_bench.py [--posts 100000] [--dump DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import asyncpg
from common import ROOT, bench_database, bench_settings
from feed_bench import MEMBERS, load

from domain import analytics, counters, hot, retention, trending
from quanzi.bootstrap import community_rules, start_runtime, stop_runtime
from quanzi.tools.stackexchange_import import import_stackexchange


async def timed(label: str, job) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = await job()
    elapsed = time.perf_counter() - started
    summary = result if isinstance(result, (int, dict)) else ""
    print(f"  {label:<42} {elapsed * 1000:9.0f} ms   {summary}", flush=True)


async def run_jobs(env: dict[str, str]) -> None:
    settings = bench_settings(env)
    runtime = await start_runtime(settings)
    try:
        store, calendar = runtime.store, runtime.rules.calendar
        await timed("trending topics (refresh)", lambda: trending.refresh(store))
        await timed("HOT snapshot (all posts)", lambda: hot.build_snapshot(store))
        await timed(
            "daily metrics (today)", lambda: analytics.store_day(calendar, calendar.today())
        )
        end = calendar.today()
        await timed(
            "community metrics (30 days, cold)",
            lambda: analytics.community_metrics(calendar, end - timedelta(days=29), end),
        )
        await timed("retention scores (every member)", lambda: retention.score_members(calendar))
        await timed("counter reconciliation (all tables)", counters.recount_all)
    finally:
        await stop_runtime(runtime)


async def activity(url: str, days: int) -> None:
    """Synthetic activity: every member active on a pseudo-random third of the days."""
    conn = await asyncpg.connect("postgresql" + url[url.index(":") :])
    await conn.execute(
        "INSERT INTO member_activity (user_id, day) SELECT u, current_date - d "
        "FROM generate_series(1, $1) u, generate_series(0, $2) d WHERE (u * 7 + d * 13) % 3 = 0 "
        "ON CONFLICT DO NOTHING",
        MEMBERS,
        days,
    )
    count = await conn.fetchval("SELECT count(*) FROM member_activity")
    await conn.close()
    print(f"  activity rows: {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument(
        "--dump", type=Path, default=ROOT.parent / "shared" / "data" / "stackexchange-cardano"
    )
    args = parser.parse_args()
    print(f"on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="quanzi-bench-") as var_dir:
        with bench_database(var_dir, f"quanzi_jobsbench_{os.getpid()}") as env:
            env["QUANZI_VAR_DIR"] = var_dir
            if args.dump.is_dir():
                print(f"\n== imported {args.dump.name}")

                async def imported() -> None:
                    from adapters.database import close_db, init_db

                    await init_db(env["DATABASE_URL"])
                    started = time.perf_counter()
                    calendar = community_rules(bench_settings(env)).calendar
                    report = await import_stackexchange(args.dump, calendar)
                    print(
                        f"  {'import':<42} {(time.perf_counter() - started) * 1000:9.0f} ms   "
                        f"{report.questions} questions, {report.answers} answers"
                    )
                    await close_db()

                asyncio.run(imported())
                asyncio.run(run_jobs(env))
        with bench_database(var_dir, f"quanzi_jobsbench2_{os.getpid()}") as env:
            env["QUANZI_VAR_DIR"] = var_dir
            print(f"\n== synthetic: {args.posts} posts, {MEMBERS} members")
            asyncio.run(load(env["DATABASE_URL"], 1, args.posts + 1, members=True))
            asyncio.run(activity(env["DATABASE_URL"], 60))
            asyncio.run(run_jobs(env))


if __name__ == "__main__":
    main()
