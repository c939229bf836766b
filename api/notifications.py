"""The inbox, marking read, and the live `notificationAdded` subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from datetime import datetime

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from api.answers import Answer
from api.comments import Comment, comment_visible
from api.context import Context
from api.ids import from_global_id, to_global_id
from api.loaders import Loaders
from api.notification_hub import NotificationHub
from api.posts import Post
from api.relay import Connection, Node, connection_from_page
from api.users import User
from domain import access, models, notifications, subscribe_messages
from domain.errors import BadInput
from domain.pagination import keyset_page

NotificationKind = strawberry.enum(models.NotificationKind, name="NotificationKind")
# Kinds whose subject is an answer; a comment or reply on an answer names it too.
_K = models.NotificationKind
_ABOUT_ANSWERS = {_K.ANSWER, _K.ANSWER_ACCEPTED, _K.ANSWER_COMMENT, _K.COMMENT, _K.REPLY}


@strawberry.type(description="Something that happened to the viewer's content or account.")
class Notification(Node):
    id: strawberry.ID
    kind: NotificationKind  # type: ignore[valid-type]
    read: bool
    created_at: datetime
    updated_at: datetime
    actor_count: int = strawberry.field(description="How many members it gathers (likes).")
    model: strawberry.Private[models.Notification]
    # Subscriptions run for a whole connection: each delivery brings loaders of its own.
    own_loaders: strawberry.Private[Loaders | None] = None

    def _loaders(self, info: Info[Context, None]) -> Loaders:
        return self.own_loaders or info.context.loaders

    async def _actor(self, info: Info[Context, None]) -> models.User | None:
        actor_id = self.model.actor_id  # type: ignore[attr-defined]
        return await self._loaders(info).user.load(actor_id) if actor_id else None

    @strawberry.field
    async def actor(self, info: Info[Context, None]) -> User | None:
        user = await self._actor(info)
        return User.from_model(user) if user else None

    @strawberry.field
    async def post(self, info: Info[Context, None]) -> Post | None:
        if self.model.post_id is None:
            return None
        post = await self._loaders(info).post.load(self.model.post_id)
        viewer = await info.context.viewer()
        closed = await info.context.loaders.closed_circles(viewer)
        visible = post is not None and access.can_see_post(post, viewer, closed)
        return Post.from_model(post) if post and visible else None

    async def _comment(self, info: Info[Context, None]) -> models.Comment | None:
        if self.model.comment_id is None:
            return None
        loaders = self._loaders(info)
        comment = await loaders.comment.load(self.model.comment_id)
        if comment is None:
            return None
        visible = await comment_visible(loaders, await info.context.viewer(), comment)
        return comment if visible else None

    async def _quotes_visible_words(self, info: Info[Context, None]) -> bool:
        """A comment or answer is quoted only while the recipient may still read it."""
        if self.model.comment_id is not None:
            return await self._comment(info) is not None
        if self.model.kind != models.NotificationKind.ANSWER or self.model.subject_id is None:
            return True
        return await self._answer(info) is not None

    async def _answer(self, info: Info[Context, None]) -> models.Answer | None:
        kind, answer_id = self.model.kind, self.model.subject_id
        if kind not in _ABOUT_ANSWERS or answer_id is None:
            return None
        loaders = self._loaders(info)
        answer = await loaders.answer.load(answer_id)
        question = await loaders.post.load(answer.question_id) if answer else None  # type: ignore[attr-defined]
        viewer = await info.context.viewer()
        closed = await loaders.closed_circles(viewer)
        visible = answer is not None and access.can_see_answer(answer, question, viewer, closed)
        return answer if visible else None

    @strawberry.field(description="The answer it is about: answered, accepted, commented on.")
    async def answer(self, info: Info[Context, None]) -> Answer | None:
        answer = await self._answer(info)
        return Answer.from_model(answer) if answer else None

    @strawberry.field
    async def comment(self, info: Info[Context, None]) -> Comment | None:
        comment = await self._comment(info)
        return Comment.from_model(comment) if comment else None

    @strawberry.field(description="Ready to show, in the client's language.")
    async def text(self, info: Info[Context, None]) -> str:
        actor = await self._actor(info)
        return notifications.render_notification(
            self.model.kind,
            info.context.locale,
            actor=actor.nickname if actor else "",
            actor_count=self.actor_count,
            snippet=self.model.snippet if await self._quotes_visible_words(info) else "",
            on_comment=self.model.comment_id is not None,
        )

    @classmethod
    def from_model(cls, n: models.Notification, loaders: Loaders | None = None) -> Notification:
        return cls(
            id=strawberry.ID(to_global_id("Notification", n.id)),
            kind=n.kind,
            read=n.read,
            created_at=n.created_at,
            updated_at=n.updated_at,
            actor_count=max(1, len(n.actor_ids)),
            model=n,
            own_loaders=loaders,
        )


@strawberry.type
class MarkReadPayload:
    unread_count: int


@strawberry.type
class NotificationsQuery:
    @strawberry.field(description="The viewer's inbox, most recent activity first.")
    async def notifications(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        unread_only: bool | None = False,
    ) -> Connection[Notification]:
        viewer = await info.context.require_viewer()
        query = models.Notification.filter(recipient_id=viewer.id)
        if unread_only:
            query = query.filter(read=False)
        page = await keyset_page(
            query,
            first=first,
            after=after,
            order=("-updated_at", "-id"),
            cap=info.context.page_cap,
        )
        return connection_from_page(page, Notification.from_model)  # type: ignore[arg-type]


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Mark the given notifications (or all) read.")
    async def mark_notifications_read(
        self,
        info: Info[Context, None],
        ids: list[strawberry.ID] | None = None,
        all: bool | None = False,
    ) -> MarkReadPayload:
        viewer = await info.context.require_viewer()
        pks = []
        for gid in ids or []:
            type_name, pk = from_global_id(gid, field="ids")
            if type_name != "Notification":
                raise BadInput("bad_id", field="ids")
            pks.append(pk)
        unread = await notifications.mark_read(viewer.id, pks, bool(all))
        return MarkReadPayload(unread_count=unread)

    @strawberry.mutation(
        description="Record the templates the member accepted in wx.requestSubscribeMessage; "
        "each allows one WeChat message."
    )
    async def grant_subscribe_messages(
        self, info: Info[Context, None], template_ids: list[str]
    ) -> GrantPayload:
        viewer = await info.context.require_viewer()
        return GrantPayload(count=await subscribe_messages.record_grants(viewer, template_ids))


@strawberry.type
class GrantPayload:
    count: int


@strawberry.type
class NotificationsSubscription:
    @strawberry.subscription(description="New notifications as they happen (WebSocket).")
    async def notification_added(
        self, info: Info[Context, None]
    ) -> AsyncGenerator[Notification, None]:
        context = info.context
        viewer = await context.require_viewer()
        hub: NotificationHub = context.request.app.state.hub
        # One pub/sub connection per process feeds every subscription (api/notification_hub).
        async with hub.listen(context.runtime.store, viewer.id, context.request) as queue:
            while True:
                notification_id = await queue.get()
                await context.recheck_viewer()  # banned or signed out meanwhile: told nothing
                row = await models.Notification.get_or_none(
                    id=notification_id, recipient_id=viewer.id
                )
                if row is not None:
                    yield Notification.from_model(row, loaders=Loaders())


class NotificationDelivery(SchemaExtension):
    """Delivers the notifications an operation wrote, once it is done (and committed)."""

    def on_execute(self) -> Iterator[None]:
        self._ids = notifications.start_collecting()
        yield

    async def on_operation(self) -> AsyncGenerator[None, None]:
        yield
        await deliver_collected(self.execution_context.context, getattr(self, "_ids", None))


async def deliver_collected(context: object, ids: list[int] | None) -> None:
    """NotificationDelivery's end of an operation: what it collected, delivered."""
    if ids and isinstance(context, Context):
        await notifications.deliver(context.runtime.store, ids, context.runtime.send_subscribe)
