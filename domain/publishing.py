"""One publishing pipeline for every text a member writes (posts, questions, polls, comments,
answers, feedback, profile texts): sanction check → length → screening → status → create →
counters and rewards, or a review task.

Screening is not optional: every write path takes a `Screening`, either the real `Screener`
or `NO_SCREENING`, the explicit bypass the seed and bulk importers pass (grep for it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.content_status import count_published
from domain.errors import BadInput
from domain.models import PostStatus, TargetType, User
from domain.review import open_task
from domain.sanctions import check_can_write
from domain.screening import Scene, Screener, Verdict, screen


@dataclass(frozen=True)
class NoScreening:
    """Writes that skip the word filter and WeChat's check: demo data and imports of
    content screened elsewhere. Never for a member's request."""

    reason: str


NO_SCREENING: Final = NoScreening("seed and bulk import: content not written by members here")

Screening = Screener | NoScreening


def check_can_publish(author: User) -> None:
    """Step one: a muted member writes nothing."""
    check_can_write(author)


def check_length(text: str, field: str, *, max: int, min: int = 1, key: str = "body_length") -> str:
    """Step two: the text, stripped, within its bounds (BAD_USER_INPUT naming `field`)."""
    text = text.strip()
    if not min <= len(text) <= max:
        raise BadInput(key, field=field, max=max)
    return text


async def screen_texts(
    screening: Screening, author: User, texts: list[tuple[str, str]], scene: Scene
) -> Verdict:
    """Step three: BLOCK words or a risky verdict refuse the write (CONTENT_REJECTED); words
    that need a look send it to review."""
    if isinstance(screening, NoScreening):
        return Verdict()
    return await screen(screening, author, texts, scene)


def status_for(verdict: Verdict) -> PostStatus:
    """Step four: published now, or in review. The same words serve comments and answers."""
    return PostStatus.PENDING_REVIEW if verdict.needs_review else PostStatus.PUBLISHED


async def settle(
    target: TargetType, target_id: int, verdict: Verdict, conn: BaseDBAsyncClient
) -> None:
    """Step six, after the row exists: counters and the author's rewards when it is
    published, a review task when it waits (counted nowhere until approved)."""
    if verdict.needs_review:
        await open_task(target, target_id, verdict.review_reasons, conn)
    else:
        await count_published(target, target_id, +1, conn)
