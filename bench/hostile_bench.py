"""Hostile requests against one served process: how long each takes to be refused, and how
long a trivial request sent 10 ms into it waits (what every other member would wait, since
one process serves them all on one event loop).

    .venv/bin/python bench/hostile_bench.py [--rounds 5] [--before COMMIT]

`--before` serves an earlier commit's checkout on the same database as well, for a change's
before and after. The suite asserts what each refusal is and that nothing ran or was written
(tests/api/test_variable_limits.py, test_guards.py, test_media.py); the times are here, where
a slow or busy machine does not turn them red.

Needs what `make test` needs (DATABASE_URL/REDIS_URL, or the embedded servers).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
from common import bench_database, checkout, gql, running_server, session
from PIL import Image

from tests.api.test_media import gif_bomb
from tests.contract import operation


def _codes(answer: dict[str, Any]) -> str:
    """The answer's error codes, or "ok"."""
    return ",".join(e["extensions"]["code"] for e in answer.get("errors") or []) or "ok"


Send = Callable[[aiohttp.ClientSession, str], Any]


def _graphql(query: str, variables: dict[str, Any] | None = None, distinct: bool = False) -> Send:
    """`query` with `variables`; `distinct`: each time with trailing spaces of its own, so
    that no answer comes from what was kept of the last (the validation cache)."""
    sent = itertools.count(1)

    async def send(client: aiohttp.ClientSession, token: str) -> str:
        spaces = " " * next(sent) if distinct else ""
        body = {"query": query + spaces, "variables": variables or {}}
        headers = {"Authorization": f"Bearer {token}"}
        async with client.post("/graphql", json=body, headers=headers) as response:
            return _codes(await response.json())

    return send


def _create_post(**input: Any) -> Send:
    return _graphql(operation("CreatePost"), {"input": {"body": "话题很多", **input}})


def _upload(data: bytes, name: str) -> Send:
    async def send(client: aiohttp.ClientSession, token: str) -> str:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=name, content_type="application/octet-stream")
        headers = {"Authorization": f"Bearer {token}"}
        async with client.post("/media/images", data=form, headers=headers) as response:
            return _codes(await response.json())

    return send


def _survey(questions: int) -> dict[str, Any]:
    o = [f"选项{i}" for i in range(20)]
    asked = [{"kind": "MULTIPLE", "title": f"问题{q}", "options": o} for q in range(questions)]
    return {"input": {"title": "问卷", "questions": asked}}


def _photo(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def _copies(n: int) -> str:
    return "{" + " viewer{id}" * n + " }"


# (what is sent, how many at once, the request)
CASES: list[tuple[str, int, Send]] = [
    ("12,000 topics (100 KB)", 1, _create_post(topics=[f"话题{i}" for i in range(12_000)])),
    ("48,000 one-letter topics (240 KB)", 1, _create_post(topics=["a"] * 48_000)),
    ("a survey of 4,200 values", 1, _graphql(operation("CreateSurvey"), _survey(200))),
    ("6 topics (the resolver's limit)", 1, _create_post(topics=[f"话题{i}" for i in range(6)])),
    ("700 copies of viewer{id}, 8 at once", 8, _graphql(_copies(700), distinct=True)),
    ("1,200 copies of viewer{id}", 1, _graphql(_copies(1_200), distinct=True)),
    ("a GIF of 20 frames of 4000x4000", 1, _upload(gif_bomb(20, (4000, 4000)), "bomb.gif")),
    # Not hostile: the largest photo a phone sends, decoded and re-encoded in a thread.
    ("a 6000x4000 photo (accepted)", 1, _upload(_photo(6000, 4000), "photo.jpg")),
]


async def _timed(call: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = await call
    return result, time.perf_counter() - started


async def _meanwhile(client: aiohttp.ClientSession) -> float:
    await asyncio.sleep(0.01)  # once the hostile request is under way
    started = time.perf_counter()
    async with client.post("/graphql", json={"query": "{ __typename }"}) as response:
        await response.read()
    return time.perf_counter() - started


async def measure(label: str, base: str, rounds: int) -> None:
    async with session(base, 16) as client:
        token = (await gql(client, "DevLogin", {"openid": "hostile-bench"}))["devLogin"]["token"]
        print(f"\n{label} ({base})")
        print(f"{'request':<40} {'answer':<26} {'answered in':>12} {'other waits':>12}")
        for name, copies, send in CASES:
            took: list[float] = []
            waited: list[float] = []
            answers: set[str] = set()
            for n in range(rounds + 1):  # the first warms up
                hostile = [_timed(send(client, token)) for _ in range(copies)]
                *done, other = await asyncio.gather(*hostile, _meanwhile(client))
                if n:
                    took.append(max(t for _, t in done))
                    waited.append(other)
                answers |= {a for a, _ in done}
            print(
                f"{name:<40} {','.join(sorted(answers))[:26]:<26} "
                f"{statistics.median(took) * 1000:>9.0f} ms "
                f"{statistics.median(waited) * 1000:>9.0f} ms",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", default="", help="an earlier commit, served as well")
    args = parser.parse_args()
    print(f"medians of {args.rounds} rounds, one API process, on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="quanzi-bench-") as var_dir, ExitStack() as stack:
        env = stack.enter_context(bench_database(var_dir, f"quanzi_bench_{os.getpid()}"))
        with running_server(env) as base:
            asyncio.run(measure("this checkout", base, args.rounds))
        before = checkout(args.before, Path(var_dir) / "before", stack)
        if before is not None:
            with running_server(env, cwd=before) as base:
                asyncio.run(measure(f"at {args.before}", base, args.rounds))


if __name__ == "__main__":
    main()
