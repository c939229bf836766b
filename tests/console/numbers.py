"""A few weeks of community life for the numbers pages: members joining day after day, their
active days, posts, comments, likes, shares and reports spread over the weeks, and the
retention scores the nightly job keeps. Rows go through the factories and the domain, then
are moved back in time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from adapters import sql
from domain.likes import like_post
from domain.models import ClientEvent, ClientEventKind, MemberActivity, ShareChannel, User
from domain.retention import score_members
from domain.shares import share_post
from tests.factories import RULES, make_comment, make_post, make_report, make_user

WEEKS = 5


def _at(day: date, hour: int) -> datetime:
    return RULES.calendar.start_of(day) + timedelta(hours=hour)


async def _move(table: str, row_id: int, day: date, hour: int) -> None:
    await sql.execute(f"UPDATE {table} SET created_at = $1 WHERE id = $2", _at(day, hour), row_id)


async def seed_history() -> list[User]:
    """About 5 weeks of activity; returns the members, the oldest first."""
    today = RULES.calendar.today()
    first = today - timedelta(days=WEEKS * 7 - 1)
    members: list[User] = []
    for i in range(WEEKS * 7):
        joined = first + timedelta(days=i)
        for j in range(1 + (i % 3 == 0)):
            user = await make_user(nickname=f"成员{i:02d}{'乙' if j else '甲'}")
            await User.filter(id=user.id).update(created_at=_at(joined, 9 + j))
            members.append(user)
    activity = []
    for n, user in enumerate(members):
        joined = RULES.calendar.today(await _joined(user))
        keen = n % 4 != 3  # every fourth member drifts away after their first days
        day = joined
        while day <= today:
            if (day - joined).days < 3 or (keen and (day.toordinal() + n) % 3 != 0):
                activity.append(MemberActivity(user_id=user.id, day=day))
            day += timedelta(days=1)
    await MemberActivity.bulk_create(activity)
    for n, user in enumerate(members):
        day = RULES.calendar.today(await _joined(user))
        post = await make_post(user, f"第 {n} 天的分享：今天去爬山了")
        await _move("posts", post.id, day, 12)
        if n % 2 == 0:
            comment = await make_comment(post, members[n - 1], "风景真好")
            await _move("comments", comment.id, day, 13)
        if n % 3 == 0:
            await like_post(members[n - 2], post.id, rules=RULES)
            share, _ = await share_post(
                members[n - 3], post.id, ShareChannel.WECHAT_CHAT, rules=RULES
            )
            await _move("shares", share.id, day, 15)
            opened = [
                ClientEvent(
                    kind=ClientEventKind.SHARE_OPEN,
                    post_id=post.id,
                    share_token=share.token,
                    occurred_at=_at(day, 17 + k),
                )
                for k in range(2)
            ]
            await ClientEvent.bulk_create(opened)
            if n + 1 < len(members):  # the next member came in through this share
                await User.filter(id=members[n + 1].id).update(signup_share_token=share.token)
        if n % 7 == 0:
            report = await make_report(post, members[n - 1])
            await _move("reports", report.id, day, 16)
    await sql.execute(
        "UPDATE post_likes SET created_at = p.created_at + interval '1 hour' "
        "FROM posts p WHERE p.id = post_likes.post_id"
    )
    await score_members(RULES.calendar)
    return members


async def _joined(user: User) -> datetime:
    await user.refresh_from_db()
    return user.created_at
