"""Topics: named by members (`#话题#` or explicitly), created on first use, followed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain.errors import BadInput, NotFound
from domain.models import Topic, User

TOPIC_NAME_MAX = 20
TOPICS_PER_POST_MAX = 5
_HASHTAG = re.compile(r"#([^#\s]{1,20})#")


def topics_in_text(text: str) -> list[str]:
    """Topic names written as #话题# in a text, in order of appearance."""
    return _HASHTAG.findall(text)


def clean_topic_names(explicit: Sequence[str], body: str) -> list[str]:
    """Explicit topics then those written in the body, deduplicated; at most five. Sizes are
    checked before any other work, and each name once: a post's text runs to thousands of
    hashtags and a request to thousands of given names."""
    if len(explicit) > TOPICS_PER_POST_MAX:
        raise BadInput("too_many_topics", field="topics", max=TOPICS_PER_POST_MAX)
    names: dict[str, str] = {}  # casefolded -> as first written
    for raw in chain(explicit, (m.group(1) for m in _HASHTAG.finditer(body))):
        if len(raw) > TOPIC_NAME_MAX + 16:  # room for the spaces and hashes stripped below
            raise BadInput("topic_name", field="topics", max=TOPIC_NAME_MAX)
        name = raw.strip().strip("#").strip()
        if not 1 <= len(name) <= TOPIC_NAME_MAX or "#" in name:
            raise BadInput("topic_name", field="topics", max=TOPIC_NAME_MAX)
        names.setdefault(name.casefold(), name)
        if len(names) > TOPICS_PER_POST_MAX:
            raise BadInput("too_many_topics", field="topics", max=TOPICS_PER_POST_MAX)
    return list(names.values())


async def ensure_topics(names: list[str], conn: BaseDBAsyncClient) -> list[int]:
    """Ids of the named topics, creating the missing ones (safe under concurrent creation)."""
    if not names:
        return []
    await sql.fetch(
        "INSERT INTO topics (name, description, post_count, follower_count, created_at) "
        "SELECT unnest($1::text[]), '', 0, 0, now() ON CONFLICT (name) DO NOTHING RETURNING id",
        # in one order for every post: two posts making the same new topics in two orders
        # would each wait for the other's insert of the one it made first
        sorted(names),
        conn=conn,
    )
    rows = await sql.fetch("SELECT id, name FROM topics WHERE name = ANY($1)", names, conn=conn)
    by_name = {r["name"]: r["id"] for r in rows}
    return [by_name[n] for n in names]


async def get_topic_by_name(name: str) -> Topic:
    topic = await Topic.get_or_none(name=name.strip().strip("#"))
    if topic is None:
        raise NotFound("topic_not_found")
    return topic


async def follow_topic(user: User, topic_id: int) -> Topic:
    """Idempotent: following twice leaves one follow."""
    async with in_transaction() as conn:
        await _check_topic(topic_id, conn)
        if await sql.insert_unique(
            "topic_follows", {"user_id": user.id, "topic_id": topic_id}, conn=conn
        ):
            await sql.bump("topics", "follower_count", topic_id, +1, conn=conn)
    return await Topic.get(id=topic_id)


async def unfollow_topic(user: User, topic_id: int) -> Topic:
    async with in_transaction() as conn:
        await _check_topic(topic_id, conn)
        if await sql.delete_where(
            "topic_follows", {"user_id": user.id, "topic_id": topic_id}, conn=conn
        ):
            await sql.bump("topics", "follower_count", topic_id, -1, conn=conn)
    return await Topic.get(id=topic_id)


async def _check_topic(topic_id: int, conn: BaseDBAsyncClient) -> None:
    if not await Topic.filter(id=topic_id).using_db(conn).exists():
        raise NotFound("topic_not_found", field="topicId")
