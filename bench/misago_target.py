"""Misago's thread list as a target of feed_page_bench.py: the page issue 22 compared the Feed
with (Misago 0.39.6's `/api/threads/`, 26 threads, signed in, Django + DRF).

Misago is not one of Quanzi's dependencies: it runs from a Python of its own, given by
`--misago PYTHON` (or MISAGO_PYTHON), where it is installed (bench/README.md, the `misago` target):

    python3 -m venv /opt/misago && /opt/misago/bin/pip install misago==0.39.6 gunicorn

`running_misago` makes a forum in a database of its own on the benchmark's PostgreSQL server
(bench/misago_site: migrated, 60 threads in its first category, one member signed in per
connection), serves it with gunicorn (one sync worker: one process, as every target) and
drops the database afterwards."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from common import Load, _admin, free_port

SITE = Path(__file__).resolve().parent  # misago_site/ is imported from here
THREADS = 60  # more than a page: the page is full, and there is a next one
PAGE = 26  # Misago's threads per page


@contextmanager
def running_misago(
    python: str, database_url: str, var_dir: str, members: int
) -> Iterator[tuple[str, int, Load]]:
    """(base URL, gunicorn's process id, the thread list's Load) of a seeded Misago forum."""
    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/')}_misago"
    home = Path(var_dir) / "misago"
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(SITE),
        "DJANGO_SETTINGS_MODULE": "misago_site.settings",
        "MISAGO_VAR_DIR": str(home),
        "MISAGO_DATABASE": name,
        # a host, or the socket directory of the embedded server (`?host=/path`)
        "MISAGO_DATABASE_HOST": parse_qs(parts.query).get("host", [parts.hostname or ""])[0]
        or "127.0.0.1",
        "MISAGO_DATABASE_PORT": str(parts.port or 5432),
        "MISAGO_DATABASE_USER": parts.username or "postgres",
        "MISAGO_DATABASE_PASSWORD": parts.password or "",
    }
    asyncio.run(_admin(database_url, f"CREATE DATABASE {name}"))
    server = None
    try:
        _run(python, env, "-m", "django", "migrate", "--verbosity", "0")
        seeded = _run(
            python, env, str(SITE / "misago_site" / "seed.py"), str(THREADS), str(members)
        )
        cookies = seeded.split()
        port = free_port()
        gunicorn = str(Path(python).parent / "gunicorn")
        server = subprocess.Popen(
            [gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}", "misago_site.wsgi"],
            env=env,
            cwd=home,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        _wait_for(base)
        yield base, server.pid, Load("GET", "/api/threads/", b"", "Cookie", cookies)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        asyncio.run(_admin(database_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


class Unavailable(Exception):
    """Misago could not be set up here (its message says why): the bench goes on without it.
    Its migrations need PostgreSQL's hstore extension (contrib), which the embedded server
    (pgserver) does not ship."""


def _run(python: str, env: dict[str, str], *args: str) -> str:
    """What Misago's Python printed running `args`; Unavailable, with the end of its error
    output, when it failed."""
    done = subprocess.run([python, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()[-3:]
        raise Unavailable(f"{' '.join(args[:3])} failed: " + " / ".join(lines))
    return done.stdout


def _wait_for(base: str) -> None:
    for _ in range(300):
        try:
            httpx.get(f"{base}/api/threads/", timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("Misago did not come up")


def check_threads(base: str, load: Load) -> None:
    """Each member's page holds PAGE threads and is read signed in (Misago answers the
    signed-in member's own record at /api/auth/)."""
    for value in load.values:
        headers = {load.header: value}
        page = httpx.get(f"{base}{load.path}", headers=headers, timeout=30).json()
        if len(page["results"]) != PAGE:
            raise SystemExit(f"misago: {len(page['results'])} threads, not {PAGE}")
        member = httpx.get(f"{base}/api/auth/", headers=headers, timeout=30).json()
        if not member.get("id"):
            raise SystemExit(f"misago: not signed in ({json.dumps(member)[:200]})")
