"""Members as staff see them: sanctions, a member's record, hiding a spam wave."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of
from api.moderation import ModerationLogEntry, Sanction
from api.relay import CountedConnection, counted_connection
from api.users import User
from domain import member_record, sanctions


@strawberry.type(name="SanctionConnection")
class SanctionConnection(CountedConnection[Sanction]):
    pass


@strawberry.type(description="A member as staff look them up.")
class MemberRecord:
    user: User
    joined_at: datetime
    last_active_at: datetime | None = strawberry.field(
        description="The last sign-in, or the start of the last day seen active (as of the "
        "activity job), whichever is later."
    )
    post_count: int = strawberry.field(description="Published posts.")
    comment_count: int = strawberry.field(description="Published comments.")
    reports_against: int = strawberry.field(
        description="Reports on the member or on their content."
    )
    reports_filed: int
    rejected_count: int = strawberry.field(
        description="Their posts, comments and answers rejected in review."
    )
    sanctions: list[Sanction] = strawberry.field(description="Newest first.")
    recent_log: list[ModerationLogEntry] = strawberry.field(
        description="Log entries about the member or their content, newest first (the last 50)."
    )


@strawberry.type
class HideMemberContentPayload:
    hidden_count: int


@strawberry.type
class MembersQuery:
    @strawberry.field(description="Sanctions, newest first (moderators).")
    async def sanctions(
        self,
        info: Info[Context, None],
        active: Annotated[
            bool | None,
            strawberry.argument(
                description="true: in force now; false: lifted or expired; null: all."
            ),
        ] = None,
        user_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> SanctionConnection:
        viewer = await info.context.require_viewer()
        counted = await sanctions.list_sanctions(
            viewer,
            active=active,
            user_id=pk_of(user_id, "User", field="userId") if user_id else None,
            first=first,
            after=after,
            cap=info.context.page_cap,
        )
        return counted_connection(
            SanctionConnection, counted.page, counted.count, Sanction.from_model
        )

    @strawberry.field(description="A member's record (moderators).")
    async def member_record(
        self, info: Info[Context, None], user_id: strawberry.ID
    ) -> MemberRecord:
        viewer = await info.context.require_viewer()
        found = await member_record.member_record(
            viewer,
            pk_of(user_id, "User", field="userId"),
            calendar=info.context.runtime.rules.calendar,
        )
        return MemberRecord(
            user=User.from_model(found.user),
            joined_at=found.user.created_at,
            last_active_at=found.last_active_at,
            post_count=found.post_count,
            comment_count=found.comment_count,
            reports_against=found.reports_against,
            reports_filed=found.reports_filed,
            rejected_count=found.rejected_count,
            sanctions=[Sanction.from_model(s) for s in found.sanctions],
            recent_log=[ModerationLogEntry.from_model(e) for e in found.recent_log],
        )


@strawberry.type
class MembersMutation:
    @strawberry.mutation(
        description="Hide what a member published since a time (a spam wave), each item with a "
        "review task so that approving it brings it back; at most 500 a call."
    )
    async def hide_member_content(
        self, info: Info[Context, None], user_id: strawberry.ID, since: datetime, reason: str
    ) -> HideMemberContentPayload:
        actor = await info.context.require_viewer()
        hidden = await member_record.hide_member_content(
            actor, pk_of(user_id, "User", field="userId"), since, reason
        )
        return HideMemberContentPayload(hidden_count=hidden)
