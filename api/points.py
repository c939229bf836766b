"""Check-in, points history and leaderboards."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import to_global_id
from api.relay import Connection, Node, connection_from_page
from api.users import User, Viewer
from domain import checkins, leaderboards, models, tasks
from domain.pagination import check_first, keyset_page

PointsReason = strawberry.enum(models.PointsReason, name="PointsReason")
LeaderboardPeriod = strawberry.enum(leaderboards.Period, name="LeaderboardPeriod")


@strawberry.type(
    description="One line of the points ledger; node(id:) answers it to its member alone."
)
class PointsEntry(Node):
    id: strawberry.ID
    amount: int
    reason: PointsReason  # type: ignore[valid-type]
    balance_after: int
    created_at: datetime

    @classmethod
    def from_model(cls, entry: models.PointsEntry) -> PointsEntry:
        return cls(
            id=strawberry.ID(to_global_id("PointsEntry", entry.id)),
            amount=entry.amount,
            reason=entry.reason,
            balance_after=entry.balance_after,
            created_at=entry.created_at,
        )


@strawberry.type
class LeaderboardEntry:
    rank: int
    points: int = strawberry.field(description="Points earned in the period.")
    user: User


@strawberry.type
class CheckInPayload:
    streak: int
    points_awarded: int
    viewer: Viewer


@strawberry.type
class PointsQuery:
    @strawberry.field(description="The viewer's points ledger, newest first.")
    async def points_history(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[PointsEntry]:
        viewer = await info.context.require_viewer()
        page = await keyset_page(
            models.PointsEntry.filter(user_id=viewer.id),
            first=first,
            after=after,
            order=("-created_at", "-id"),
            cap=info.context.page_cap,
        )
        return connection_from_page(page, PointsEntry.from_model)  # type: ignore[arg-type]

    @strawberry.field(description="Members who earned the most points this week, month, ever.")
    async def leaderboard(
        self,
        info: Info[Context, None],
        period: LeaderboardPeriod,  # type: ignore[valid-type]
        first: int | None = None,
    ) -> list[LeaderboardEntry]:
        size = check_first(first, cap=info.context.page_cap)
        runtime = info.context.runtime
        standings = await leaderboards.leaderboard(
            runtime.store, runtime.rules.calendar, period, size
        )
        return [
            LeaderboardEntry(rank=s.rank, points=s.points, user=User.from_model(s.user))
            for s in standings
        ]


@strawberry.type
class PointsMutation:
    @strawberry.mutation(description="Today's check-in; a second one today is CONFLICT.")
    async def check_in(self, info: Info[Context, None]) -> CheckInPayload:
        viewer = await info.context.require_viewer()
        result = await checkins.check_in(viewer, rules=info.context.runtime.rules)
        await viewer.refresh_from_db()
        await tasks.announce_after_action(viewer, rules=info.context.runtime.rules)
        return CheckInPayload(
            streak=result.streak,
            points_awarded=result.points_awarded,
            viewer=Viewer.from_model(viewer),
        )
