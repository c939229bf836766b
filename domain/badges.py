"""Badges, awarded by rule and once per member; their names and descriptions are texts
(domain/texts/badges.py), shown in the reader's language."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters import sql
from domain.models import NotificationKind
from domain.notifications import notify
from domain.texts import render

BADGES = (
    "FIRST_POST",
    "FIRST_ACCEPTED",
    "STREAK_7",
    "LIKES_100",
    "FEATURED_AUTHOR",
    "EVENT_ATTENDEE",
    "INVITER",
)
LIKES_FOR_BADGE = 100


def badge_name(code: str, locale: str) -> str:
    return render(f"badge.{code}.name", locale) if code in BADGES else code


def badge_description(code: str, locale: str) -> str:
    return render(f"badge.{code}.description", locale) if code in BADGES else ""


async def grant(user_id: int, code: str, conn: BaseDBAsyncClient) -> bool:
    """Give a badge once; True when it is new. The notification keeps the code, so that it
    reads in the language of whoever opens it."""
    if code not in BADGES:
        raise ValueError(f"unknown badge {code}")
    new = await sql.insert_unique("user_badges", {"user_id": user_id, "code": code}, conn=conn)
    if new:
        await notify(user_id, NotificationKind.BADGE, conn, snippet=code)
    return new
