"""Review tasks, reports, sanctions, the moderation log and collections as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import to_global_id
from api.relay import Connection, Node
from api.types.posts import Answer, Comment, Post, load_user, post_connection
from api.types.users import User
from domain import featured, models
from domain.featured import PinScope as DomainPinScope
from domain.review import Decision

ReviewStage = strawberry.enum(models.ReviewStage, name="ReviewStage")
ReviewStatus = strawberry.enum(models.ReviewStatus, name="ReviewStatus")
ReviewDecision = strawberry.enum(Decision, name="ReviewDecision")
ReportTargetType = strawberry.enum(models.TargetType, name="ReportTargetType")
ReportReason = strawberry.enum(models.ReportReason, name="ReportReason")
ReportStatus = strawberry.enum(models.ReportStatus, name="ReportStatus")
SanctionKind = strawberry.enum(models.SanctionKind, name="SanctionKind")
WordLevel = strawberry.enum(models.WordLevel, name="WordLevel")
PinScope = strawberry.enum(DomainPinScope, name="PinScope")

ReviewTarget = Annotated[Post | Comment | Answer | User, strawberry.union("ReviewTarget")]

_GLOBAL_TYPES = {"POST": "Post", "COMMENT": "Comment", "ANSWER": "Answer", "USER": "User"}


@strawberry.type(description="A piece of content (or a member) waiting for review.")
class ReviewTask(Node):
    id: strawberry.ID
    stage: ReviewStage  # type: ignore[valid-type]
    status: ReviewStatus  # type: ignore[valid-type]
    reasons: list[str]
    report_count: int
    appeal: bool
    created_at: datetime
    target_type: strawberry.Private[str]
    target_id: strawberry.Private[int]

    @strawberry.field(description="The content under review, whatever its status.")
    async def target(self, info: Info[Context, None]) -> ReviewTarget | None:
        loaders = info.context.loaders
        if self.target_type == models.TargetType.POST:
            post = await loaders.post.load(self.target_id)
            return Post.from_model(post) if post else None
        if self.target_type == models.TargetType.COMMENT:
            comment = await loaders.comment.load(self.target_id)
            return Comment.from_model(comment) if comment else None
        if self.target_type == models.TargetType.ANSWER:
            answer = await loaders.answer.load(self.target_id)
            return Answer.from_model(answer) if answer else None
        return await load_user(info, self.target_id)

    @classmethod
    def from_model(cls, task: models.ReviewTask) -> ReviewTask:
        return cls(
            id=strawberry.ID(to_global_id("ReviewTask", task.id)),
            stage=task.stage,
            status=task.status,
            reasons=[str(r) for r in task.reasons],
            report_count=task.report_count,
            appeal=task.appeal,
            created_at=task.created_at,
            target_type=task.target_type,
            target_id=task.target_id,
        )


@strawberry.type
class Report:
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


@strawberry.type
class Sanction:
    id: strawberry.ID
    kind: SanctionKind  # type: ignore[valid-type]
    until: datetime
    reason: str

    @classmethod
    def from_model(cls, sanction: models.Sanction) -> Sanction:
        return cls(
            id=strawberry.ID(to_global_id("Sanction", sanction.id)),
            kind=sanction.kind,
            until=sanction.until,
            reason=sanction.reason,
        )


@strawberry.type(description="One action of a moderator, operator or admin.")
class ModerationLogEntry:
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
            id=strawberry.ID(to_global_id("ModerationAction", entry.id)),
            action=entry.action,
            target_type=entry.target_type,
            target_id=strawberry.ID(to_global_id(type_name, entry.target_id))
            if entry.target_id
            else None,
            note=entry.note,
            created_at=entry.created_at,
            actor_id=entry.actor_id,  # type: ignore[attr-defined]
        )


@strawberry.type(description="A curated collection (专题) of posts.")
class Collection(Node):
    id: strawberry.ID
    title: str
    description: str
    cover_url: str
    created_at: datetime
    pk: strawberry.Private[int]

    @strawberry.field(description="Its published posts in curated order.")
    async def posts(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Post]:
        page = await featured.collection_posts(
            self.pk, first=first, after=after, cap=info.context.page_cap
        )
        return await post_connection(info, page)

    @classmethod
    def from_model(cls, collection: models.Collection) -> Collection:
        return cls(
            id=strawberry.ID(to_global_id("Collection", collection.id)),
            title=collection.title,
            description=collection.description,
            cover_url=collection.cover_url,
            created_at=collection.created_at,
            pk=collection.id,
        )
