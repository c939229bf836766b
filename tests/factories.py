"""Factories: build rows through the domain, never by mocking it."""

from __future__ import annotations

import itertools

from domain.models import Post, Role, User
from domain.users import find_or_create_member
from quanzi.bootstrap import Runtime

_counter = itertools.count(1)


async def make_user(
    *, role: Role = Role.MEMBER, nickname: str | None = None, openid: str | None = None, **extra
) -> User:
    n = next(_counter)
    user, _ = await find_or_create_member(openid or f"openid-{n}", nickname=nickname or f"成员{n}")
    changes = {"role": role, **extra}
    await User.filter(id=user.id).update(**changes)
    await user.refresh_from_db()
    return user


def token_for(runtime: Runtime, user: User) -> str:
    token, _ = runtime.tokens.issue_access(user.id)
    return token


async def make_post(author: User, body: str = "今天天气不错", **draft: object) -> Post:
    from domain.posts import PostDraft, create_post
    from domain.publishing import NO_SCREENING  # a fixture, not a member's text

    return await create_post(author, PostDraft(body=body, **draft), NO_SCREENING)  # type: ignore[arg-type]
