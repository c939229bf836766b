"""The Feed page (26 cards, signed in) through every path that serves it, in one run.

Bulk-loads (COPY) 10,000 members, 50 topics and `--small` posts of the last 30 days, each
with a topic and `LIKES_PER_POST` likes, builds the HOT snapshot, trains and publishes the
recommender (few epochs: this measures serving, not quality) and builds the signed-in
members' RECOMMENDED lists as the jobs would. Then, with one server process per target, all
up at once (the ones not being measured idle):

- service: `quanzi serve` as configured by default, Feed(LATEST, first: 26);
- no kept answers: the same with `QUANZI_KEPT_ANSWERS=0` (every page executed: the service
  before api/kept_answers.py);
- no read batches: the same with `QUANZI_READ_BATCH_SIZE=1` (each page's statement sent
  alone: the service before adapters/read_batches.py);
- interpreter: the same with `QUANZI_COMPILED_EXECUTION=0` (graphql-core's interpreter);
- raw: the very bytes the service answered, served from memory by uvicorn + Starlette
  (`ceiling_server.py --raw`): the floor of the HTTP stack;
- recommended: the service's Feed(RECOMMENDED, first: 26), each request a session's first page;
- hot: the service's Feed(HOT, first: 26), each request a first page;
- 2 workers: `quanzi serve --workers 2`, Feed(LATEST);
- issue day: the service as it was when issue 22 asked for this (`--issue-day`, main at
  380a0a2 by default), checked out from this repository's history into a temporary
  worktree and served on the same database: "today's" of the issue's "never less than 5x
  today's in the same run". Left out where the history is not here (a shallow clone).
- misago: Misago 0.39.6's thread list (`/api/threads/`, 26 threads, signed in), the page the
  issue compared the Feed with, served by gunicorn from a Python where it is installed
  (`--misago PYTHON`, or MISAGO_PYTHON; bench/misago_target.py). Left out without one.

`--rounds` rounds alternate between the targets, `--connections` keep-alive connections each,
the members' tokens in turn. Then the community grows to `--large` posts (older ones, so the
first page and the lists stay the same: what grows is every table and index under them), the
servers restart and the rounds run again. It ends with a Markdown table: medians over the rounds
and the ratios asked of the service (each ratio the median of per-round ratios).

The load tool is wrk (`apt-get install -y wrk`), run on the same machine; without it the
aiohttp driver in common.py stands in (and the table says so).

    .venv/bin/python bench/feed_page_bench.py [--small 20000] [--large 1000000] [--seconds 10]
        [--rounds 3] [--connections 16] [--no-train] [--driver wrk|aiohttp]
        [--issue-day COMMIT|''] [--misago PYTHON]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import asyncpg
import httpx
from common import (
    ROOT,
    Load,
    bench_database,
    bench_settings,
    checkout,
    count_posts,
    drive,
    running_service,
    session,
)
from misago_target import Unavailable, check_threads, running_misago

from tests.contract import operation

MEMBERS = 10_000
TOPICS = 50
LIKES_PER_POST = 10  # the small community's posts
OLD_LIKES_PER_POST = 2  # the posts the community grows by
PAGE = 26
BATCH = 100_000
RECENT = timedelta(days=30)  # the small community's posts span the last 30 days

TARGETS = (
    "service",
    "no kept answers",
    "no read batches",
    "interpreter",
    "raw",
    "recommended",
    "hot",
    "2 workers",
    "issue day",
    "misago",
)
# main before issue 22's work began (bench/README.md: "Before")
ISSUE_DAY = "380a0a2"


def dsn(url: str) -> str:
    return "postgresql" + url[url.index(":") :]


# ----------------------------------------------------------------------------- loading


async def load_members(conn: asyncpg.Connection) -> None:
    now = datetime.now(UTC)
    await conn.copy_records_to_table(
        "users",
        columns=[
            "openid",
            "nickname",
            "avatar_url",
            "bio",
            "role",
            "invite_code",
            "points",
            "follower_count",
            "following_count",
            "post_count",
            "invited_count",
            "likes_received",
            "unread_notification_count",
            "checkin_streak",
            "created_at",
            "updated_at",
        ],
        records=(
            (
                f"bench-{g}",
                f"成员{g}",
                "",
                "",
                "MEMBER",
                f"B{g:07d}",
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                now - timedelta(days=1200),
                now,
            )
            for g in range(1, MEMBERS + 1)
        ),
    )
    await conn.copy_records_to_table(
        "topics",
        columns=["name", "description", "post_count", "follower_count", "created_at"],
        records=((f"话题{g}", "", 0, 0, now) for g in range(1, TOPICS + 1)),
    )


def _created(post_id: int, small: int, now: datetime) -> datetime:
    """Posts 1..small span the last 30 days, newest last; later ids (the growth) are older,
    a minute apart going back from 30 days ago."""
    if post_id <= small:
        return now - RECENT + RECENT * (post_id / (small + 1))
    return now - RECENT - timedelta(minutes=post_id - small)


async def load_posts(conn: asyncpg.Connection, start: int, stop: int, small: int) -> None:
    """Posts start..stop-1 with a topic and likes each, by COPY in batches."""
    now = datetime.now(UTC)
    topics = [r["id"] for r in await conn.fetch("SELECT id FROM topics ORDER BY id")]
    likes = LIKES_PER_POST if start <= small else OLD_LIKES_PER_POST
    for lo in range(start, stop, BATCH):
        hi = min(lo + BATCH, stop)
        created = {g: _created(g, small, now) for g in range(lo, hi)}
        await conn.copy_records_to_table(
            "posts",
            columns=[
                "id",
                "author_id",
                "kind",
                "status",
                "title",
                "body",
                "images",
                "like_count",
                "comment_count",
                "share_count",
                "view_count",
                "answer_count",
                "bounty",
                "search_tokens",
                "feature_reason",
                "created_at",
                "updated_at",
            ],
            records=(
                (
                    g,
                    1 + (g * 7919) % MEMBERS,
                    "POST",
                    "PUBLISHED",
                    "",
                    f"第 {g} 篇：今天分享一点生活里的小事，欢迎大家一起聊聊。",
                    "[]",
                    likes,
                    0,
                    g % 7,
                    g % 100,
                    0,
                    0,
                    f"第 {g} 篇 生活 小事",
                    "",
                    created[g],
                    now,
                )
                for g in range(lo, hi)
            ),
        )
        await conn.copy_records_to_table(
            "post_topics",
            columns=["post_id", "topic_id", "position", "post_created_at"],
            records=((g, topics[g % TOPICS], 0, created[g]) for g in range(lo, hi)),
        )
        await conn.copy_records_to_table(
            "post_likes",
            columns=["user_id", "post_id", "created_at"],
            records=(
                (1 + (g * 7 + k * 1009) % MEMBERS, g, created[g] + timedelta(hours=1 + k))
                for g in range(lo, hi)
                for k in range(likes)
            ),
        )
    await conn.execute("SELECT setval('posts_id_seq', (SELECT max(id) FROM posts))")
    await count_posts(conn)
    await conn.execute("VACUUM ANALYZE posts, post_topics, post_likes, users, topics")


async def load(database_url: str, start: int, stop: int, small: int) -> None:
    conn = await asyncpg.connect(dsn(database_url))
    started = time.perf_counter()
    try:
        if start == 1:
            await load_members(conn)
        await load_posts(conn, start, stop, small)
        likes = await conn.fetchval("SELECT count(*) FROM post_likes")
    finally:
        await conn.close()
    print(
        f"loaded posts {start}..{stop - 1} ({likes:,} likes in all) in "
        f"{time.perf_counter() - started:.0f}s",
        flush=True,
    )


async def prepare(env: dict[str, str], members: int, train: bool) -> None:
    """What the jobs would have done: the HOT snapshot, a published model, the candidates
    and the RECOMMENDED lists of the members who sign in."""
    from domain import hot
    from quanzi.bootstrap import start_runtime, stop_runtime
    from recommend import registry, serving

    settings = bench_settings(env).model_copy(update={"recommender_epochs": 10})
    runtime = await start_runtime(settings)
    try:
        await hot.build_snapshot(runtime.store, "all")
        user_ids = list(range(1, members + 1))
        started = time.perf_counter()
        if train and await registry.current() is None:
            row = await registry.train_and_register(runtime.recommender, publish=True)
            print(f"recommender: {row.interactions:,} interactions, trained", flush=True)
        loaded = await registry.current()
        if loaded is not None:
            await serving.precompute(
                runtime.store,
                loaded[0].version,
                loaded[1],
                settings.recommender_candidates,
                user_ids,
            )
        build = getattr(serving, "build_feeds", None)  # absent before lists were prebuilt
        if build is not None:
            await build(runtime.store, user_ids, settings.recommender_explore_share)
        print(f"lists ready in {time.perf_counter() - started:.0f}s", flush=True)
    finally:
        await stop_runtime(runtime)


# ----------------------------------------------------------------------------- driving

_LUA = """
local values = {%s}
local body = [==[%s]==]
local n = 0
request = function()
  n = n + 1
  local headers = {["Content-Type"] = "application/json",
                   ["%s"] = values[(n %% #values) + 1]}
  return wrk.format("%s", "%s", headers, body)
end
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(base: str, load: Load, seconds: float, connections: int) -> dict:
    values = ", ".join(f'"{v}"' for v in load.values)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA % (values, load.body.decode(), load.header, load.method, load.path))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds:.0f}s",
                "--latency",
                # Misago's pages take over 1 s on a slow machine: wrk's own 2 s would count
                # its slowest answers as errors rather than as latency.
                "--timeout",
                "10s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "errors": errors,
    }


def aiohttp_load(base: str, load: Load, seconds: float, c: int) -> dict:
    async def run() -> dict:
        async with session(base, c) as client:

            async def call(i: int, n: int) -> None:
                headers = {
                    load.header: load.values[i % len(load.values)],
                    "Content-Type": "application/json",
                }
                async with client.request(
                    load.method, load.path, data=load.body or None, headers=headers
                ) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(response.status)

            figures = await drive("", seconds, c, call)
            return {**figures, "requests": figures["rps"] * seconds}

    return asyncio.run(run())


def feed_load(body: bytes, tokens: list[str]) -> Load:
    """The Feed page (request_body), each member's token in turn."""
    return Load("POST", "/graphql", body, "Authorization", [f"Bearer {t}" for t in tokens])


def request_body(kind: str) -> bytes:
    return json.dumps(
        {"query": operation("Feed"), "variables": {"kind": kind, "first": PAGE}},
        ensure_ascii=False,
    ).encode()


def fetch(base: str, body: bytes, token: str) -> bytes:
    response = httpx.post(
        f"{base}/graphql",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=30,
    )
    response.raise_for_status()
    return response.content


def check_page(name: str, answer: bytes) -> dict:
    data = json.loads(answer)
    if data.get("errors"):
        raise SystemExit(f"{name}: {data['errors']}")
    edges = data["data"]["feed"]["edges"]
    if len(edges) != PAGE:
        raise SystemExit(f"{name}: {len(edges)} cards, not {PAGE}")
    return data  # type: ignore[no-any-return]


def sign_in(base: str, members: int) -> list[str]:
    tokens = []
    for i in range(members):
        response = httpx.post(
            f"{base}/graphql",
            json={"query": operation("DevLogin"), "variables": {"openid": f"bench-{i + 1}"}},
            timeout=30,
        )
        tokens.append(response.json()["data"]["devLogin"]["token"])
    return tokens


def servers(
    env: dict[str, str], stack: ExitStack, issue_day: Path | None
) -> dict[str, tuple[str, int]]:
    """name -> (base URL, process id) of the service's servers (one process, or a parent and
    its workers, per target)."""
    interpreter_env = {**env, "QUANZI_COMPILED_EXECUTION": "0"}
    started = {
        "service": stack.enter_context(running_service(env)),
        "no kept answers": stack.enter_context(
            running_service({**env, "QUANZI_KEPT_ANSWERS": "0"})
        ),
        "no read batches": stack.enter_context(
            running_service({**env, "QUANZI_READ_BATCH_SIZE": "1"})
        ),
        "interpreter": stack.enter_context(running_service(interpreter_env)),
        "2 workers": stack.enter_context(running_service(env, workers=2)),
    }
    if issue_day is not None:
        started["issue day"] = stack.enter_context(running_service(env, cwd=issue_day))
    return started


_TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> Iterator[tuple[int, str, int, float]]:
    """(pid, command name, parent pid, CPU seconds: user + system) of every process now."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split("(", 1)[1].rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICK
        yield int(stat.parent.name), name, int(fields[1]), seconds


def database_cpu_seconds() -> float:
    """CPU time (user + system) of every PostgreSQL process running on this machine (the
    benchmark's server: the configured one or the embedded one; nothing else here runs one
    under load)."""
    return sum(seconds for _, name, _, seconds in _processes() if name == "postgres")


def load_tool_cpu_seconds() -> float:
    """CPU time of the benchmark's finished child processes (wrk) so far; the aiohttp driver
    runs in this process."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime + own.ru_utime + own.ru_stime


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])
    return (total - idle) / _TICK, total / _TICK


def settle(database_url: str, quiet: float = 0.25, longest: float = 240) -> None:
    """After a bulk load: write PostgreSQL's dirty pages out now (CHECKPOINT), then wait until
    the machine's cores are less than `quiet` busy over 5 s (autovacuum, the checkpointer),
    at most `longest` seconds, so the rounds measure the service rather than the load's
    aftermath."""

    async def checkpoint() -> None:
        conn = await asyncpg.connect(dsn(database_url))
        try:
            await conn.execute("CHECKPOINT")
        finally:
            await conn.close()

    started = time.perf_counter()
    asyncio.run(checkpoint())
    busy = 1.0
    while time.perf_counter() - started < longest:
        before = machine_busy()
        time.sleep(5)
        after = machine_busy()
        busy = (after[0] - before[0]) / max(1e-9, after[1] - before[1])
        if busy < quiet:
            break
    print(f"settled for {time.perf_counter() - started:.0f}s: cores {busy:.0%} busy", flush=True)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants still running."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for child, _, parent, seconds in _processes():
        parents[child] = parent
        times[child] = seconds
    tree, grew = {pid}, True
    while grew:
        more = {c for c, p in parents.items() if p in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(times.get(p, 0.0) for p in tree)


def measure(
    env: dict[str, str], var_dir: str, args: argparse.Namespace, label: str
) -> dict[str, list[dict]]:
    latest, recommended = request_body("LATEST"), request_body("RECOMMENDED")
    hot = request_body("HOT")
    figures: dict[str, list[dict]] = {}
    with ExitStack() as stack:
        started = servers(env, stack, checkout(args.issue_day, Path(var_dir) / "issue-day", stack))
        bases = {name: base for name, (base, _) in started.items()}
        pids = {name: pid for name, (_, pid) in started.items()}
        tokens = sign_in(bases["service"], args.connections)
        page = fetch(bases["service"], latest, tokens[0])
        served = check_page("service", page)
        if check_page("interpreter", fetch(bases["interpreter"], latest, tokens[0])) != served:
            raise SystemExit("the interpreter's page differs from the service's")
        if check_page("2 workers", fetch(bases["2 workers"], latest, tokens[0])) != served:
            raise SystemExit("the 2 workers' page differs from the service's")
        alone = fetch(bases["no read batches"], latest, tokens[0])
        if check_page("no read batches", alone) != served:
            raise SystemExit("the page read without batches differs from the service's")
        unkept = fetch(bases["no kept answers"], latest, tokens[0])
        if check_page("no kept answers", unkept) != served:
            raise SystemExit("the page executed without kept answers differs from the service's")
        if (
            "issue day" in bases
            and check_page("issue day", fetch(bases["issue day"], latest, tokens[0])) != served
        ):
            raise SystemExit("the issue day's page differs from the service's")
        for token in tokens:
            check_page("recommended", fetch(bases["service"], recommended, token))
        check_page("hot", fetch(bases["service"], hot, tokens[0]))
        raw_file = Path(var_dir) / "page.json"
        raw_file.write_bytes(page)
        raw = [sys.executable, str(ROOT / "bench" / "ceiling_server.py"), "--raw", str(raw_file)]
        bases["raw"], pids["raw"] = stack.enter_context(running_service(env, command=raw))
        if fetch(bases["raw"], latest, tokens[0]) != page:
            raise SystemExit("the raw server's bytes differ")
        print(f"\n== {label}: a {len(page):,}-byte page of {PAGE} cards", flush=True)
        feed = partial(feed_load, tokens=tokens)
        # In each round the targets compared with the service run right after it, so that
        # the machine drifts as little as possible between the two halves of a ratio.
        runs = {
            "service": (bases["service"], feed(latest)),
            "no kept answers": (bases["no kept answers"], feed(latest)),
            "no read batches": (bases["no read batches"], feed(latest)),
            "2 workers": (bases["2 workers"], feed(latest)),
            "recommended": (bases["service"], feed(recommended)),
            "hot": (bases["service"], feed(hot)),
        }
        if "issue day" in bases:
            runs["issue day"] = (bases["issue day"], feed(latest))
        runs["interpreter"] = (bases["interpreter"], feed(latest))
        runs["raw"] = (bases["raw"], feed(latest))
        if args.misago:
            try:
                base, pids["misago"], threads = stack.enter_context(
                    running_misago(args.misago, env["DATABASE_URL"], var_dir, args.connections)
                )
            except Unavailable as exc:
                print(f"misago left out: {exc}", flush=True)
            else:
                check_threads(base, threads)
                runs["misago"] = (base, threads)
        owner = {**pids, "recommended": pids["service"], "hot": pids["service"]}
        drive_load = wrk if args.driver == "wrk" else aiohttp_load
        for base, load in runs.values():  # warm-up: caches and pools
            drive_load(base, load, 3, args.connections)
        for round_ in range(args.rounds):
            for name, (base, load) in runs.items():
                cpu, (busy, total) = cpu_seconds(owner[name]), machine_busy()
                database, tool = database_cpu_seconds(), load_tool_cpu_seconds()
                result = drive_load(base, load, args.seconds, args.connections)
                # What a page costs the server in CPU, whatever else the machine runs; and
                # how busy the machine's cores were, and with the server's share of them.
                spent = cpu_seconds(owner[name]) - cpu
                busy_after, total_after = machine_busy()
                pages = max(1, result["requests"])
                result["cpu_ms"] = spent * 1000 / pages
                # ...and what it costs PostgreSQL and the load tool, on the same cores.
                result["db_ms"] = (database_cpu_seconds() - database) * 1000 / pages
                result["tool_ms"] = (load_tool_cpu_seconds() - tool) * 1000 / pages
                result["busy"] = (busy_after - busy) / (total_after - total)
                result["server_share"] = spent / (total_after - total)
                # The machine is shared: the 1-minute load average as the run ended, which
                # counts this run's own processes too (server, wrk, PostgreSQL: ~3).
                result["load"] = os.getloadavg()[0]
                figures.setdefault(name, []).append(result)
                print(
                    f"round {round_ + 1} {name:<12} {result['rps']:8.0f} req/s   "
                    f"p50 {result['p50_ms']:7.2f} ms   p99 {result['p99_ms']:7.2f} ms   "
                    f"CPU/page {result['cpu_ms']:.2f} ms (PostgreSQL {result['db_ms']:.2f}, "
                    f"load tool {result['tool_ms']:.2f})   errors {result['errors']}   "
                    f"load {result['load']:.1f}   cores busy {result['busy']:.0%} "
                    f"(server {result['server_share']:.0%})",
                    flush=True,
                )
    return figures


# ----------------------------------------------------------------------------- report


def _ratio(top: list[dict], bottom: list[dict]) -> float:
    """Throughput of `top` over `bottom`: the median of the rounds' ratios."""
    return statistics.median(a["rps"] / b["rps"] for a, b in zip(top, bottom, strict=True))


def _cpu_ratio(top: list[dict], bottom: list[dict]) -> float:
    """The same in server CPU per page (bottom's cost over top's: > 1 when top is cheaper),
    which other load on the machine disturbs far less."""
    return statistics.median(b["cpu_ms"] / a["cpu_ms"] for a, b in zip(top, bottom, strict=True))


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def report(results: dict[str, dict[str, list[dict]]], args: argparse.Namespace) -> str:
    lines = [
        f"{args.connections} connections, {args.rounds} rounds of {args.seconds:.0f} s per "
        f"target, load tool: {args.driver}; medians over the rounds.",
        "",
        "| posts | target | req/s | p50 | p99 | server CPU per page | PostgreSQL | load tool "
        "| errors | load avg | cores busy (server's share) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, figures in results.items():
        for name in TARGETS:
            if name not in figures:
                continue
            runs = figures[name]
            lines.append(
                f"| {label} | {name} | {_median(runs, 'rps'):,.0f} "
                f"| {_median(runs, 'p50_ms'):.1f} ms | {_median(runs, 'p99_ms'):.1f} ms "
                f"| {_median(runs, 'cpu_ms'):.2f} ms | {_median(runs, 'db_ms'):.2f} ms "
                f"| {_median(runs, 'tool_ms'):.2f} ms | {sum(r['errors'] for r in runs)} "
                f"| {_median(runs, 'load'):.1f} "
                f"| {_median(runs, 'busy'):.0%} ({_median(runs, 'server_share'):.0%}) |"
            )
    head = " | ".join(f"{label}: req/s | {label}: CPU per page" for label in results)
    lines += ["", f"| ratio | {head} |", "| --- |" + " ---: | ---: |" * len(results)]
    for title, top, bottom in (
        ("service / interpreter", "service", "interpreter"),
        ("service / no kept answers", "service", "no kept answers"),
        ("service / no read batches", "service", "no read batches"),
        ("service / raw bytes", "service", "raw"),
        ("RECOMMENDED / LATEST", "recommended", "service"),
        ("HOT / LATEST", "hot", "service"),
        ("2 workers / 1", "2 workers", "service"),
        (f"service / issue day ({args.issue_day})", "service", "issue day"),
        ("service / Misago", "service", "misago"),
    ):
        if any(bottom not in f or top not in f for f in results.values()):
            continue
        cells = []
        for f in results.values():
            cpu = "" if top == "2 workers" else f"{_cpu_ratio(f[top], f[bottom]):.3g}"
            cells += [f"{_ratio(f[top], f[bottom]):.3g}", cpu]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    # Two workers share the machine's cores with PostgreSQL and the load tool: with a page
    # costing them what it costs one worker (w), PostgreSQL and the load tool what it costs
    # them beside two workers (d, t), two workers serve at most cores / (w + d + t) pages a
    # second where one, with a core of its own, serves 1 / w: the ratio's bound, per round.
    cores = os.cpu_count() or 1
    bounds = []
    for f in results.values():
        if "2 workers" not in f or "service" not in f:
            continue
        rounds = zip(f["service"], f["2 workers"], strict=False)
        each = [
            cores * one["cpu_ms"] / (one["cpu_ms"] + two["db_ms"] + two["tool_ms"])
            for one, two in rounds
        ]
        bounds += [f"{statistics.median(each):.2f}", ""]
    if bounds:
        title = f"2 workers / 1 at most, on {cores} cores shared with PostgreSQL and the load tool"
        lines.append(f"| {title} | " + " | ".join(bounds) + " |")
    if len(results) == 2:
        small_label, large_label = results
        small, large = results.values()
        lines += ["", f"| {large_label} / {small_label} posts | req/s | CPU per page |"]
        lines.append("| --- | ---: | ---: |")
        # raw and Misago serve the very same pages in both phases: what their figures move
        # by is the machine, to read the others' against.
        for name in ("service", "recommended", "hot", "2 workers", "raw", "misago"):
            if name not in small or name not in large:
                continue
            rps = _median(large[name], "rps") / _median(small[name], "rps")
            cpu = _median(small[name], "cpu_ms") / _median(large[name], "cpu_ms")
            control = " (the same pages: the machine)" if name in ("raw", "misago") else ""
            lines.append(f"| {name}{control} | {rps:.2f} | {cpu:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=1_000_000, help="0: the small one only")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-train", dest="train", action="store_false")
    parser.add_argument("--driver", choices=("wrk", "aiohttp"), default=None)
    parser.add_argument(
        "--issue-day", default=ISSUE_DAY, help="the commit measured as 'today's'; '': none"
    )
    parser.add_argument(
        "--misago",
        default=os.environ.get("MISAGO_PYTHON", ""),
        help="a Python where misago==0.39.6 and gunicorn are installed (bench/misago_target.py)"
        "; '' (the default without MISAGO_PYTHON): Misago left out",
    )
    args = parser.parse_args()
    if args.driver is None:
        args.driver = "wrk" if shutil.which("wrk") else "aiohttp"
        if args.driver == "aiohttp":
            print("wrk is not installed (apt-get install -y wrk): the aiohttp driver stands in")
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        flush=True,
    )
    results: dict[str, dict[str, list[dict]]] = {}
    with tempfile.TemporaryDirectory(prefix="quanzi-bench-") as var_dir:
        with bench_database(var_dir, f"quanzi_pagebench_{os.getpid()}") as env:
            url = env["DATABASE_URL"]
            asyncio.run(load(url, 1, args.small + 1, args.small))
            asyncio.run(prepare(env, args.connections, args.train))
            settle(url)
            results[f"{args.small:,}"] = measure(env, var_dir, args, f"{args.small:,} posts")
            if args.large > args.small:
                asyncio.run(load(url, args.small + 1, args.large + 1, args.small))
                asyncio.run(prepare(env, args.connections, train=False))
                settle(url)
                results[f"{args.large:,}"] = measure(env, var_dir, args, f"{args.large:,} posts")
    print("\n" + report(results, args))


if __name__ == "__main__":
    main()
