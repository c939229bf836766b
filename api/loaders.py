"""Per-request DataLoaders: one query per kind of object per request, never one per item."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from adapters import sql
from adapters.redis import Store
from domain import trending
from domain.models import (
    Answer,
    AnswerVote,
    Circle,
    CircleMember,
    Comment,
    CommentLike,
    EventSignup,
    Poll,
    PollOption,
    PollVoter,
    Post,
    PostLike,
    Topic,
    TopicFollow,
    User,
    UserBadge,
    UserFollow,
)

M = TypeVar("M", bound=Model)
K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


def now_or_later(loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> R | Awaitable[R]:
    """convert(the loaded value) at once when the loader already has it (a connection
    prefetched its page), else an awaitable of it: no coroutine for what is already here."""
    future = loader.load(key)
    if isinstance(future, asyncio.Future) and future.done():
        return convert(future.result())
    return _convert_later(future, convert)


async def _convert_later(future: Awaitable[V], convert: Callable[[V], R]) -> R:
    return convert(await future)


def _by_id(model: type[M]) -> Callable[[Sequence[int]], Awaitable[list[M | None]]]:
    async def load(ids: Sequence[int]) -> list[M | None]:
        found = {row.pk: row for row in await sql.models_by_ids(model, ids)}
        return [found.get(i) for i in ids]

    return load


def _membership(
    model: type[Model], owner_field: str, owner_id: int, target_field: str
) -> Callable[[Sequence[int]], Awaitable[list[bool]]]:
    """Which of the targets the owner has a row for (liked, follows...)."""

    # Column names come from the code (the callers below), never from input.
    query = (
        f"SELECT {target_field} FROM {model._meta.db_table} "
        f"WHERE {owner_field} = $1 AND {target_field} = ANY($2::bigint[])"
    )

    async def load(ids: Sequence[int]) -> list[bool]:
        rows = await sql.fetch_records(query, owner_id, list(ids))
        present = {row[target_field] for row in rows}
        return [i in present for i in ids]

    return load


async def _topics_of_posts(post_ids: Sequence[int]) -> list[list[Topic]]:
    rows = await sql.fetch_records(
        f"SELECT pt.post_id AS _post_id, {sql.columns(Topic, 't')} FROM post_topics pt "
        "JOIN topics t ON t.id = pt.topic_id WHERE pt.post_id = ANY($1::bigint[]) "
        "ORDER BY pt.post_id, pt.position",
        list(post_ids),
    )
    by_post: dict[int, list[Topic]] = defaultdict(list)
    for row in rows:
        by_post[row["_post_id"]].append(sql.build(Topic, row))
    return [by_post.get(i, []) for i in post_ids]


async def _polls_of_posts(post_ids: Sequence[int]) -> list[Poll | None]:
    found = {p.post_id: p for p in await Poll.filter(post_id__in=list(post_ids))}  # type: ignore[attr-defined]
    return [found.get(i) for i in post_ids]


async def _options_of_polls(poll_ids: Sequence[int]) -> list[list[PollOption]]:
    by_poll: dict[int, list[PollOption]] = defaultdict(list)
    for option in await PollOption.filter(poll_id__in=list(poll_ids)).order_by("position"):
        by_poll[option.poll_id].append(option)  # type: ignore[attr-defined]
    return [by_poll.get(i, []) for i in poll_ids]


def _owned_value(
    model: type[Model], owner_field: str, owner_id: int, target_field: str, value_field: str
) -> Callable[[Sequence[int]], Awaitable[list[Any]]]:
    """The owner's value for each target (their vote, their membership...), None if none."""

    async def load(ids: Sequence[int]) -> list[Any]:
        rows = await model.filter(
            **{owner_field: owner_id, f"{target_field}__in": list(ids)}
        ).values(target_field, value_field)
        found = {r[target_field]: r[value_field] for r in rows}
        return [found.get(i) for i in ids]

    return load


async def _badges_of_users(user_ids: Sequence[int]) -> list[list[UserBadge]]:
    by_user: dict[int, list[UserBadge]] = defaultdict(list)
    for badge in await UserBadge.filter(user_id__in=list(user_ids)).order_by("-created_at", "-id"):
        by_user[badge.user_id].append(badge)  # type: ignore[attr-defined]
    return [by_user.get(i, []) for i in user_ids]


class Loaders:
    """Created per request, each loader on first use (a request reads a few kinds of
    object, not all of them). The viewer's own relations (likes, follows) are keyed per
    viewer."""

    def __init__(self) -> None:
        self._per_viewer: dict[tuple[str, int], DataLoader[int, Any]] = {}

    @cached_property
    def user(self) -> DataLoader[int, User | None]:
        return DataLoader(load_fn=_by_id(User))

    @cached_property
    def post(self) -> DataLoader[int, Post | None]:
        return DataLoader(load_fn=_by_id(Post))

    @cached_property
    def comment(self) -> DataLoader[int, Comment | None]:
        return DataLoader(load_fn=_by_id(Comment))

    @cached_property
    def topic(self) -> DataLoader[int, Topic | None]:
        return DataLoader(load_fn=_by_id(Topic))

    @cached_property
    def topics_of_post(self) -> DataLoader[int, list[Topic]]:
        return DataLoader(load_fn=_topics_of_posts)

    @cached_property
    def circle(self) -> DataLoader[int, Circle | None]:
        return DataLoader(load_fn=_by_id(Circle))

    @cached_property
    def answer(self) -> DataLoader[int, Answer | None]:
        return DataLoader(load_fn=_by_id(Answer))

    @cached_property
    def poll_of_post(self) -> DataLoader[int, Poll | None]:
        return DataLoader(load_fn=_polls_of_posts)

    @cached_property
    def options_of_poll(self) -> DataLoader[int, list[PollOption]]:
        return DataLoader(load_fn=_options_of_polls)

    @cached_property
    def badges_of_user(self) -> DataLoader[int, list[UserBadge]]:
        return DataLoader(load_fn=_badges_of_users)

    def _viewer_loader(self, name: str, viewer_id: int, *spec: Any) -> DataLoader[int, bool]:
        key = (name, viewer_id)
        if key not in self._per_viewer:
            self._per_viewer[key] = DataLoader(
                load_fn=_membership(spec[0], spec[1], viewer_id, spec[2])
            )
        return self._per_viewer[key]

    def liked_post(self, viewer_id: int) -> DataLoader[int, bool]:
        return self._viewer_loader("liked_post", viewer_id, PostLike, "user_id", "post_id")

    def liked_comment(self, viewer_id: int) -> DataLoader[int, bool]:
        return self._viewer_loader("liked_comment", viewer_id, CommentLike, "user_id", "comment_id")

    def follows_user(self, viewer_id: int) -> DataLoader[int, bool]:
        return self._viewer_loader(
            "follows_user", viewer_id, UserFollow, "follower_id", "followee_id"
        )

    def follows_topic(self, viewer_id: int) -> DataLoader[int, bool]:
        return self._viewer_loader("follows_topic", viewer_id, TopicFollow, "user_id", "topic_id")

    def _viewer_values(
        self, name: str, viewer_id: int, model: type[Model], owner: str, target: str, value: str
    ) -> DataLoader[int, Any]:
        key = (name, viewer_id)
        if key not in self._per_viewer:
            self._per_viewer[key] = DataLoader(
                load_fn=_owned_value(model, owner, viewer_id, target, value)
            )
        return self._per_viewer[key]

    def answer_vote(self, viewer_id: int) -> DataLoader[int, int | None]:
        return self._viewer_values("vote", viewer_id, AnswerVote, "user_id", "answer_id", "value")

    def poll_choice(self, viewer_id: int) -> DataLoader[int, list[int] | None]:
        return self._viewer_values("poll", viewer_id, PollVoter, "user_id", "poll_id", "option_ids")

    def membership(self, viewer_id: int) -> DataLoader[int, tuple[str, str] | None]:
        """(role, status) of the viewer in each circle, None when not a member."""
        key = ("membership", viewer_id)
        if key not in self._per_viewer:

            async def load(circle_ids: Sequence[int]) -> list[tuple[str, str] | None]:
                rows = await CircleMember.filter(
                    user_id=viewer_id, circle_id__in=list(circle_ids)
                ).values("circle_id", "role", "status")
                found = {r["circle_id"]: (r["role"], r["status"]) for r in rows}
                return [found.get(i) for i in circle_ids]

            self._per_viewer[key] = DataLoader(load_fn=load)
        return self._per_viewer[key]

    def event_signup(self, viewer_id: int) -> DataLoader[int, tuple[bool, bool]]:
        """(signed up, checked in) of the viewer for each event."""
        key = ("event_signup", viewer_id)
        if key not in self._per_viewer:

            async def load(event_ids: Sequence[int]) -> list[tuple[bool, bool]]:
                rows = await EventSignup.filter(
                    user_id=viewer_id, event_id__in=list(event_ids)
                ).values("event_id", "checked_in_at")
                found = {r["event_id"]: r["checked_in_at"] is not None for r in rows}
                return [(i in found, found.get(i, False)) for i in event_ids]

            self._per_viewer[key] = DataLoader(load_fn=load)
        return self._per_viewer[key]

    def topic_heat(self, store: Store) -> DataLoader[int, float]:
        key = ("topic_heat", 0)
        if key not in self._per_viewer:

            async def load(topic_ids: Sequence[int]) -> list[float]:
                return await trending.heat_of(store, list(topic_ids))

            self._per_viewer[key] = DataLoader(load_fn=load)
        return self._per_viewer[key]

    def prime_posts(self, posts: Sequence[Post]) -> None:
        for post in posts:
            self.post.prime(post.id, post)
