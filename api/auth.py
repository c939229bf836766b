"""Sign-in and sessions: WeChat sign-in, token refresh, and the development sign-in."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.feeds import prepare_recommended
from api.users import Viewer
from domain import auth, users


@strawberry.type(description="A signed-in session: send `token` as `Authorization: Bearer`.")
class AuthPayload:
    token: str = strawberry.field(description="Access token, valid until expiresAt.")
    refresh_token: str = strawberry.field(
        description="Single-use: trade it with refreshToken for a new pair before it expires."
    )
    expires_at: datetime
    is_new_user: bool
    viewer: Viewer

    @classmethod
    def from_session(cls, session: auth.Session) -> AuthPayload:
        return cls(
            token=session.access_token,
            refresh_token=session.refresh_token,
            expires_at=session.expires_at,
            is_new_user=session.is_new_user,
            viewer=Viewer.from_model(session.user),
        )


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Sign in with a wx.login() code; creates the member once.")
    async def wechat_login(
        self,
        info: Info[Context, None],
        code: str,
        invite_code: str | None = None,
        share_token: str | None = None,
    ) -> AuthPayload:
        runtime = info.context.runtime
        session = await auth.sign_in_with_wechat(
            runtime.wechat,
            runtime.tokens,
            code,
            users.Attribution(invite_code=invite_code, share_token=share_token),
        )
        await prepare_recommended(runtime, session.user.id)
        return AuthPayload.from_session(session)

    @strawberry.mutation(description="Trade a refresh token for a new pair (rotation).")
    async def refresh_token(self, info: Info[Context, None], refresh_token: str) -> AuthPayload:
        session = await auth.refresh_session(info.context.runtime.tokens, refresh_token)
        await prepare_recommended(info.context.runtime, session.user.id)
        return AuthPayload.from_session(session)


@strawberry.type
class DevLoginMutation:
    @strawberry.mutation(
        description="Sign in as any openid without WeChat. Exists only with QUANZI_DEV_LOGIN=1 "
        "outside production."
    )
    async def dev_login(
        self, info: Info[Context, None], openid: str, nickname: str | None = None
    ) -> AuthPayload:
        session = await auth.dev_sign_in(
            info.context.runtime.tokens, openid, nickname, screener=info.context.runtime.screener
        )
        await prepare_recommended(info.context.runtime, session.user.id)
        return AuthPayload.from_session(session)
