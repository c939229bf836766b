"""The task centre (任务中心): onboarding tasks for a member's first days and daily tasks on the
community's calendar day.

Progress is computed from what the member actually did (their rows), never from client claims,
and only what they did while the task was offered counts: onboarding in the member's first
`rules.onboarding_days` days (so imported or older history pays nothing), a daily task on its
day. A completed task's reward is claimed once, through the ledger with an idempotency key; a
newly completed onboarding task is announced once in the member's notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import structlog
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from domain import points
from domain.errors import Conflict, NotFound
from domain.models import NotificationKind, PointsReason, User
from domain.notifications import notify
from domain.rules import CommunityRules

log = structlog.get_logger(__name__)


class TaskKind(StrEnum):
    ONBOARDING = "ONBOARDING"
    DAILY = "DAILY"


# code: (kind, target, the SQL count of what the member did in [$2, $3))
_TASKS: dict[str, tuple[TaskKind, int, str]] = {
    "COMPLETE_PROFILE": (
        TaskKind.ONBOARDING,
        1,
        "(SELECT count(*) FROM users u WHERE u.id = $1 AND u.nickname !~ '^圈友[0-9]{6}$' "
        "AND (u.bio <> '' OR u.avatar_url <> '') AND u.updated_at >= $2 AND u.updated_at < $3)",
    ),
    "FOLLOW_TOPICS": (
        TaskKind.ONBOARDING,
        3,
        "(SELECT count(*) FROM topic_follows WHERE user_id = $1 "
        "AND created_at >= $2 AND created_at < $3)",
    ),
    "JOIN_CIRCLE": (
        TaskKind.ONBOARDING,
        1,
        "(SELECT count(*) FROM circle_members WHERE user_id = $1 AND status = 'ACTIVE' "
        "AND created_at >= $2 AND created_at < $3)",
    ),
    "FIRST_POST": (
        TaskKind.ONBOARDING,
        1,
        "(SELECT count(*) FROM posts WHERE author_id = $1 AND status = 'PUBLISHED' "
        "AND created_at >= $2 AND created_at < $3)",
    ),
    "FIRST_COMMENT": (
        TaskKind.ONBOARDING,
        1,
        "(SELECT count(*) FROM comments WHERE author_id = $1 AND status = 'PUBLISHED' "
        "AND created_at >= $2 AND created_at < $3)",
    ),
    "FIRST_CHECK_IN": (
        TaskKind.ONBOARDING,
        1,
        "(SELECT count(*) FROM checkins WHERE user_id = $1 "
        "AND created_at >= $2 AND created_at < $3)",
    ),
    "DAILY_CHECK_IN": (
        TaskKind.DAILY,
        1,
        "(SELECT count(*) FROM checkins WHERE user_id = $1 "
        "AND created_at >= $4 AND created_at < $5)",
    ),
    "DAILY_LIKE": (
        TaskKind.DAILY,
        3,
        "((SELECT count(*) FROM post_likes WHERE user_id = $1 "
        "AND created_at >= $4 AND created_at < $5) + (SELECT count(*) FROM comment_likes "
        "WHERE user_id = $1 AND created_at >= $4 AND created_at < $5))",
    ),
    "DAILY_COMMENT": (
        TaskKind.DAILY,
        1,
        "(SELECT count(*) FROM comments WHERE author_id = $1 AND status <> 'DELETED' "
        "AND created_at >= $4 AND created_at < $5)",
    ),
    "DAILY_SHARE": (
        TaskKind.DAILY,
        1,
        "(SELECT count(*) FROM shares WHERE user_id = $1 AND counted "
        "AND created_at >= $4 AND created_at < $5)",
    ),
}
CODES = tuple(_TASKS)
_COUNTS = "SELECT " + ", ".join(f'{sql} AS "{code}"' for code, (_, _, sql) in _TASKS.items())
DEFAULT_REWARDS = {
    "COMPLETE_PROFILE": 10,
    "FOLLOW_TOPICS": 5,
    "JOIN_CIRCLE": 5,
    "FIRST_POST": 10,
    "FIRST_COMMENT": 5,
    "FIRST_CHECK_IN": 5,
    "DAILY_CHECK_IN": 2,
    "DAILY_LIKE": 2,
    "DAILY_COMMENT": 2,
    "DAILY_SHARE": 2,
}


@dataclass(frozen=True)
class Task:
    code: str
    kind: TaskKind
    points_reward: int
    progress: int
    target: int
    claimed: bool

    @property
    def completed(self) -> bool:
        return self.progress >= self.target


def reward_of(code: str, rules: CommunityRules) -> int:
    return dict(rules.task_rewards).get(code, DEFAULT_REWARDS[code])


def _period(kind: TaskKind, rules: CommunityRules) -> str:
    return rules.calendar.today().isoformat() if kind is TaskKind.DAILY else ""


def onboarding_open(user: User, rules: CommunityRules, now: datetime | None = None) -> bool:
    return (now or datetime.now(UTC)) < user.created_at + timedelta(days=rules.onboarding_days)


async def tasks_of(
    user: User, *, rules: CommunityRules, conn: BaseDBAsyncClient | None = None
) -> list[Task]:
    """The member's tasks on offer now: onboarding while it is offered, then the day's."""
    now = datetime.now(UTC)
    window_end = user.created_at + timedelta(days=rules.onboarding_days)
    today = rules.calendar.today()
    day_start, day_end = rules.calendar.bounds(today, today)
    counts = (
        await sql.fetch(
            _COUNTS,
            user.id,
            user.created_at,
            min(window_end, now + timedelta(seconds=1)),
            day_start,
            day_end,
            conn=conn,
        )
    )[0]
    claimed = {
        (r["code"], r["period"])
        for r in await sql.fetch(
            "SELECT code, period FROM member_tasks WHERE user_id = $1 AND claimed_at IS NOT NULL "
            "AND period IN ('', $2)",
            user.id,
            today.isoformat(),
            conn=conn,
        )
    }
    onboarding = onboarding_open(user, rules, now)
    tasks = []
    for code, (kind, target, _) in _TASKS.items():
        if kind is TaskKind.ONBOARDING and not onboarding:
            continue
        progress = min(int(counts[code]), target)
        period = _period(kind, rules)
        tasks.append(
            Task(code, kind, reward_of(code, rules), progress, target, (code, period) in claimed)
        )
    return tasks


async def announce_completed(user: User, *, rules: CommunityRules) -> int:
    """Tell the member, once, of each onboarding task they completed; return how many."""
    if not onboarding_open(user, rules):
        return 0
    async with in_transaction() as conn:
        done = [
            t.code
            for t in await tasks_of(user, rules=rules, conn=conn)
            if t.kind is TaskKind.ONBOARDING and t.completed
        ]
        if not done:
            return 0
        fresh = await sql.fetch(
            "INSERT INTO member_tasks (user_id, code, period, notified_at, points, created_at) "
            "SELECT $1, unnest($2::text[]), '', now(), 0, now() "
            "ON CONFLICT (user_id, code, period) DO UPDATE SET notified_at = now() "
            "WHERE member_tasks.notified_at IS NULL RETURNING code",
            user.id,
            done,
            conn=conn,
        )
        for row in fresh:
            await notify(user.id, NotificationKind.TASK_DONE, conn, snippet=row["code"])
    return len(fresh)


async def announce_after_action(user: User, *, rules: CommunityRules) -> None:
    """After something a member did that may complete an onboarding task (posting,
    commenting, following topics, joining a circle, checking in, completing the profile):
    tell them now rather than when they next open the task centre. Nothing to do (no query)
    once their onboarding days are over; a failure here is logged, and their action stands."""
    if not onboarding_open(user, rules):
        return
    try:
        await announce_completed(user, rules=rules)
    except Exception:  # the action succeeded; the task centre announces it later
        log.warning("task announcement failed", user_id=user.id, exc_info=True)


async def claim(user: User, code: str, *, rules: CommunityRules) -> Task:
    """Claim a completed task's reward: once per task (and day), however many claims race."""
    if code not in _TASKS:
        raise NotFound("member_task_not_found", field="code")
    kind = _TASKS[code][0]
    period = _period(kind, rules)
    async with in_transaction() as conn:
        task = next(
            (t for t in await tasks_of(user, rules=rules, conn=conn) if t.code == code), None
        )
        if task is None:
            raise NotFound("member_task_not_found", field="code")
        if not task.completed:
            raise Conflict("task_not_done", field="code")
        # The conditional upsert lets one claim through; the others find it claimed.
        won = await sql.fetch(
            "INSERT INTO member_tasks (user_id, code, period, claimed_at, points, created_at) "
            "VALUES ($1, $2, $3, now(), $4, now()) ON CONFLICT (user_id, code, period) "
            "DO UPDATE SET claimed_at = now(), points = EXCLUDED.points "
            "WHERE member_tasks.claimed_at IS NULL RETURNING id",
            user.id,
            code,
            period,
            task.points_reward,
            conn=conn,
        )
        if not won:
            raise Conflict("task_claimed_already", field="code")
        await points.award(
            user.id,
            task.points_reward,
            PointsReason.TASK_REWARD,
            f"task:{user.id}:{code}:{period or 'once'}",
            conn,
            rules=rules,
            target=("TASK", won[0]["id"]),
        )
    return Task(code, kind, task.points_reward, task.progress, task.target, True)
