"""The operator console: review queue, reports, sanctions, words, roles, log, featured content."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import from_global_id, pk_of
from api.relay import Connection, connection_from_page
from api.types.moderation import (
    Collection,
    ModerationLogEntry,
    PinScope,
    Report,
    ReportReason,
    ReportTargetType,
    ReviewDecision,
    ReviewStage,
    ReviewTask,
    Sanction,
    SanctionKind,
    WordLevel,
)
from api.types.posts import Post
from api.types.users import Role, User
from domain import featured, models, reports, review, roles, sanctions, screening
from domain.errors import BadInput
from domain.pagination import keyset_page

_TARGET_TYPES = {"POST": "Post", "COMMENT": "Comment", "ANSWER": "Answer", "USER": "User"}


@strawberry.input
class CreateCollectionInput:
    title: str = strawberry.field(description="1–60 characters.")
    description: str = ""
    cover_url: str = strawberry.field(default="", description="An https URL.")


@strawberry.type
class ReviewTaskPayload:
    task: ReviewTask


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


@strawberry.type
class FeaturedPostPayload:
    post: Post


@strawberry.type
class CollectionPayload:
    collection: Collection


@strawberry.type
class ModerationQuery:
    @strawberry.field(description="Open review tasks at a stage, oldest first (moderators).")
    async def review_queue(
        self,
        info: Info[Context, None],
        stage: ReviewStage,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ReviewTask]:
        await info.context.require_role(models.Role.MODERATOR)
        page = await review.queue(stage, first=first, after=after, cap=info.context.page_cap)
        return connection_from_page(page, ReviewTask.from_model)  # type: ignore[arg-type]

    @strawberry.field(description="Every moderation action, newest first (operators).")
    async def moderation_log(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[ModerationLogEntry]:
        await info.context.require_role(models.Role.OPERATOR)
        page = await keyset_page(
            models.ModerationAction.all(),
            first=first,
            after=after,
            order=("-created_at", "-id"),
            cap=info.context.page_cap,
        )
        return connection_from_page(page, ModerationLogEntry.from_model)  # type: ignore[arg-type]

    @strawberry.field(description="Curated collections (专题), newest first.")
    async def collections(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[Collection]:
        page = await featured.collections(first=first, after=after, cap=info.context.page_cap)
        return connection_from_page(page, Collection.from_model)  # type: ignore[arg-type]

    @strawberry.field
    async def collection(self, info: Info[Context, None], id: strawberry.ID) -> Collection | None:
        collection = await models.Collection.get_or_none(id=pk_of(id, "Collection"))
        return Collection.from_model(collection) if collection else None


@strawberry.type
class ModerationMutation:
    @strawberry.mutation(description="APPROVE, REJECT or ESCALATE a task at its stage.")
    async def decide_review(
        self,
        info: Info[Context, None],
        task_id: strawberry.ID,
        decision: ReviewDecision,  # type: ignore[valid-type]
        note: str | None = None,
    ) -> ReviewTaskPayload:
        actor = await info.context.require_role(models.Role.MODERATOR)
        task = await review.decide(
            actor, pk_of(task_id, "ReviewTask", field="taskId"), decision, note or ""
        )
        return ReviewTaskPayload(task=ReviewTask.from_model(task))

    @strawberry.mutation(description="Appeal a rejected post, once; it goes to final review.")
    async def appeal_rejection(
        self, info: Info[Context, None], post_id: strawberry.ID, reason: str
    ) -> ReviewTaskPayload:
        author = await info.context.require_viewer()
        task = await review.appeal_rejection(author, pk_of(post_id, "Post", field="postId"), reason)
        return ReviewTaskPayload(task=ReviewTask.from_model(task))

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
        if type_name != _TARGET_TYPES[models.TargetType(target_type).value]:
            raise BadInput("bad_id", field="targetId")
        report = await reports.report_content(
            reporter,
            target_type,
            pk,
            reason,
            detail or "",
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

    @strawberry.mutation(
        description="GLOBAL pins (operators) lead LATEST; CIRCLE pins their circle."
    )
    async def pin_post(
        self,
        info: Info[Context, None],
        post_id: strawberry.ID,
        scope: PinScope,  # type: ignore[valid-type]
        until: datetime | None = None,
    ) -> FeaturedPostPayload:
        actor = await info.context.require_viewer()
        post = await featured.pin_post(actor, pk_of(post_id, "Post", field="postId"), scope, until)
        return FeaturedPostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def unpin_post(
        self, info: Info[Context, None], post_id: strawberry.ID
    ) -> FeaturedPostPayload:
        actor = await info.context.require_viewer()
        post = await featured.unpin_post(actor, pk_of(post_id, "Post", field="postId"))
        return FeaturedPostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def feature_post(
        self, info: Info[Context, None], post_id: strawberry.ID, reason: str | None = None
    ) -> FeaturedPostPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        post = await featured.feature_post(
            actor, pk_of(post_id, "Post", field="postId"), reason or ""
        )
        return FeaturedPostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def unfeature_post(
        self, info: Info[Context, None], post_id: strawberry.ID
    ) -> FeaturedPostPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        post = await featured.unfeature_post(actor, pk_of(post_id, "Post", field="postId"))
        return FeaturedPostPayload(post=Post.from_model(post))

    @strawberry.mutation
    async def create_collection(
        self, info: Info[Context, None], input: CreateCollectionInput
    ) -> CollectionPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        collection = await featured.create_collection(
            actor, input.title, input.description, input.cover_url
        )
        return CollectionPayload(collection=Collection.from_model(collection))

    @strawberry.mutation
    async def add_to_collection(
        self, info: Info[Context, None], collection_id: strawberry.ID, post_id: strawberry.ID
    ) -> CollectionPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        collection = await featured.add_to_collection(
            actor,
            pk_of(collection_id, "Collection", field="collectionId"),
            pk_of(post_id, "Post", field="postId"),
        )
        return CollectionPayload(collection=Collection.from_model(collection))

    @strawberry.mutation
    async def remove_from_collection(
        self, info: Info[Context, None], collection_id: strawberry.ID, post_id: strawberry.ID
    ) -> CollectionPayload:
        actor = await info.context.require_role(models.Role.OPERATOR)
        collection = await featured.remove_from_collection(
            actor,
            pk_of(collection_id, "Collection", field="collectionId"),
            pk_of(post_id, "Post", field="postId"),
        )
        return CollectionPayload(collection=Collection.from_model(collection))
