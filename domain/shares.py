"""Shares: each one recorded with an opaque token the client puts into the shared link."""

from __future__ import annotations

import secrets

from tortoise.transactions import in_transaction

from adapters import sql
from domain.models import Post, Share, ShareChannel, User
from domain.posts import get_published_post


def new_share_token() -> str:
    return secrets.token_urlsafe(12)


async def share_post(user: User, post_id: int, channel: ShareChannel) -> tuple[Share, Post]:
    async with in_transaction() as conn:
        await get_published_post(post_id, reader=user, conn=conn)
        share = await Share.create(
            user_id=user.id,
            post_id=post_id,
            channel=channel,
            token=new_share_token(),
            using_db=conn,
        )
        await sql.bump("posts", "share_count", post_id, +1, conn=conn)
    return share, await Post.get(id=post_id)
