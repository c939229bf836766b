"""One publishing pipeline for every text a member writes (posts, questions, polls, comments,
answers, feedback, profile texts): sanction check → length → screening → status → create →
counters and rewards, or a review task.

Screening is not optional: every write path takes a `Screening`, either the real `Screener`
or `NO_SCREENING`, the explicit bypass the seed and bulk importers pass (grep for it)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from domain import rewards
from domain.content_status import count_published
from domain.errors import BadInput
from domain.models import PostStatus, TargetType, User
from domain.review import open_task
from domain.rules import CommunityRules
from domain.sanctions import check_can_write
from domain.screening import NO_SCREENING, NoScreening, Screening, Verdict, screen_texts

# The screening step and its explicit bypass live with the screener; they are part of this
# pipeline's vocabulary, so write paths and tools import them from here.
__all__ = [
    "NO_SCREENING",
    "NoScreening",
    "Screening",
    "check_can_publish",
    "check_length",
    "screen_texts",
    "settle",
    "status_for",
]


def check_can_publish(author: User) -> None:
    """Step one: a muted member writes nothing."""
    check_can_write(author)


def check_length(text: str, field: str, *, max: int, min: int = 1, key: str = "body_length") -> str:
    """Step two: the text, stripped, within its bounds (BAD_USER_INPUT naming `field`)."""
    text = text.strip()
    if not min <= len(text) <= max:
        raise BadInput(key, field=field, max=max)
    return text


def status_for(verdict: Verdict) -> PostStatus:
    """Step four: published now, or in review. The same words serve comments and answers."""
    return PostStatus.PENDING_REVIEW if verdict.needs_review else PostStatus.PUBLISHED


async def settle(
    target: TargetType,
    target_id: int,
    verdict: Verdict,
    conn: BaseDBAsyncClient,
    *,
    rules: CommunityRules,
) -> None:
    """Step six, after the row exists: counters and the author's rewards when it is
    published, a review task when it waits (counted nowhere until approved)."""
    if verdict.needs_review:
        await open_task(target, target_id, verdict.review_reasons, conn, source=verdict.source)
    else:
        await count_published(target, target_id, +1, conn)
        await rewards.content_published(target, target_id, conn, rules=rules)
