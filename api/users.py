"""Members: the public User, the signed-in Viewer with their own profile, and badges."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import to_global_id
from api.loaders import Loaders
from api.relay import Connection, Node
from api.strawberry_internals import now_or_later
from domain import checkins, feeds, models, tasks, users
from domain.badges import badge_description, badge_name
from domain.errors import NotFound

if TYPE_CHECKING:
    from api.posts import Post

PostRef = Annotated["Post", strawberry.lazy("api.posts")]

Role = strawberry.enum(
    models.Role,
    name="Role",
    description="MEMBER < MODERATOR (volunteer reviewers) < OPERATOR < ADMIN.",
)


@strawberry.type(description="A badge a member earned.")
class Badge:
    code: str
    name: str
    description: str
    awarded_at: datetime

    @classmethod
    def from_model(cls, badge: models.UserBadge, locale: str) -> Badge:
        return cls(
            code=badge.code,
            name=badge_name(badge.code, locale),
            description=badge_description(badge.code, locale),
            awarded_at=badge.created_at,
        )


async def _badges(info: Info[Context, None], user_id: int) -> list[Badge]:
    badges = await info.context.loaders.badges_of_user.load(user_id)
    return [Badge.from_model(b, info.context.locale) for b in badges]


def _level(root: User | Viewer, info: Info[Context, None]) -> int:
    return info.context.runtime.rules.level_for(root.points)


@strawberry.type(description="A member of the community, as others see them.")
class User(Node):
    id: strawberry.ID
    nickname: str
    avatar_url: str
    bio: str
    role: Role  # type: ignore[valid-type]
    level: int = strawberry.field(resolver=_level)
    points: int
    follower_count: int
    following_count: int
    post_count: int
    created_at: datetime
    pk: strawberry.Private[int]

    @strawberry.field(description="Badges earned, newest first.")
    async def badges(self, info: Info[Context, None]) -> list[Badge]:
        return await _badges(info, self.pk)

    @strawberry.field
    def viewer_is_following(self, info: Info[Context, None]) -> bool:
        return info.context.viewer_relation(Loaders.follows_user, self.pk)  # type: ignore[return-value]

    @strawberry.field(description="The member's posts, newest first.")
    async def posts(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> Connection[PostRef]:
        from api.post_pages import post_connection

        viewer = await info.context.viewer()
        page = await feeds.by_author(
            self.pk,
            viewer,
            closed=await info.context.loaders.closed_circles(viewer),
            first=first,
            after=after,
            cap=info.context.page_cap,
        )
        return await post_connection(info, page)

    @classmethod
    def from_model(cls, user: models.User) -> User:
        return cls(
            id=strawberry.ID(to_global_id("User", user.id)),
            nickname=user.nickname,
            avatar_url=user.avatar_url,
            bio=user.bio,
            role=user.role,
            points=user.points,
            follower_count=user.follower_count,
            following_count=user.following_count,
            post_count=user.post_count,
            created_at=user.created_at,
            pk=user.id,
        )


async def load_user(info: Info[Context, None], user_id: int) -> User:
    return _user(await info.context.loaders.user.load(user_id))


def user_of(info: Info[Context, None], user_id: int) -> User | Awaitable[User]:
    """The member, at once when already loaded (see post_connection)."""
    return now_or_later(info.context.loaders.user, user_id, _user)


def _user(user: models.User | None) -> User:
    if user is None:  # authors are never deleted while their content exists
        raise NotFound("user_not_found")
    return User.from_model(user)


@strawberry.type(
    description="The signed-in member, with what only they may see. Not a Node of its own: "
    "its `id` is the member's User ID, and `user` is the same member as a User."
)
class Viewer:
    id: strawberry.ID = strawberry.field(
        description="The member's User ID: node(id:) answers it as the User (see `user`)."
    )
    nickname: str
    avatar_url: str
    bio: str
    role: Role  # type: ignore[valid-type]
    level: int = strawberry.field(resolver=_level)
    points: int
    follower_count: int
    following_count: int
    invite_code: str
    invited_count: int
    muted_until: datetime | None
    created_at: datetime
    pk: strawberry.Private[int]
    member: strawberry.Private[models.User]

    unread_notification_count: int = strawberry.field(description="Unread in-app notifications.")

    @strawberry.field(
        description="Whether today's check-in is done (the community's calendar day)."
    )
    def checked_in_today(self, info: Info[Context, None]) -> bool:
        return checkins.checked_in_today(self.member, info.context.runtime.rules.calendar)

    @strawberry.field(description="Consecutive days checked in, alive.")
    def checkin_streak(self, info: Info[Context, None]) -> int:
        return checkins.current_streak(self.member, info.context.runtime.rules.calendar)

    @strawberry.field(description="Badges earned, newest first.")
    async def badges(self, info: Info[Context, None]) -> list[Badge]:
        return await _badges(info, self.pk)

    @strawberry.field(
        description="The same member as others see them: the User a normalised cache keeps "
        "behind their author chips."
    )
    def user(self) -> User:
        return User.from_model(self.member)

    @classmethod
    def from_model(cls, user: models.User) -> Viewer:
        return cls(
            id=strawberry.ID(to_global_id("User", user.id)),
            nickname=user.nickname,
            avatar_url=user.avatar_url,
            bio=user.bio,
            role=user.role,
            points=user.points,
            follower_count=user.follower_count,
            following_count=user.following_count,
            invite_code=user.invite_code,
            unread_notification_count=user.unread_notification_count,
            invited_count=user.invited_count,
            muted_until=user.muted_until
            if user.muted_until and user.muted_until > datetime.now(UTC)
            else None,
            created_at=user.created_at,
            pk=user.id,
            member=user,
        )


@strawberry.input
class UpdateProfileInput:
    nickname: str | None = strawberry.field(default=None, description="1–20 characters.")
    bio: str | None = strawberry.field(default=None, description="Up to 200 characters.")
    avatar_url: str | None = strawberry.field(
        default=None, description="An https URL; empty clears it."
    )


@strawberry.type
class UpdateProfilePayload:
    viewer: Viewer = strawberry.field(description="The member with what only they may see.")
    user: User = strawberry.field(
        description="The member as a User, so a normalised cache updates their author chips."
    )


@strawberry.type
class UsersQuery:
    @strawberry.field(description="The signed-in member; null when anonymous.")
    async def viewer(self, info: Info[Context, None]) -> Viewer | None:
        user = await info.context.viewer()
        return Viewer.from_model(user) if user else None


@strawberry.type
class ProfileMutation:
    @strawberry.mutation(description="Change the viewer's nickname, bio or avatar.")
    async def update_profile(
        self, info: Info[Context, None], input: UpdateProfileInput
    ) -> UpdateProfilePayload:
        user = await info.context.require_viewer()
        user = await users.update_profile(
            user,
            nickname=input.nickname,
            bio=input.bio,
            avatar_url=input.avatar_url,
            screener=info.context.runtime.screener,
        )
        await tasks.announce_after_action(user, rules=info.context.runtime.rules)
        return UpdateProfilePayload(viewer=Viewer.from_model(user), user=User.from_model(user))
