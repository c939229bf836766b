"""Platform benchmark: sign-in, the authenticated Viewer query, and refresh rotation.

.venv/bin/python bench/platform_bench.py [--seconds 10] [--concurrency 32] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile

from common import bench_database, drive, gql, running_server, session


async def run(base: str, args: argparse.Namespace) -> None:
    async with session(base, args.concurrency) as client:
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

        async def viewer(i: int, n: int) -> None:
            await gql(client, "Viewer", {}, tokens[i])

        async def rotate(i: int, n: int) -> None:
            data = await gql(client, "RefreshToken", {"refreshToken": refresh[i]})
            refresh[i] = data["refreshToken"]["refreshToken"]

        async def sign_in(i: int, n: int) -> None:
            await gql(client, "DevLogin", {"openid": f"bench-{(i * 7919 + n) % 500}"})

        await drive("Viewer (authenticated)", args.seconds, args.concurrency, viewer)
        await drive("RefreshToken (rotation)", args.seconds, args.concurrency, rotate)
        await drive("DevLogin (sign-in)", args.seconds, args.concurrency, sign_in)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quanzi-bench-") as var_dir:
        with bench_database(var_dir, f"quanzi_bench_{os.getpid()}") as env:
            with running_server(env, args.workers) as base:
                asyncio.run(run(base, args))


if __name__ == "__main__":
    main()
