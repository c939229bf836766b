"""Search benchmark over 100k+ posts: Chinese and English, common and rare words.

Loads members and posts straight into PostgreSQL: Chinese posts written from a vocabulary of
everyday words, and English posts taken from the Cardano Stack Exchange dump (CC BY-SA 4.0,
read from ../shared/data/stackexchange-cardano, never copied). Every post is tokenized with
the service's own jieba tokenizer, as createPost does. Then drives the contract's `Search`.

    .venv/bin/python bench/search_bench.py [--posts 100000] [--seconds 10] [--dump DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import random
import re
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from common import ROOT, bench_database, drive, gql, running_server, session

from domain.search import search_document

MEMBERS = 10_000
WORDS = (
    "周末 香山 红叶 徒步 露营 咖啡 拿铁 手冲 读书会 小说 考研 英语 单词 数学 复习 打卡 "
    "摄影 相机 镜头 构图 夜景 美食 火锅 烧烤 甜品 奶茶 旅行 机票 酒店 攻略 健身 跑步 "
    "瑜伽 游泳 篮球 足球 电影 电视剧 综艺 音乐 吉他 钢琴 演唱会 猫咪 狗狗 宠物 医院 "
    "工作 加班 面试 简历 程序员 代码 产品经理 设计 区块链 质押 钱包 理财 基金 房租 "
    "地铁 公交 自行车 天气 下雨 阳光 春天 秋天 冬天 朋友 同事 家人 孩子 学校 老师"
).split()
GLUE = "今天 我们 一起 去了 觉得 非常 推荐 大家 有没有 分享 一下 真的 感觉 还是".split()


def chinese_post(rng: random.Random) -> str:
    parts = [rng.choice(GLUE if i % 2 else WORDS) for i in range(rng.randint(8, 20))]
    return "".join(parts) + "，" + "".join(rng.choice(WORDS) for _ in range(3)) + "。"


def english_posts(dump: Path) -> list[str]:
    tree = ET.parse(dump / "Posts.xml")
    texts = []
    for row in tree.getroot():
        body = re.sub(r"<[^>]+>", " ", html.unescape(row.get("Body", "")))
        text = (row.get("Title", "") + " " + " ".join(body.split()))[:600]
        if len(text) > 40:
            texts.append(text)
    return texts


def tokenize(batch: list[tuple[str, str]]) -> list[str]:
    return [search_document(title, body) for title, body in batch]


async def load(database_url: str, posts: int, dump: Path) -> None:
    rng = random.Random(42)
    english = english_posts(dump)
    docs: list[tuple[str, str]] = []
    for i in range(posts):
        if i % 5 == 4:  # one in five English
            docs.append(("", english[i % len(english)]))
        else:
            docs.append(("", chinese_post(rng)))
    started = time.perf_counter()
    chunk = 5000
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        token_lists = list(
            pool.map(tokenize, [docs[i : i + chunk] for i in range(0, posts, chunk)])
        )
    tokens = [t for batch in token_lists for t in batch]
    print(f"tokenized {posts} posts in {time.perf_counter() - started:.0f}s", flush=True)
    conn = await asyncpg.connect("postgresql" + database_url[database_url.index(":") :])
    await conn.execute(
        "INSERT INTO users (openid, nickname, avatar_url, bio, role, invite_code, points, "
        "follower_count, following_count, post_count, invited_count, likes_received, "
        "unread_notification_count, checkin_streak, created_at, updated_at) "
        "SELECT 'bench-' || g, '成员' || g, '', '', 'MEMBER', 'B' || lpad(g::text, 7, '0'), "
        "0, 0, 0, 0, 0, 0, 0, 0, now(), now() FROM generate_series(1, $1) g",
        MEMBERS,
    )
    started = time.perf_counter()
    now = datetime.now(UTC)
    await conn.copy_records_to_table(
        "posts",
        columns=[
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
            "created_at",
            "updated_at",
        ],
        records=[
            (
                1 + (i * 7919) % MEMBERS,
                "POST",
                "PUBLISHED",
                title,
                body,
                "[]",
                0,
                0,
                0,
                0,
                0,
                0,
                tokens[i],
                now,
                now,
            )
            for i, (title, body) in enumerate(docs)
        ],
    )
    await conn.execute("ANALYZE posts")
    await conn.close()
    print(f"loaded in {time.perf_counter() - started:.0f}s", flush=True)


async def measure(base: str, args: argparse.Namespace) -> None:
    rng = random.Random(7)
    cases = {
        "Chinese common word (~5% match)": ["咖啡", "考研", "摄影", "周末", "火锅"],
        "Chinese two words": ["香山 红叶", "手冲 咖啡", "英语 单词"],
        "English word": ["staking", "wallet", "plutus", "delegation", "metadata"],
        "no match": ["量子纠缠", "zebra"],
    }
    async with session(base, args.concurrency) as client:
        for label, queries in cases.items():
            sample = await gql(client, "Search", {"query": queries[0], "kind": "POSTS"})
            hits = len(sample["search"]["edges"])

            async def run(i: int, n: int, queries: list[str] = queries) -> None:
                await gql(
                    client, "Search", {"query": rng.choice(queries), "kind": "POSTS", "first": 20}
                )

            print(f"  ({queries[0]!r}: first page {hits} results)")
            await drive(f"Search: {label}", args.seconds, args.concurrency, run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--dump", type=Path, default=ROOT.parent / "shared" / "data" / "stackexchange-cardano"
    )
    args = parser.parse_args()
    print(f"{args.concurrency} clients, {args.seconds}s per measurement, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="quanzi-bench-") as var_dir:
        with bench_database(var_dir, f"quanzi_searchbench_{os.getpid()}") as env:
            asyncio.run(load(env["DATABASE_URL"], args.posts, args.dump))
            with running_server(env) as base:
                asyncio.run(measure(base, args))


if __name__ == "__main__":
    main()
