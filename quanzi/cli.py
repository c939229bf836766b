"""The `quanzi` command: the same entry point in development, CI and containers."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from quanzi.settings import (
    SERVE_HOST,
    SERVE_PORT,
    ConfigError,
    Settings,
    load_settings,
    local_media_url,
)


@contextlib.contextmanager
def _services(settings: Settings) -> Iterator[Settings]:
    """Settings whose URLs point at running servers: the configured ones or embedded ones."""
    if settings.database_url and settings.redis_url:
        yield settings
        return
    from quanzi.embedded import embedded_servers, export_urls

    with embedded_servers(settings.var_dir, settings.database_url, settings.redis_url) as servers:
        export_urls(servers)
        yield settings.model_copy(
            update={"database_url": servers.database_url, "redis_url": servers.redis_url}
        )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `quanzi serve` runs the app (bench/ceiling_server.py runs its app the same way).
    X-Forwarded-For and -Proto are believed only from QUANZI_TRUSTED_PROXIES: uvicorn's own
    default believes 127.0.0.1, so anything on the machine could name any client address.
    A WebSocket message is bounded as a /graphql body is (uvicorn's own bound is 16 MB)."""
    return {
        "loop": "uvloop",
        "http": "httptools",
        "ws_max_size": settings.graphql_max_body_bytes,
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or "",
        "log_config": None,
        "access_log": False,
    }


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from quanzi.logs import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)
    if not settings.media_base_url:  # production refused to start without it
        os.environ["QUANZI_MEDIA_BASE_URL"] = local_media_url(args.host, args.port)
    from api.telemetry import shared_by_workers

    with _services(settings), shared_by_workers(args.workers):
        # The factory re-reads the environment in each worker; embedded URLs were exported,
        # and so was the media URL.
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            **uvicorn_options(settings),
        )
    return 0


def cmd_dev(settings: Settings, args: argparse.Namespace) -> int:
    """The whole service on one machine: API, a worker and the scheduler, sharing (embedded or
    configured) PostgreSQL and Redis; Ctrl-C stops them all."""
    import signal
    import subprocess

    with _services(settings):
        children = [
            subprocess.Popen([sys.executable, "-m", "quanzi", role])
            for role in ("worker", "scheduler")
        ]
        try:
            return cmd_serve(settings, args)
        finally:
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from quanzi.logs import configure_logging
    from quanzi.worker import run_worker

    configure_logging(settings.log_level, json=settings.log_json)
    with _services(settings) as s, contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_worker(s))
    return 0


def cmd_scheduler(settings: Settings, args: argparse.Namespace) -> int:
    from quanzi.logs import configure_logging
    from quanzi.worker import run_scheduler

    configure_logging(settings.log_level, json=settings.log_json)
    with _services(settings) as s, contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_scheduler(s))
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.database import migrate

    with _services(settings) as s:
        assert s.database_url
        applied = asyncio.run(migrate(s.database_url))
    print(f"{len(applied)} migration(s) applied" if applied else "database is up to date")
    return 0


def cmd_makemigrations(settings: Settings, args: argparse.Namespace) -> int:
    """Write a migration for model changes (developers; uses Tortoise's autodetector)."""
    from tortoise.cli.cli import run_cli_async

    from adapters.database import tortoise_config

    config = tortoise_config(settings.database_url or "postgres://localhost/quanzi")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(config, fh)
    try:
        argv = ["--config-file", fh.name, "makemigrations"]
        if args.name:
            argv += ["--name", args.name]
        return asyncio.run(run_cli_async(argv))
    finally:
        os.unlink(fh.name)


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.database import close_db, init_db
    from quanzi.bootstrap import community_rules
    from quanzi.tools.seed import seed_demo_community

    async def run(database_url: str) -> dict[str, int]:
        await init_db(database_url, pool_max=4)
        try:
            return await seed_demo_community(community_rules(settings))
        finally:
            await close_db()

    with _services(settings) as s:
        assert s.database_url
        counts = asyncio.run(run(s.database_url))
    print("demo community ready: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_recount(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.database import close_db, init_db
    from domain.counters import recount_all

    async def run(database_url: str) -> dict[str, int]:
        await init_db(database_url, pool_max=2)
        try:
            return await recount_all()
        finally:
            await close_db()

    with _services(settings) as s:
        assert s.database_url
        visited = asyncio.run(run(s.database_url))
    print("repaired drifted counters: " + ", ".join(f"{k} {v}" for k, v in visited.items()))
    return 0


def cmd_import_stackexchange(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.database import close_db, init_db
    from quanzi.bootstrap import community_rules
    from quanzi.tools.stackexchange_import import import_stackexchange

    async def run(database_url: str) -> str:
        await init_db(database_url, pool_max=4)
        try:
            calendar = community_rules(settings).calendar
            report = await import_stackexchange(Path(args.directory), calendar)
        finally:
            await close_db()
        return report.summary()

    with _services(settings) as s:
        assert s.database_url
        print(asyncio.run(run(s.database_url)))
    return 0


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    from quanzi.bootstrap import start_runtime, stop_runtime
    from recommend import registry, serving

    async def run(s: Settings) -> str:
        runtime = await start_runtime(s)
        try:
            publish = True if args.publish else None
            row = await registry.train_and_register(runtime.recommender, publish=publish)
            lists = 0
            loaded = await registry.current()
            if loaded is not None:
                current, trained = loaded
                lists = await serving.precompute(
                    runtime.store, current.version, trained, runtime.recommender.candidates
                )
        finally:
            await stop_runtime(runtime)
        return (
            f"model {row.version}: {row.interactions} interactions, {row.users} members, "
            f"{row.items} posts in {row.seconds}s; metrics {row.metrics}, baseline "
            f"{row.baseline}; {'published' if row.published else 'not published'}; "
            f"{lists} candidate lists"
        )

    with _services(settings) as s:
        print(asyncio.run(run(s)))
    return 0


def cmd_evaluate_recommender(settings: Settings, args: argparse.Namespace) -> int:
    from recommend.stackexchange import evaluate_dump

    report = evaluate_dump(Path(args.directory))
    ratio = report.warm.precision_at_10 / max(report.baseline.precision_at_10, 1e-9)
    print(
        f"{report.interactions} interactions, {report.users} members, {report.items} questions\n"
        f"warm   precision@10 {report.warm.precision_at_10:.4f}  recall@10 "
        f"{report.warm.recall_at_10:.4f}  AUC {report.warm.auc:.4f}  "
        f"({report.warm.users} members)\n"
        f"popular precision@10 {report.baseline.precision_at_10:.4f}  recall@10 "
        f"{report.baseline.recall_at_10:.4f}  AUC {report.baseline.auc:.4f}  (×{ratio:.2f})\n"
        f"cold-start AUC (unseen questions, by their tags) {report.cold_auc:.4f}\n"
        f"epochs chosen by early stopping {', '.join(map(str, report.epochs))}"
    )
    return 0


def cmd_export_schema(settings: Settings, args: argparse.Namespace) -> int:
    from api.schema import export_sdl

    Path(args.output).write_text(export_sdl(), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


def cmd_persisted_manifest(settings: Settings, args: argparse.Namespace) -> int:
    from quanzi.tools.persisted_manifest import build_manifest, graphql_files

    files = graphql_files([Path(f) for f in args.files] or [Path(args.contract_dir)])
    if not files:
        print("no .graphql files to read", file=sys.stderr)
        return 1
    try:
        manifest = build_manifest(files)
    except (ValueError, OSError) as exc:  # graphql's syntax errors are ValueErrors too
        print(exc, file=sys.stderr)
        return 1
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(manifest['operations'])} operations to {args.out}", file=sys.stderr)
    return 0


def cmd_set_role(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.database import close_db, init_db
    from domain.errors import NotFound
    from domain.models import Role, User
    from domain.users import set_role

    async def run(database_url: str) -> str:
        await init_db(database_url, pool_max=2)
        try:
            if args.openid:
                user = await User.get_or_none(openid=args.openid)
                if user is None:
                    raise NotFound()
                user_id = user.id
            else:
                user_id = args.user_id
            user = await set_role(user_id, Role(args.role))
            return f"{user.nickname} (id {user.id}, openid {user.openid}) is now {user.role}"
        finally:
            await close_db()

    with _services(settings) as s:
        assert s.database_url
        try:
            print(asyncio.run(run(s.database_url)))
        except NotFound:
            print("no such member: they must sign in once first", file=sys.stderr)
            return 1
    return 0


def cmd_console_link(settings: Settings, args: argparse.Namespace) -> int:
    """Print a one-time URL (valid 10 minutes) that signs a staff member in to the console."""
    from domain.errors import Forbidden, NotFound
    from quanzi.console_link import console_link

    with _services(settings) as s:
        try:
            print(asyncio.run(console_link(s, args.openid)))
        except NotFound:
            print("no such member: they must sign in once first", file=sys.stderr)
            return 1
        except Forbidden:
            print("not staff: give them a role first (quanzi set-role)", file=sys.stderr)
            return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quanzi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the API (applies nothing to the schema)")
    serve.add_argument("--host", default=SERVE_HOST)
    serve.add_argument("--port", type=int, default=SERVE_PORT)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    dev = sub.add_parser("dev", help="API + worker + scheduler together (make run)")
    dev.add_argument("--host", default=SERVE_HOST)
    dev.add_argument("--port", type=int, default=SERVE_PORT)
    dev.add_argument("--workers", type=int, default=1)
    dev.set_defaults(func=cmd_dev)

    sub.add_parser("worker", help="run background jobs (WeChat messages...)").set_defaults(
        func=cmd_worker
    )
    sub.add_parser("scheduler", help="the one process that schedules jobs").set_defaults(
        func=cmd_scheduler
    )
    sub.add_parser("migrate", help="apply pending schema migrations").set_defaults(func=cmd_migrate)
    mk = sub.add_parser("makemigrations", help="write a migration for model changes (dev)")
    mk.add_argument("--name", default=None)
    mk.set_defaults(func=cmd_makemigrations)

    sub.add_parser("seed", help="create the demo community (idempotent)").set_defaults(
        func=cmd_seed
    )

    sub.add_parser("recount", help="recount every denormalised counter").set_defaults(
        func=cmd_recount
    )

    imp = sub.add_parser("import-stackexchange", help="import a Stack Exchange dump (idempotent)")
    imp.add_argument("directory", help="the folder with Users.xml, Posts.xml, Comments.xml")
    imp.set_defaults(func=cmd_import_stackexchange)

    train = sub.add_parser("train", help="train, evaluate and (if better) publish a model")
    train.add_argument("--publish", action="store_true", help="publish even if not better")
    train.set_defaults(func=cmd_train)
    ev = sub.add_parser("evaluate-recommender", help="offline evaluation on a Stack Exchange dump")
    ev.add_argument("directory")
    ev.set_defaults(func=cmd_evaluate_recommender)

    export = sub.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument("--output", "-o", default="schema.graphql")
    export.set_defaults(func=cmd_export_schema)

    manifest = sub.add_parser(
        "persisted-manifest",
        help="write Apollo's persisted query manifest for .graphql documents (the allow-list)",
    )
    manifest.add_argument("files", nargs="*", help=".graphql files or directories")
    manifest.add_argument(
        "--contract-dir",
        default="tests/contract",
        help="read this directory's .graphql files when no files are given",
    )
    manifest.add_argument("--out", "-o", default="-", help="the file to write (default stdout)")
    manifest.set_defaults(func=cmd_persisted_manifest)

    role = sub.add_parser("set-role", help="give a member a role (make the first ADMIN)")
    who = role.add_mutually_exclusive_group(required=True)
    who.add_argument("--openid")
    who.add_argument("--user-id", type=int)
    role.add_argument("role", choices=["MEMBER", "MODERATOR", "OPERATOR", "ADMIN"])
    role.set_defaults(func=cmd_set_role)

    link = sub.add_parser(
        "console-link", help="print a one-time console sign-in URL for a staff member"
    )
    link.add_argument("--openid", required=True)
    link.set_defaults(func=cmd_console_link)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    raise SystemExit(args.func(settings, args))
