"""Notifications: written in the transaction of the action that causes them, delivered
(unread count, live subscription, WeChat subscribe message) only after it committed."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from datetime import date
from functools import partial

from redis.exceptions import RedisError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from adapters.redis import Store
from domain.models import Notification, NotificationKind
from domain.texts import TEXTS, render

log = logging.getLogger("quanzi.notify")

_pending: ContextVar[list[int] | None] = ContextVar("quanzi_pending_notifications", default=None)
SNIPPET_MAX = 60


@contextlib.contextmanager
def collecting() -> Iterator[list[int]]:
    """Collect the ids of notifications written inside; deliver them after the commit."""
    ids: list[int] = []
    token = _pending.set(ids)
    try:
        yield ids
    finally:
        _pending.reset(token)


def start_collecting() -> list[int]:
    """Collect for the rest of the current task (one request): the ids land in the list."""
    ids: list[int] = []
    _pending.set(ids)
    return ids


def channel(store: Store, user_id: int) -> str:
    return store.key("notify", user_id)


async def deliver(
    store: Store, ids: list[int], send: Callable[[int, str, int], Awaitable[None]] | None = None
) -> None:
    """After the commit: refresh the recipients' unread counters, push each notification to
    live subscribers on any API process (Redis pub/sub), and hand the ones a member allowed
    as WeChat subscribe messages to `send` (the job queue)."""
    rows = await Notification.filter(id__in=sorted(set(ids))).values("id", "recipient_id", "kind")
    if not rows:
        return
    await recount_unread([r["recipient_id"] for r in rows])
    try:
        for row in rows:
            await store.redis.publish(channel(store, row["recipient_id"]), str(row["id"]))
        if send is not None:
            for row in rows:
                await send(row["id"], row["kind"], row["recipient_id"])
    except (RedisError, OSError) as exc:
        # The notifications are committed and listed; only the live push and the WeChat
        # message are lost, which must not fail the action that caused them.
        log.warning("notifications %s not pushed, Redis failed: %s", ids, exc)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_MAX else text[: SNIPPET_MAX - 1] + "…"


async def notify(
    recipient_id: int,
    kind: NotificationKind,
    conn: BaseDBAsyncClient,
    *,
    actor_id: int | None = None,
    post_id: int | None = None,
    comment_id: int | None = None,
    subject_id: int | None = None,
    snippet: str = "",
    group: tuple[str, date] | None = None,
) -> int | None:
    """Write a notification for a member (never for their own action). With a `group` (a key
    and the community's day), one row per group, member and day gathers every actor (likes:
    who and how many)."""
    if actor_id is not None and actor_id == recipient_id:
        return None
    actors = json.dumps([actor_id] if actor_id is not None else [])
    values = (
        recipient_id,
        kind.value,
        actor_id,
        actors,
        post_id,
        comment_id,
        subject_id,
        _snippet(snippet),
    )
    if group is None:
        rows = await sql.fetch(
            "INSERT INTO notifications (recipient_id, kind, actor_id, actor_ids, post_id, "
            "comment_id, subject_id, snippet, read, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, false, now(), now()) RETURNING id",
            *values,
            conn=conn,
        )
    else:
        rows = await sql.fetch(
            "INSERT INTO notifications (recipient_id, kind, actor_id, actor_ids, post_id, "
            "comment_id, subject_id, snippet, group_key, read, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, false, now(), now()) "
            "ON CONFLICT (group_key) DO UPDATE SET "
            "actor_id = EXCLUDED.actor_id, read = false, updated_at = now(), "
            "actor_ids = CASE WHEN notifications.actor_ids @> EXCLUDED.actor_ids "
            "THEN notifications.actor_ids ELSE notifications.actor_ids || EXCLUDED.actor_ids END "
            "RETURNING id",
            *values,
            f"{group[0]}:{recipient_id}:{group[1].isoformat()}",
            conn=conn,
        )
    notification_id = int(rows[0]["id"])
    pending = _pending.get()
    if pending is not None:
        pending.append(notification_id)
    return notification_id


async def notify_each(
    recipient_ids: list[int],
    kind: NotificationKind,
    conn: BaseDBAsyncClient,
    *,
    subject_id: int | None = None,
    snippet: str = "",
) -> list[int]:
    """The same notification, from nobody in particular, for many members in one statement
    (everyone signed up for an event that was called off)."""
    if not recipient_ids:
        return []
    rows = await sql.fetch(
        "INSERT INTO notifications (recipient_id, kind, actor_id, actor_ids, post_id, "
        "comment_id, subject_id, snippet, read, created_at, updated_at) "
        "SELECT r, $2, NULL, '[]'::jsonb, NULL, NULL, $3, $4, false, now(), now() "
        "FROM unnest($1::bigint[]) AS r RETURNING id",
        sorted(set(recipient_ids)),
        kind.value,
        subject_id,
        _snippet(snippet),
        conn=conn,
    )
    ids = [int(row["id"]) for row in rows]
    pending = _pending.get()
    if pending is not None:
        pending.extend(ids)
    return ids


def render_notification(
    kind: str, locale: str, *, actor: str, actor_count: int, snippet: str, on_comment: bool
) -> str:
    """What the inbox says about a notification, in `locale`: `actor` is the latest actor's
    nickname, `actor_count` how many it gathers, `on_comment` whether it is about a comment."""
    if kind == NotificationKind.BADGE and f"badge.{snippet}.name" in TEXTS:
        # A badge notification keeps the badge's code (rows before that, its Chinese name).
        snippet = render(f"badge.{snippet}.name", locale)
    if kind == NotificationKind.TASK_DONE and f"task.{snippet}.title" in TEXTS:
        snippet = render(f"task.{snippet}.title", locale)  # the task's code, in the reader's words
    if actor_count <= 1:
        actors = render("notification.actors_one", locale, nickname=actor)
    else:
        actors = render(
            "notification.actors_many",
            locale,
            nickname=actor,
            count=actor_count,
            others=actor_count - 1,
        )
    what = render("notification.what_comment" if on_comment else "notification.what_post", locale)
    return render(
        f"notification.{kind}", locale, actor=actor, actors=actors, snippet=snippet, what=what
    )


async def recount_unread(user_ids: list[int]) -> None:
    """Bring members' unread counters up to date (after a commit, in a transaction of its
    own): their rows locked in id order (sql.lock_rows), then recounted. Should it still be
    a deadlock's victim, it only recomputes, and is run again."""
    if user_ids:
        await sql.again_on_deadlock(partial(_recount_unread, sorted(set(user_ids))))


async def _recount_unread(user_ids: list[int]) -> None:
    async with in_transaction() as conn:
        await sql.lock_rows("users", user_ids, conn)
        await sql.execute(
            "UPDATE users SET unread_notification_count = (SELECT count(*) FROM notifications n "
            "WHERE n.recipient_id = users.id AND NOT n.read) WHERE id = ANY($1::bigint[])",
            user_ids,
            conn=conn,
        )


async def mark_read(user_id: int, ids: list[int] | None, everything: bool) -> int:
    """Mark some (or all) of a member's notifications read; return the unread count left."""
    if everything or ids:
        # Locked in id order, then marked: two devices marking at once (all of them, some of
        # them) take turns rather than each hold a row the other waits for.
        some = "" if everything else " AND id = ANY($2::bigint[])"
        keys = (user_id,) if everything else (user_id, ids)
        which = f"recipient_id = $1 AND NOT read{some}"
        async with in_transaction() as conn:
            unread = await sql.lock_where("notifications", which, *keys, conn=conn)
            if unread:
                await sql.execute(
                    "UPDATE notifications SET read = true WHERE id = ANY($1::bigint[])",
                    unread,
                    conn=conn,
                )
    await recount_unread([user_id])
    rows = await sql.fetch(
        "SELECT unread_notification_count AS n FROM users WHERE id = $1", user_id
    )
    return int(rows[0]["n"]) if rows else 0
