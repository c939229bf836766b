"""Moderation: reports, sanctions, the word filter, roles, and the moderation log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import from_global_id, pk_of, to_global_id
from api.relay import CountedConnection, Node, counted_connection
from api.users import Role, User, load_user
from domain import models, modlog, reports, roles, sanctions, screening
from domain.errors import BadInput

ReportTargetType = strawberry.enum(models.TargetType, name="ReportTargetType")
ReportReason = strawberry.enum(models.ReportReason, name="ReportReason")
ReportStatus = strawberry.enum(models.ReportStatus, name="ReportStatus")
SanctionKind = strawberry.enum(models.SanctionKind, name="SanctionKind")
WordLevel = strawberry.enum(models.WordLevel, name="WordLevel")

# Global ID type names of what a report or an action targets.
_GLOBAL_TYPES = {"POST": "Post", "COMMENT": "Comment", "ANSWER": "Answer", "USER": "User"}


@strawberry.type(description="A member's report; node(id:) answers it to its reporter and staff.")
class Report(Node):
    id: strawberry.ID
    status: ReportStatus  # type: ignore[valid-type]
    reason: ReportReason  # type: ignore[valid-type]
    created_at: datetime

    @classmethod
    def from_model(cls, report: models.Report) -> Report:
        return cls(
            id=strawberry.ID(to_global_id("Report", report.id)),
            status=report.status,
            reason=report.reason,
            created_at=report.created_at,
        )


@strawberry.type(description="A mute or ban; node(id:) answers it to moderators and above.")
class Sanction(Node):
    id: strawberry.ID
    kind: SanctionKind  # type: ignore[valid-type]
    until: datetime
    reason: str
    created_at: datetime
    lifted_at: datetime | None
    user_id: strawberry.Private[int]
    actor_id: strawberry.Private[int | None]

    @strawberry.field(description="The member sanctioned.")
    async def user(self, info: Info[Context, None]) -> User:
        return await load_user(info, self.user_id)

    @strawberry.field(description="Who imposed it.")
    async def actor(self, info: Info[Context, None]) -> User | None:
        return await load_user(info, self.actor_id) if self.actor_id else None

    @classmethod
    def from_model(cls, sanction: models.Sanction) -> Sanction:
        return cls(
            id=strawberry.ID(to_global_id("Sanction", sanction.id)),
            kind=sanction.kind,
            until=sanction.until,
            reason=sanction.reason,
            created_at=sanction.created_at,
            lifted_at=sanction.lifted_at,
            user_id=sanction.user_id,  # type: ignore[attr-defined]
            actor_id=sanction.actor_id,  # type: ignore[attr-defined]
        )


@strawberry.type(
    description="One action of a moderator, operator or admin; node(id:) answers it to "
    "operators and admins."
)
class ModerationLogEntry(Node):
    id: strawberry.ID
    action: str
    target_type: str
    target_id: strawberry.ID | None = strawberry.field(
        description="Global ID of the post, comment, answer or member acted on."
    )
    note: str
    created_at: datetime
    actor_id: strawberry.Private[int | None]

    @strawberry.field
    async def actor(self, info: Info[Context, None]) -> User | None:
        return await load_user(info, self.actor_id) if self.actor_id else None

    @classmethod
    def from_model(cls, entry: models.ModerationAction) -> ModerationLogEntry:
        type_name = _GLOBAL_TYPES.get(entry.target_type, entry.target_type.title())
        return cls(
            id=strawberry.ID(to_global_id("ModerationLogEntry", entry.id)),
            action=entry.action,
            target_type=entry.target_type,
            target_id=strawberry.ID(to_global_id(type_name, entry.target_id))
            if entry.target_id
            else None,
            note=entry.note,
            created_at=entry.created_at,
            actor_id=entry.actor_id,  # type: ignore[attr-defined]
        )


@strawberry.type
class ReportPayload:
    report: Report


@strawberry.type
class SanctionPayload:
    sanction: Sanction


@strawberry.type
class CountPayload:
    count: int


@strawberry.type
class ModerationOkPayload:
    ok: bool


@strawberry.type
class UserPayload:
    user: User


@strawberry.type(name="ModerationLogEntryConnection")
class ModerationLogEntryConnection(CountedConnection[ModerationLogEntry]):
    pass


@strawberry.input(description="Narrows the log; a criterion left out (or empty) does not.")
class ModerationLogFilter:
    actor_id: strawberry.ID | None = None
    actions: list[str] | None = strawberry.field(
        default=None, description="Any of these actions (the README lists them)."
    )
    target_type: str | None = None
    from_: datetime | None = strawberry.field(default=None, name="from", description="Inclusive.")
    to: datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_domain(self) -> modlog.LogFilter:
        return modlog.LogFilter(
            actor_id=pk_of(self.actor_id, "User", field="filter.actorId")
            if self.actor_id
            else None,
            actions=tuple(self.actions or ()),
            target_type=self.target_type,
            since=self.from_,
            until=self.to,
        )


@strawberry.type
class ModerationQuery:
    @strawberry.field(description="Moderation actions, newest first (operators).")
    async def moderation_log(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        filter_: Annotated[ModerationLogFilter | None, strawberry.argument(name="filter")] = None,
    ) -> ModerationLogEntryConnection:
        viewer = await info.context.require_viewer()
        counted = await modlog.log_page(
            viewer,
            filter_.to_domain() if filter_ else None,
            first=first,
            after=after,
            cap=info.context.page_cap,
        )
        return counted_connection(
            ModerationLogEntryConnection, counted.page, counted.count, ModerationLogEntry.from_model
        )


@strawberry.type
class ModerationMutation:
    @strawberry.mutation(description="Report content or a member; once per target.")
    async def report_content(
        self,
        info: Info[Context, None],
        target_type: ReportTargetType,  # type: ignore[valid-type]
        target_id: strawberry.ID,
        reason: ReportReason,  # type: ignore[valid-type]
        detail: str | None = None,
    ) -> ReportPayload:
        reporter = await info.context.require_viewer()
        type_name, pk = from_global_id(target_id, field="targetId")
        if type_name != _GLOBAL_TYPES[models.TargetType(target_type).value]:
            raise BadInput("bad_id", field="targetId")
        report = await reports.report_content(
            reporter,
            target_type,
            pk,
            reason,
            detail or "",
            screener=info.context.runtime.screener,
            hide_at=info.context.runtime.settings.report_hide_threshold,
        )
        return ReportPayload(report=Report.from_model(report))

    @strawberry.mutation(description="MUTE (moderators) or BAN (operators) a member.")
    async def sanction_user(
        self,
        info: Info[Context, None],
        user_id: strawberry.ID,
        kind: SanctionKind,  # type: ignore[valid-type]
        reason: str,
        hours: int | None = None,
    ) -> SanctionPayload:
        actor = await info.context.require_role(models.Role.MODERATOR)
        sanction = await sanctions.sanction_user(
            actor, pk_of(user_id, "User", field="userId"), kind, hours, reason
        )
        return SanctionPayload(sanction=Sanction.from_model(sanction))

    @strawberry.mutation
    async def lift_sanction(
        self, info: Info[Context, None], sanction_id: strawberry.ID
    ) -> ModerationOkPayload:
        actor = await info.context.require_role(models.Role.MODERATOR)
        await sanctions.lift_sanction(actor, pk_of(sanction_id, "Sanction", field="sanctionId"))
        return ModerationOkPayload(ok=True)

    @strawberry.mutation(description="Add words to the filter (operators).")
    async def add_sensitive_words(
        self,
        info: Info[Context, None],
        words: list[str],
        level: WordLevel,  # type: ignore[valid-type]
    ) -> CountPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        count = await screening.add_words(actor, info.context.runtime.store, words, level)
        return CountPayload(count=count)

    @strawberry.mutation
    async def remove_sensitive_words(
        self, info: Info[Context, None], words: list[str]
    ) -> CountPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        count = await screening.remove_words(actor, info.context.runtime.store, words)
        return CountPayload(count=count)

    @strawberry.mutation(description="Admins only; the last admin cannot step down.")
    async def set_user_role(
        self,
        info: Info[Context, None],
        user_id: strawberry.ID,
        role: Role,  # type: ignore[valid-type]
    ) -> UserPayload:
        actor = await info.context.require_role(models.Role.ADMIN)
        user = await roles.set_user_role(actor, pk_of(user_id, "User", field="userId"), role)
        return UserPayload(user=User.from_model(user))
