"""Likes through the API, under retries and concurrency: idempotent, counted exactly."""

from __future__ import annotations

import asyncio
import random

import asyncpg

from api.ids import to_global_id
from domain.models import (
    Comment,
    Post,
    PostLike,
    User,
    UserFollow,
)
from quanzi.bootstrap import Runtime
from tests.conftest import Api, _asyncpg_dsn, error_codes
from tests.factories import make_post, make_user, token_for
from tests.locks import until_waiting


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


async def test_liking_twice_leaves_one_like_and_unliking_is_idempotent(
    api: Api, runtime: Runtime
) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    variables = {"postId": gid("Post", post.id)}
    for _ in range(2):
        liked = await api.op("LikePost", variables, token=token)
        assert liked["data"]["likePost"]["post"] == {
            "id": gid("Post", post.id),
            "likeCount": 1,
            "viewerHasLiked": True,
        }
    for _ in range(2):
        unliked = await api.op("UnlikePost", variables, token=token)
        assert unliked["data"]["unlikePost"]["post"]["likeCount"] == 0
        assert unliked["data"]["unlikePost"]["post"]["viewerHasLiked"] is False


async def test_fifty_members_liking_at_once_count_fifty(api: Api, runtime: Runtime) -> None:
    post = await make_post(await make_user())
    tokens = [token_for(runtime, await make_user()) for _ in range(50)]
    await asyncio.gather(
        *(api.op("LikePost", {"postId": gid("Post", post.id)}, token=t) for t in tokens)
    )
    await post.refresh_from_db()
    assert post.like_count == 50 == await PostLike.filter(post_id=post.id).count()


async def test_twenty_concurrent_likes_from_one_member_count_one(
    api: Api, runtime: Runtime
) -> None:
    post = await make_post(await make_user())
    token = token_for(runtime, await make_user())
    results = await asyncio.gather(
        *(api.op("LikePost", {"postId": gid("Post", post.id)}, token=token) for _ in range(20))
    )
    assert all("errors" not in r for r in results)
    await post.refresh_from_db()
    assert post.like_count == 1 == await PostLike.filter(post_id=post.id).count()


async def test_counters_equal_their_rows_after_a_mixed_concurrent_storm(
    api: Api, runtime: Runtime
) -> None:
    posts = [await make_post(await make_user()) for _ in range(3)]
    members = [await make_user() for _ in range(12)]
    rng = random.Random(7)
    calls = []
    for _ in range(150):
        member = rng.choice(members)
        post = rng.choice(posts)
        op = rng.choice(["LikePost", "UnlikePost", "AddComment", "SharePost", "FollowUser"])
        variables: dict[str, object] = {"postId": gid("Post", post.id)}
        if op == "AddComment":
            variables["body"] = "风暴"
        elif op == "SharePost":
            variables["channel"] = "WECHAT_CHAT"
        elif op == "FollowUser":
            variables = {"userId": gid("User", post.author_id)}  # type: ignore[attr-defined]
        calls.append(api.op(op, variables, token=token_for(runtime, member)))
    results = await asyncio.gather(*calls)
    assert [r["errors"] for r in results if "errors" in r] == []
    for post in posts:
        await post.refresh_from_db()
        assert post.like_count == await PostLike.filter(post_id=post.id).count()
        assert post.comment_count == await Comment.filter(post_id=post.id).count()
        assert post.share_count == await post.shares.filter(counted=True).count()  # type: ignore[attr-defined]
    for user in await User.all():
        assert user.follower_count == await UserFollow.filter(followee_id=user.id).count()
        assert user.following_count == await UserFollow.filter(follower_id=user.id).count()


async def test_likes_on_missing_targets_are_not_found(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user())
    post = await api.op("LikePost", {"postId": gid("Post", 777)}, token=token)
    assert post["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "postId"}
    wrong_type = await api.op("LikePost", {"postId": gid("User", 1)}, token=token)
    assert wrong_type["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "postId"}
    comment = await api.op("LikeComment", {"commentId": gid("Comment", 777)}, token=token)
    assert comment["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "commentId"}


async def test_a_like_rolled_back_in_a_deadlock_says_retry_and_keeps_nothing(
    api: Api, runtime: Runtime, database_url: str
) -> None:
    """A write PostgreSQL picks as a deadlock's victim was rolled back whole: the member is
    told to try again (SERVICE_UNAVAILABLE, in their language), not shown an internal error,
    and trying again works. The other side here takes the rows against the lock order, as
    no writer of ours does."""
    author = await make_user()
    post = await make_post(author)
    token = token_for(runtime, await make_user())
    variables = {"postId": gid("Post", post.id)}
    other = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        await other.execute("SET deadlock_timeout = '20s'")  # the like finds the deadlock
        async with other.transaction():
            # The author's row, which the like takes (their points) after the post's.
            await other.execute("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE", author.id)
            liking = asyncio.ensure_future(api.op("LikePost", variables, token=token))
            await until_waiting(other)
            await other.execute("SELECT 1 FROM posts WHERE id = $1 FOR NO KEY UPDATE", post.id)
            answer = await asyncio.wait_for(liking, 20)
    finally:
        await other.close()
    assert error_codes(answer) == ["SERVICE_UNAVAILABLE"]
    assert "重试" in answer["errors"][0]["message"]
    assert not await PostLike.filter(post_id=post.id).exists()
    assert (await Post.get(id=post.id)).like_count == 0
    again = await api.op("LikePost", variables, token=token)
    assert again["data"]["likePost"]["post"]["likeCount"] == 1
