"""Feed and post-detail benchmark over a large community.

Bulk-loads 10k members, 50 topics and posts with likes and comments straight into
PostgreSQL, measures Feed(LATEST) (first page and deep pages reached by cursor) and PostDetail,
then grows the community tenfold and measures again in the same run.

    .venv/bin/python bench/feed_bench.py [--small 10000] [--large 100000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time

import asyncpg
from common import bench_database, count_posts, drive, gql, running_server, session

from api.ids import to_global_id
from domain.pagination import encode_cursor

MEMBERS = 10_000
TOPICS = 50
LIKES_PER_POST = 10
COMMENTED_EVERY = 10  # every 10th post has 12 comments (3 threads of 1 + 3 replies)


def dsn(url: str) -> str:
    return "postgresql" + url[url.index(":") :]


async def load_members(conn: asyncpg.Connection) -> None:
    await conn.execute(
        """
        INSERT INTO users (openid, nickname, avatar_url, bio, role, invite_code, points,
            follower_count, following_count, post_count, invited_count, likes_received,
            unread_notification_count, checkin_streak, created_at, updated_at)
        SELECT 'bench-' || g, '成员' || g, '', '', 'MEMBER', 'B' || lpad(g::text, 7, '0'), 0,
            0, 0, 0, 0, 0, 0, 0, now() - interval '400 days', now()
        FROM generate_series(1, $1) g
        """,
        MEMBERS,
    )
    await conn.execute(
        "INSERT INTO topics (name, description, post_count, follower_count, created_at) "
        "SELECT '话题' || g, '', 0, 0, now() FROM generate_series(1, $1) g",
        TOPICS,
    )


async def load_posts(conn: asyncpg.Connection, start: int, stop: int) -> None:
    """Posts start..stop-1, spread over the last year, each with likes, a topic and (some)
    comments; counters set to what the rows say."""
    await conn.execute(
        """
        INSERT INTO posts (id, author_id, kind, status, title, body, images, like_count,
            comment_count, share_count, view_count, answer_count, bounty, search_tokens,
            feature_reason, created_at, updated_at)
        SELECT g, 1 + (g * 7919) % $3, 'POST', 'PUBLISHED', '',
            '第 ' || g || ' 篇：今天分享一点生活里的小事，欢迎大家一起聊聊。',
            '[]'::jsonb, $4, CASE WHEN g % $5 = 0 THEN 12 ELSE 0 END, 0, 0, 0, 0,
            '第 ' || g || ' 篇 今天 分享 一点 生活 里 的 小事 欢迎 大家 一起 聊聊', '',
            now() - interval '365 days' + (g::float / $2) * interval '365 days', now()
        FROM generate_series($1, $2 - 1) g
        """,
        start,
        stop,
        MEMBERS,
        LIKES_PER_POST,
        COMMENTED_EVERY,
    )
    await conn.execute("SELECT setval('posts_id_seq', (SELECT max(id) FROM posts))")
    await conn.execute(
        """
        INSERT INTO post_topics (post_id, topic_id, position, post_created_at)
        SELECT id, (SELECT id FROM topics ORDER BY id OFFSET (posts.id % $3) LIMIT 1), 0,
            created_at
        FROM posts WHERE id >= $1 AND id < $2
        """,
        start,
        stop,
        TOPICS,
    )
    await conn.execute(
        """
        INSERT INTO post_likes (user_id, post_id, created_at)
        SELECT 1 + (p * 7 + k * 1009) % $3, p, now()
        FROM generate_series($1, $2 - 1) p, generate_series(0, $4 - 1) k
        """,
        start,
        stop,
        MEMBERS,
        LIKES_PER_POST,
    )
    # Three threads per commented post: a root and three replies each.
    await conn.execute(
        """
        WITH roots AS (
            INSERT INTO comments (post_id, author_id, body, status, like_count, reply_count,
                created_at)
            SELECT p, 1 + (p * 13 + t) % $3, '说得好，第 ' || t || ' 楼', 'PUBLISHED', 0, 3,
                now() - interval '1 day' + t * interval '1 minute'
            FROM generate_series($1, $2 - 1) p, generate_series(1, 3) t
            WHERE p % $4 = 0
            RETURNING id, post_id
        )
        INSERT INTO comments (post_id, author_id, root_id, reply_to_id, body, status,
            like_count, reply_count, created_at)
        SELECT post_id, 1 + (id * 17 + r) % $3, id, id, '同意 +' || r, 'PUBLISHED', 0, 0,
            now() - interval '1 hour' + r * interval '1 minute'
        FROM roots, generate_series(1, 3) r
        """,
        start,
        stop,
        MEMBERS,
        COMMENTED_EVERY,
    )
    await count_posts(conn)
    await conn.execute("ANALYZE")


async def measure(base: str, database_url: str, args: argparse.Namespace, label: str) -> None:
    conn = await asyncpg.connect(dsn(database_url))
    posts = await conn.fetchval("SELECT count(*) FROM posts")
    likes = await conn.fetchval("SELECT count(*) FROM post_likes")
    comments = await conn.fetchval("SELECT count(*) FROM comments")
    sample = await conn.fetch("SELECT id, created_at FROM posts ORDER BY random() LIMIT 2000")
    commented = await conn.fetch(
        "SELECT id FROM posts WHERE comment_count > 0 ORDER BY random() LIMIT 2000"
    )
    await conn.close()
    print(f"\n== {label}: {posts} posts, {MEMBERS} members, {likes} likes, {comments} comments")
    cursors = [encode_cursor([r["created_at"], r["id"]]) for r in sample]
    details = [to_global_id("Post", r["id"]) for r in commented]
    rng = random.Random(1)
    async with session(base, args.concurrency) as client:
        tokens = [
            (await gql(client, "DevLogin", {"openid": f"bench-{i + 1}"}))["devLogin"]["token"]
            for i in range(args.concurrency)
        ]

        async def first_page(i: int, n: int) -> None:
            await gql(client, "Feed", {"kind": "LATEST", "first": 20}, tokens[i])

        async def deep_page(i: int, n: int) -> None:
            variables = {"kind": "LATEST", "first": 20, "after": rng.choice(cursors)}
            await gql(client, "Feed", variables, tokens[i])

        async def detail(i: int, n: int) -> None:
            await gql(client, "PostDetail", {"id": rng.choice(details), "first": 20}, tokens[i])

        await drive("Feed(LATEST) first page, 20", args.seconds, args.concurrency, first_page)
        await drive("Feed(LATEST) deep page, 20", args.seconds, args.concurrency, deep_page)
        await drive("PostDetail, 20 comments", args.seconds, args.concurrency, detail)


async def load(database_url: str, start: int, stop: int, members: bool) -> None:
    conn = await asyncpg.connect(dsn(database_url))
    started = time.perf_counter()
    if members:
        await load_members(conn)
    batch = 50_000
    for lo in range(start, stop, batch):
        await load_posts(conn, lo, min(lo + batch, stop))
    await conn.close()
    print(f"loaded posts {start}..{stop - 1} in {time.perf_counter() - started:.0f}s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(f"{args.concurrency} clients, {args.seconds}s per measurement, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="quanzi-bench-") as var_dir:
        with bench_database(var_dir, f"quanzi_feedbench_{os.getpid()}") as env:
            url = env["DATABASE_URL"]
            asyncio.run(load(url, 1, args.small + 1, members=True))
            with running_server(env) as base:
                asyncio.run(measure(base, url, args, "small"))
            asyncio.run(load(url, args.small + 1, args.large + 1, members=False))
            with running_server(env) as base:
                asyncio.run(measure(base, url, args, "large"))


if __name__ == "__main__":
    main()
