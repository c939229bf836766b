"""Per-request DataLoaders: one query per kind of object per request, never one per item."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date
from functools import cached_property, partial
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader, DefaultCache
from tortoise.models import Model

from domain import breakdowns, circles, mall, reads, surveys, trending
from domain.calendar import Calendar
from domain.models import (
    Answer,
    AnswerVote,
    Circle,
    Comment,
    CommentLike,
    MallItem,
    Poll,
    PollOption,
    PollVoter,
    Post,
    PostLike,
    ReviewDecision,
    SurveyResponse,
    Topic,
    TopicFollow,
    User,
    UserBadge,
    UserFollow,
)
from quanzi.bootstrap import RedisStore

M = TypeVar("M", bound=Model)
K = TypeVar("K")
V = TypeVar("V")


async def prefetch(loader: DataLoader[K, V], keys: Iterable[K]) -> None:
    """Load `keys` with one call of the loader's batch function and keep the values in its
    cache: what a page's look-ahead loads (api.post_pages.post_connection), without a future, a
    batch entry and a dispatch task per key (a sixth of a feed page's time, issue 22)."""
    cache = loader.cache_map
    missing = list(dict.fromkeys(k for k in keys if cache.get(k) is None))
    if missing:
        values = await loader.load_fn(missing)
        # a key whose load failed is left to load() (and its error to the field asking)
        loader.prime_many(
            {k: v for k, v in zip(missing, values, strict=True) if not isinstance(v, BaseException)}
        )


def forget(loader: DataLoader[K, V], keys: Iterable[K]) -> None:
    """Drop what the loader holds for `keys` (loaded or under way): the next load reads them
    anew."""
    cache = loader.cache_map
    if isinstance(cache, DefaultCache) and not cache.cache_map:
        return  # nothing loaded yet (a feed's first page): no key to look up
    for key in keys:
        if cache.get(key) is not None:
            cache.delete(key)


def _by_id(model: type[Model]) -> Callable[[Sequence[int]], Awaitable[list[Any]]]:
    return partial(reads.by_ids, model)


class Loaders:
    """Created per request, each loader on first use (a request reads a few kinds of
    object, not all of them). The viewer's own relations (likes, follows) are keyed per
    viewer."""

    def __init__(self) -> None:
        self._per_viewer: dict[tuple[str, int], DataLoader[int, Any]] = {}
        self._reports_by_reason: DataLoader[date, list[breakdowns.ReasonCount]] | None = None
        # post id -> the versions of its card's relations, read with the page (api.cards)
        self.card_versions: dict[int, reads.CardVersions] = {}

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
    def mall_item(self) -> DataLoader[int, MallItem | None]:
        return DataLoader(load_fn=_by_id(MallItem))

    @cached_property
    def topic(self) -> DataLoader[int, Topic | None]:
        return DataLoader(load_fn=_by_id(Topic))

    @cached_property
    def topics_of_post(self) -> DataLoader[int, list[Topic]]:
        return DataLoader(load_fn=reads.topics_of_posts)

    @cached_property
    def circle(self) -> DataLoader[int, Circle | None]:
        return DataLoader(load_fn=_by_id(Circle))

    @cached_property
    def admins_of_circle(self) -> DataLoader[int, list[User]]:
        return DataLoader(load_fn=reads.admins_of_circles)

    @cached_property
    def answer(self) -> DataLoader[int, Answer | None]:
        return DataLoader(load_fn=_by_id(Answer))

    @cached_property
    def poll_of_post(self) -> DataLoader[int, Poll | None]:
        return DataLoader(load_fn=reads.polls_of_posts)

    @cached_property
    def options_of_poll(self) -> DataLoader[int, list[PollOption]]:
        return DataLoader(load_fn=reads.options_of_polls)

    @cached_property
    def badges_of_user(self) -> DataLoader[int, list[UserBadge]]:
        return DataLoader(load_fn=reads.badges_of_users)

    @cached_property
    def report_reasons_of_task(self) -> DataLoader[int, list[str]]:
        return DataLoader(load_fn=reads.report_reasons_of_tasks)

    @cached_property
    def decisions_of_task(self) -> DataLoader[int, list[ReviewDecision]]:
        return DataLoader(load_fn=reads.decisions_of_tasks)

    def row(self, model: type[M]) -> DataLoader[int, M | None]:
        """Rows of any `model` by id, one query per model a request (node(id:)'s rarer kinds:
        polls, reports, notifications...)."""
        return self._keyed("row:" + model.__name__, 0, _by_id(model))

    def _keyed(
        self, name: str, key: int, load: Callable[[Sequence[int]], Awaitable[list[Any]]]
    ) -> DataLoader[int, Any]:
        """The request's loader `name` for `key` (a viewer), made on first use."""
        loader = self._per_viewer.get((name, key))
        if loader is None:
            loader = self._per_viewer[(name, key)] = DataLoader(load_fn=load)
        return loader

    def _owned(
        self, name: str, viewer_id: int, model: type[Model], owner: str, target: str
    ) -> DataLoader[int, bool]:
        return self._keyed(name, viewer_id, partial(reads.owned, model, owner, viewer_id, target))

    def liked_post(self, viewer_id: int) -> DataLoader[int, bool]:
        return self._owned("liked_post", viewer_id, PostLike, "user_id", "post_id")

    def liked_comment(self, viewer_id: int) -> DataLoader[int, bool]:
        return self._owned("liked_comment", viewer_id, CommentLike, "user_id", "comment_id")

    def follows_user(self, viewer_id: int) -> DataLoader[int, bool]:
        return self._owned("follows_user", viewer_id, UserFollow, "follower_id", "followee_id")

    def follows_topic(self, viewer_id: int) -> DataLoader[int, bool]:
        return self._owned("follows_topic", viewer_id, TopicFollow, "user_id", "topic_id")

    def _values(
        self, name: str, viewer_id: int, model: type[Model], owner: str, target: str, value: str
    ) -> DataLoader[int, Any]:
        load = partial(reads.owned_values, model, owner, viewer_id, target, value)
        return self._keyed(name, viewer_id, load)

    def answer_vote(self, viewer_id: int) -> DataLoader[int, int | None]:
        return self._values("vote", viewer_id, AnswerVote, "user_id", "answer_id", "value")

    def poll_choice(self, viewer_id: int) -> DataLoader[int, list[int] | None]:
        return self._values("poll", viewer_id, PollVoter, "user_id", "poll_id", "option_ids")

    def redeemed_count(self, viewer_id: int) -> DataLoader[int, int]:
        """How many of each mall item the viewer redeemed (cancelled ones aside)."""
        return self._keyed("redeemed", viewer_id, partial(_redeemed, viewer_id))

    def responded(self, viewer_id: int) -> DataLoader[int, bool]:
        return self._owned("responded", viewer_id, SurveyResponse, "user_id", "survey_id")

    def survey_texts(self, first: int) -> DataLoader[int, list[str]]:
        """The latest `first` free-text answers of each survey question."""
        return self._keyed("survey_texts", first, partial(_survey_texts, first))

    def membership(self, viewer_id: int) -> DataLoader[int, tuple[str, str] | None]:
        """(role, status) of the viewer in each circle, None when not a member."""
        return self._keyed("membership", viewer_id, partial(reads.memberships, viewer_id))

    def event_signup(self, viewer_id: int) -> DataLoader[int, tuple[bool, bool]]:
        """(signed up, checked in) of the viewer for each event."""
        return self._keyed("event_signup", viewer_id, partial(reads.signups, viewer_id))

    async def closed_circles(self, viewer: User | None) -> frozenset[int]:
        """The circles whose posts the viewer may not read, loaded once per request."""
        key = viewer.id if viewer is not None else 0
        loader = self._keyed("closed_circles", key, partial(_closed_circles, viewer))
        closed: frozenset[int] = await loader.load(key)
        return closed

    def topic_heat(self, store: RedisStore) -> DataLoader[int, float]:
        return self._keyed("topic_heat", 0, partial(_heat_of, store))

    def reports_by_reason(
        self, calendar: Calendar
    ) -> DataLoader[date, list[breakdowns.ReasonCount]]:
        """Reports per reason of community days: the days a response lists, in one query."""
        if self._reports_by_reason is None:
            self._reports_by_reason = DataLoader(
                load_fn=partial(breakdowns.reports_by_reason, calendar)
            )
        return self._reports_by_reason

    def prime_posts(self, posts: Sequence[Post]) -> None:
        for post in posts:
            self.post.prime(post.id, post)


async def _closed_circles(viewer: User | None, keys: Sequence[int]) -> list[frozenset[int]]:
    return [await circles.closed_circles(viewer)] * len(keys)


async def _redeemed(viewer_id: int, item_ids: Sequence[int]) -> list[int]:
    return await mall.redeemed_counts(viewer_id, list(item_ids))


async def _survey_texts(first: int, question_ids: Sequence[int]) -> list[list[str]]:
    return await surveys.latest_texts(list(question_ids), first)


async def _heat_of(store: RedisStore, topic_ids: Sequence[int]) -> list[float]:
    return await trending.heat_of(store, list(topic_ids))
