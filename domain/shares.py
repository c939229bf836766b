"""Shares: each one recorded with an opaque token the client puts into the shared link.

Every share is a row (the share funnel counts them all), but shareCount, HOT and topic heat
count one share per member, post and channel per community day: sharing the same post to
the same place thirty times in one request or one day is one share for the rankings."""

from __future__ import annotations

import secrets

from tortoise.transactions import in_transaction

from adapters import sql
from domain.models import Post, Share, ShareChannel, User
from domain.posts import get_published_post
from domain.rules import CommunityRules


def new_share_token() -> str:
    return secrets.token_urlsafe(12)


async def share_post(
    user: User, post_id: int, channel: ShareChannel, *, rules: CommunityRules
) -> tuple[Share, Post]:
    async with in_transaction() as conn:
        await get_published_post(post_id, reader=user, conn=conn)
        # The post's row lock (taken before any member's, as likes do) puts its shares in a
        # line: one counted share a day, exactly.
        await sql.fetch("SELECT 1 FROM posts WHERE id = $1 FOR NO KEY UPDATE", post_id, conn=conn)
        since = rules.calendar.start_of(rules.calendar.today())
        repeat = await sql.fetch(
            "SELECT 1 FROM shares WHERE user_id = $1 AND post_id = $2 AND channel = $3 "
            "AND counted AND created_at >= $4 LIMIT 1",
            user.id,
            post_id,
            channel.value,
            since,
            conn=conn,
        )
        share = await Share.create(
            user_id=user.id,
            post_id=post_id,
            channel=channel,
            token=new_share_token(),
            counted=not repeat,
            using_db=conn,
        )
        if not repeat:
            await sql.bump("posts", "share_count", post_id, +1, conn=conn)
    return share, await Post.get(id=post_id)
